"""Knowledge checks → QTI 1.2 assessments in the IMS Common Cartridge 1.1 profile."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from lxml import etree

from lcmodules.core.diagnostics import Problem
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Question, Unit
from lcmodules.questions.choices import ChoiceQuestion
from lcmodules.questions.multiple import MultipleQuestion
from lcmodules.questions.numeric import NumericQuestion
from lcmodules.questions.single import SingleQuestion
from lcmodules.questions.text import TextQuestion
from lcmodules.questions.truefalse import TrueFalseQuestion
from lcmodules.render.i18n import strings
from lcmodules.render.markdown import Context, MarkdownRenderer, renderer

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_LOCATION = (f"{QTI_NS} http://www.imsglobal.org/profile/cc/ccv1p1/"
                "ccv1p1_qtiasiv1p2p1_v1p0.xsd")
# Each question type names its CC 1.1 profile type (`qti_profile`) or why it has none.
RESPONSE = "response1"
GENERAL_FEEDBACK = "general_fb"
MIN_SINGLE_CHOICES = 3  # Schematron rule 4d of the CC 1.1 QTI profile
MULTIPLE_RESPONSE = MultipleQuestion.qti_profile
# One test of a <conditionvar>: ("varequal" or "not", a value), ("other", None) or ("and", tests).
Test = tuple[str, "str | None | list[Test]"]
MAX_WEIGHT = 99  # rule 2c: cc_weighting is an integer 1..99
MAX_GRID = 25  # numbers each side of a numeric answer that a tolerance may become


def weighting(points: float) -> int:
    """`cc_weighting`: the points as an integer in 1..99 (the profile allows nothing else)."""
    return min(max(round(points), 1), MAX_WEIGHT)


def _spellings(value: Decimal, places: int) -> list[str]:
    """How learners write one number: `0.25`, `0,25`, `.25`; `3`, `3.0`, `3,0`; `3.00`."""
    plain = format(value.normalize(), "f") if value else "0"
    fixed = format(value.quantize(Decimal(1).scaleb(-places)), "f") if places else plain
    forms = [plain, fixed]
    if "." not in plain:
        forms.append(f"{plain}.0")
    forms += [f.replace(".", ",") for f in list(forms)]
    forms += [f[1:] for f in list(forms) if f.startswith("0.")]
    return list(dict.fromkeys(forms))


def numeric_grid(answer: float, tolerance: float | None = None) -> tuple[list[Decimal], int]:
    """The numbers a `cc.fib` item accepts for a numeric question, and their decimals.

    CC 1.1 has no numeric type, so a tolerance becomes the numbers on the grid of the answer's
    and the tolerance's decimals (3 ± 0.05 → 2.95, 2.96 … 3.05) as long as that stays a short
    list; else only the answer itself.
    """
    value = Decimal(repr(float(answer)))
    tol = Decimal(repr(float(tolerance or 0)))
    places = max(_decimals(value), _decimals(tol), 0)
    step = Decimal(1).scaleb(-places)
    count = int(tol / step) if tol > 0 else 0
    if count > MAX_GRID:
        count = 0
    return [value + step * i for i in range(-count, count + 1)], places


def _decimals(number: Decimal) -> int:
    """How many decimals `number` has after normalising (negative for 1E+2)."""
    exponent = number.normalize().as_tuple().exponent
    if not isinstance(exponent, int):  # 'n', 'N' or 'F': the schema refuses NaN and infinity
        raise ValueError(f"not a finite number: {number}")
    return -exponent


def numeric_answers(answer: float, tolerance: float | None = None) -> list[str]:
    """Every spelling of every number of `numeric_grid` (decimal point and Dutch comma)."""
    values, places = numeric_grid(answer, tolerance)
    return list(dict.fromkeys(s for v in values for s in _spellings(v, places)))


def cartridge_problems(unit: Unit) -> list[Problem]:
    """What the CC 1.1 profile cannot hold of this quiz: errors (a question the profile forbids)
    and warnings (something lost on the way), each at the line of the quiz file."""
    quiz = unit.quiz
    if quiz is None:
        return []
    problems: list[Problem] = []

    def at(*loc: object) -> int | None:
        return node_line(unit.doc, loc)[0]

    for i, q in enumerate(quiz.questions):
        if q.qti_profile is None:
            problems.append(Problem(
                unit.source, at("questions", i, "type") or at("questions", i),
                f"question '{q.id}': a {q.type} question cannot go into a Common Cartridge: "
                f"{q.qti_refusal}",
                "leave `imscc` out of the formats for this module, or use another question type"))
            continue
        if _checkbox_single(q):
            problems.append(Problem(
                unit.source, at("questions", i, "choices"),
                f"question '{q.id}': a Common Cartridge holds a single-choice question only with "
                f"{MIN_SINGLE_CHOICES} or more choices (cc.multiple_choice); this one goes in as "
                "check boxes (cc.multiple_response) that are right only with its one correct "
                "choice ticked",
                "add a choice to keep radio buttons in the LMS, or make it `type: true-false` "
                "if it is a yes/no question", severity="warning"))
        if weighting(q.points) != q.points:
            problems.append(Problem(
                unit.source, at("questions", i, "points") or at("questions", i),
                f"question '{q.id}': {q.points:g} points becomes a weight of "
                f"{weighting(q.points)} in a Common Cartridge (whole numbers 1 to 99 only)",
                "use whole points to keep the same weights in every format",
                severity="warning"))
        if isinstance(q, NumericQuestion) and q.tolerance:
            values, places = numeric_grid(float(q.answer or 0), q.tolerance)
            first, last = _spellings(values[0], 0)[0], _spellings(values[-1], 0)[0]
            shown = (f"the numbers {first} to {last} in steps of "
                     f"{_spellings(Decimal(1).scaleb(-places), 0)[0]}" if len(values) > 1
                     else f"exactly {first}")
            problems.append(Problem(
                unit.source, at("questions", i, "tolerance"),
                f"question '{q.id}': a Common Cartridge cannot hold a tolerance; the LMS will "
                f"accept only {shown} (with a decimal point or comma)",
                "after import, set the tolerance in the LMS (Moodle: make it a Numerical "
                "question; Canvas: a Numerical Answer), or drop `tolerance`",
                severity="warning"))
    return problems


def _checkbox_single(q: Question) -> bool:
    """A single-choice question with too few choices for cc.multiple_choice: it goes into the
    cartridge as cc.multiple_response, scored right only with exactly its correct choice."""
    return isinstance(q, SingleQuestion) and len(q.choices) < MIN_SINGLE_CHOICES


def qti_profile(q: Question) -> str:
    """The CC profile type the question is written as."""
    return MULTIPLE_RESPONSE if _checkbox_single(q) else q.qti_profile or ""


class _Builder:
    """Builds one assessment document."""

    def __init__(self, unit: Unit, ident: str, language: str, md: MarkdownRenderer) -> None:
        self.unit = unit
        self.ident = ident
        self.md = md
        self.ctx = Context(base=unit.source.parent, language=language)
        self.table = strings(language)

    def el(self, parent: etree._Element, name: str, text: str | None = None,
           **attrib: str) -> etree._Element:
        node = etree.SubElement(parent, f"{{{QTI_NS}}}{name}", attrib)
        if text is not None:
            node.text = text
        return node

    def material(self, parent: etree._Element, html: str) -> None:
        material = self.el(parent, "material")
        self.el(material, "mattext", html, texttype="text/html")

    def inline(self, text: str) -> str:
        return self.md.render_inline(text, self.ctx)

    def fields(self, parent: etree._Element, pairs: list[tuple[str, str]]) -> None:
        meta = self.el(parent, "qtimetadata")
        for label, entry in pairs:
            field = self.el(meta, "qtimetadatafield")
            self.el(field, "fieldlabel", label)
            self.el(field, "fieldentry", entry)

    def document(self) -> etree._Element:
        quiz = self.unit.quiz
        assert quiz is not None
        root = etree.Element(f"{{{QTI_NS}}}questestinterop", nsmap={None: QTI_NS, "xsi": XSI_NS})
        root.set(f"{{{XSI_NS}}}schemaLocation", QTI_LOCATION)
        assessment = self.el(root, "assessment", ident=self.ident, title=quiz.title)
        self.fields(assessment, [
            ("cc_profile", "cc.exam.v0p1"),
            ("qmd_assessmenttype", "Examination"),
            ("qmd_scoretype", "Percentage"),
            ("qmd_feedbackpermitted", "Yes"),
            ("cc_maxattempts", "unlimited"),  # a knowledge check is formative
        ])
        if quiz.intro:
            flow = self.el(self.el(assessment, "presentation_material"), "flow_mat")
            self.material(flow, self.md.render(quiz.intro, self.ctx))
        section = self.el(assessment, "section", ident=f"{self.ident}-section")
        for question in quiz.questions:
            self.item(section, question)
        return root

    def item(self, section: etree._Element, q: Question) -> None:
        item = self.el(section, "item", ident=f"{self.ident}-{q.id}", title=q.id)
        meta = self.el(item, "itemmetadata")
        self.fields(meta, [("cc_profile", qti_profile(q)),
                           ("cc_weighting", str(weighting(q.points)))])
        presentation = self.el(item, "presentation")
        self.material(presentation, self.inline(q.prompt))
        feedback = list(self.presentation(presentation, q))
        processing = self.el(item, "resprocessing")
        outcomes = self.el(processing, "outcomes")
        self.el(outcomes, "decvar", varname="SCORE", vartype="Decimal", minvalue="0",
                maxvalue="100")
        if q.feedback:
            self.condition(processing, [("other", None)], None, GENERAL_FEEDBACK, "Yes")
        for ident, _html in feedback:
            self.condition(processing, [("varequal", ident)], None, f"{ident}_fb", "Yes")
        self.scoring(processing, q)
        if q.feedback:
            self.feedback(item, GENERAL_FEEDBACK, self.inline(q.feedback))
        for ident, html in feedback:
            self.feedback(item, f"{ident}_fb", html)

    def presentation(self, parent: etree._Element, q: Question) -> Iterator[tuple[str, str]]:
        """The response part; yields (choice ident, feedback HTML) for choices with feedback."""
        if isinstance(q, TextQuestion | NumericQuestion):
            response = self.el(parent, "response_str", ident=RESPONSE, rcardinality="Single")
            fib = self.el(response, "render_fib",
                          fibtype="Decimal" if isinstance(q, NumericQuestion) else "String")
            self.el(fib, "response_label", ident="answer1")
            return
        cardinality = "Multiple" if qti_profile(q) == MULTIPLE_RESPONSE else "Single"
        response = self.el(parent, "response_lid", ident=RESPONSE, rcardinality=cardinality)
        choice = self.el(response, "render_choice", shuffle="No")
        for ident, html, feedback in self.choices(q):
            label = self.el(choice, "response_label", ident=ident)
            self.material(label, html)
            if feedback:
                yield ident, feedback

    def choices(self, q: Question) -> list[tuple[str, str, str]]:
        """(ident, text HTML, feedback HTML) per choice; true-false idents are `true`/`false`."""
        if not isinstance(q, ChoiceQuestion):  # true-false
            return [("true", self.table["true"], ""), ("false", self.table["false"], "")]
        return [(f"c{i}", self.inline(c.text), self.inline(c.feedback) if c.feedback else "")
                for i, c in enumerate(q.choices)]

    def scoring(self, processing: etree._Element, q: Question) -> None:
        if isinstance(q, TrueFalseQuestion):
            self.condition(processing, [("varequal", "true" if q.answer else "false")], "100")
        elif isinstance(q, SingleQuestion) and not _checkbox_single(q):
            self.condition(processing, [("varequal", f"c{q.correct_indices[0]}")], "100")
        elif isinstance(q, MultipleQuestion | SingleQuestion):
            parts: list[Test] = [("varequal" if c.correct else "not", f"c{i}")
                                 for i, c in enumerate(q.choices)]
            self.condition(processing, [("and", parts)], "100")
        elif isinstance(q, NumericQuestion | TextQuestion):
            answers = (numeric_answers(float(q.answer or 0), q.tolerance)
                       if isinstance(q, NumericQuestion)
                       else [a.strip() for a in q.answers or [] if a.strip()])
            self.condition(processing, [("varequal", a) for a in answers], "100")

    def condition(self, processing: etree._Element, tests: list[Test],
                  score: str | None, feedback: str | None = None, go_on: str = "No") -> None:
        cond = self.el(processing, "respcondition", **{"continue": go_on})
        self.tests(self.el(cond, "conditionvar"), tests)
        if score is not None:
            self.el(cond, "setvar", score, varname="SCORE", action="Set")
        if feedback is not None:
            self.el(cond, "displayfeedback", feedbacktype="Response", linkrefid=feedback)

    def tests(self, parent: etree._Element, tests: list[Test]) -> None:
        for kind, value in tests:
            if kind == "other":
                self.el(parent, "other")
            elif kind == "and":
                assert isinstance(value, list)
                self.tests(self.el(parent, "and"), value)
            elif kind == "not":
                self.el(self.el(parent, "not"), "varequal", str(value), respident=RESPONSE)
            else:
                self.el(parent, "varequal", str(value), respident=RESPONSE, case="No")

    def feedback(self, item: etree._Element, ident: str, html: str) -> None:
        block = self.el(item, "itemfeedback", ident=ident)
        self.material(self.el(block, "flow_mat"), html)


def assessment_xml(unit: Unit, ident: str, language: str,
                   md: MarkdownRenderer | None = None) -> bytes:
    """The QTI document of one quiz unit (deterministic for the same quiz)."""
    root = _Builder(unit, ident, language, md or renderer()).document()
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
