"""Rules for knowledge checks: unique ids, sane scores, and each question type's own checks."""

from __future__ import annotations

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import LcSettings, Module, Unit

# the pages' HTML and URL policy, for a text at one line (as a notebook cell's)
from lcmodules.validate.safety_rules import check_text as check_text_at_line


def check_quizzes(module: Module, diag: Diagnostics) -> None:
    for unit in module.quizzes:
        if unit.quiz is not None:
            check_quiz(unit, module.config.lcmodules, diag)


def check_quiz(unit: Unit, settings: LcSettings, diag: Diagnostics) -> None:
    """The quiz's own rules, every question's checks (lcmodules/questions/), and its texts
    under the pages' HTML policy."""
    quiz = unit.quiz
    assert quiz is not None

    def at(*loc: object) -> tuple[int | None, int | None]:
        return node_line(unit.doc, loc)

    if quiz.intro:
        check_text_at_line(unit.source, quiz.intro, at("intro")[0], "", settings, diag, cell=True)
    if not 0 <= quiz.mastery_score <= 1:
        line, col = at("mastery_score")
        diag.error(unit.source, line, f"mastery_score {quiz.mastery_score:g} is outside 0..1",
                   "write the fraction of points needed to pass, e.g. 0.7 for 70 %", col)
    elif quiz.mastery_score == 0:
        line, col = at("mastery_score")
        diag.warning(unit.source, line, "mastery_score is 0: everyone passes, even with no "
                     "answer right", "write the fraction of points needed to pass, e.g. 0.7", col)
    seen: dict[str, int] = {}
    for i, q in enumerate(quiz.questions):
        if q.id in seen:
            line, col = at("questions", i, "id")
            diag.error(unit.source, line,
                       f"question id '{q.id}' is used twice (first as question {seen[q.id] + 1})",
                       "give every question its own id", col)
        seen.setdefault(q.id, i)
        for check in q.checks():
            line, col = at("questions", i, *check.loc)
            report = diag.error if check.severity == "error" else diag.warning
            report(unit.source, line, f"question '{q.id}': {check.message}", check.hint, col)
        for loc, text in q.texts():
            check_text_at_line(unit.source, text, at("questions", i, *loc)[0],
                               f"question '{q.id}': ", settings, diag, cell=True)
