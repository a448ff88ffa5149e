"""The question-type registry: fields, checks, grading, SCORM formats, and grade_quiz."""

from __future__ import annotations

import math
import shutil
import typing
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.export.imscc_qti import cartridge_problems
from lcmodules.load.loader import load_paths
from lcmodules.load.yamlsrc import check_model
from lcmodules.model import Quiz
from lcmodules.questions.grading import QuestionResult, QuizResult, grade_quiz
from lcmodules.questions.numbers import parse_number
from lcmodules.questions.registry import TYPES, QuestionType
from lcmodules.validate.rules import validate_courses
from tests.questions_table import QUIZ_YAML, RESPONSES, concrete

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


def quiz_of(text: str = QUIZ_YAML) -> Quiz:
    diag = Diagnostics()
    quiz = check_model(Quiz, YAML(typ="rt").load(text), Path("q.quiz.yml"), diag)
    assert quiz is not None, [p.format() for p in diag.problems]
    return quiz


def test_the_type_names_are_the_registry():
    assert typing.get_args(QuestionType) == tuple(TYPES)
    for name, cls in TYPES.items():
        assert cls.model_fields["type"].annotation == typing.Literal[name]


@pytest.mark.parametrize("raw,value", [
    ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1,5", 1.5), ("+5", 5), ("2.5e1", 25),
    (" 230 ", 230), ("\u22123", -3), (".5", 0.5), ("5.", 5), ("abc", None), ("", None),
    ("1,2,3", None), ("1e400", None), ("nan", None), ("inf", None), ("٣", None), (None, None),
    (5, None),
])
def test_one_number_reading(raw, value):
    assert parse_number(raw) == value


def test_grading_table_points_follow_correctness():
    quiz = quiz_of()
    by_id = {q.id: q for q in quiz.questions}
    verdicts = {}
    for qid, response in RESPONSES:
        q = by_id[qid]
        points, correct = q.grade(concrete(q, response))
        assert points == (q.points if correct else 0)
        verdicts[(qid, repr(response))] = correct
    right = {k for k, v in verdicts.items() if v}
    assert right == {
        ("keuze", "1"), ("meer", "[0, 2]"), ("meer", "[2, 0]"), ("waar", "False"),
        ("getal", "'1.234,5'"), ("getal", "'1,234.5'"), ("getal", "'1234,9'"),
        ("getal", "'1234.0'"), ("getal", "' 1234.5 '"),
        ("klein", "'1,5'"), ("klein", "'1.5'"), ("klein", "'15e-1'"), ("klein", "'1,50'"),
        ("klein", "'1 , 5'"), ("plus", "'+25'"), ("plus", "'2.5e1'"), ("plus", "'2,5E1'"),
        ("plus", "' 25 '"), ("plus", "'2 5'"), ("woord", "'random forest'"),
        ("woord", "'  Random   Forest '"), ("woord", "'randomforest'"),
        ("woord", "'random-forest'"), ("volgorde", "'CORRECT'"),
    }


def test_ordering_is_shown_shuffled_the_same_way_every_time():
    quiz = quiz_of()
    q = next(q for q in quiz.questions if q.type == "ordering")
    shown = q.shown()  # type: ignore[attr-defined]
    assert sorted(shown) == [0, 1, 2, 3] and shown != [0, 1, 2, 3]
    assert quiz_of().questions[-1].shown() == shown  # type: ignore[attr-defined]
    order = q.expected()["order"]
    assert [shown[d] for d in order] == [0, 1, 2, 3]  # the shown items, put right


def test_scorm_formats_per_type():
    by_id = {q.id: q for q in quiz_of().questions}
    assert by_id["meer"].scorm_response([2, 0], "2004") == "0[,]2"
    assert by_id["meer"].scorm_response([2, 0], "1.2") == "0,2"
    assert by_id["meer"].scorm_patterns("2004") == ["0[,]2"]
    assert by_id["waar"].scorm_response(True, "1.2") == "t"
    assert by_id["waar"].scorm_patterns("2004") == ["false"]
    assert by_id["getal"].scorm_response("1.234,5", "2004") == "1234.5"
    assert by_id["plus"].scorm_response("2.5e1", "1.2") == "25"
    assert by_id["getal"].scorm_response("abc", "2004") is None
    assert by_id["getal"].scorm_patterns("2004") == ["1234[:]1235"]
    assert by_id["woord"].scorm_patterns("2004") == ["random forest", "Random-Forest"]
    assert by_id["woord"].scorm_patterns("1.2") == ["random forest"]
    order = by_id["volgorde"].expected()["order"]
    assert by_id["volgorde"].scorm_patterns("2004") == ["[,]".join(map(str, order))]
    assert {q.scorm_type for q in by_id.values()} == {"choice", "true-false", "numeric",
                                                      "fill-in", "sequencing"}


def test_grade_quiz_takes_any_answers_and_never_raises():
    quiz = quiz_of()
    right = {q.id: concrete(q, r) for q in quiz.questions
             for r in ["CORRECT"] if q.type == "ordering"}
    answers = {"keuze": 1, "meer": [0, 2], "waar": False, "getal": "1.234,5", "klein": "x",
               "plus": {"bad": "shape"}, "nobody": 3, **right}
    result = grade_quiz(quiz, answers, "alles")
    assert isinstance(result, QuizResult)
    assert all(isinstance(q, QuestionResult) for q in result.questions)
    assert (result.points, result.max_points) == (1 + 2 + 1 + 1 + 3, 11)
    assert result.scaled == round(8 / 11, 4) and result.passed
    plus = next(q for q in result.questions if q.id == "plus")
    assert (plus.correct, plus.response) == (False, None)
    woord = next(q for q in result.questions if q.id == "woord")
    assert (woord.correct, woord.response) == (False, None)  # missing: no answer
    data = result.to_json()
    assert set(data) == {"quiz", "points", "maxPoints", "scaled", "passed", "questions"}
    assert data["quiz"] == "alles" and data["maxPoints"] == 11
    assert all("expected" not in q for q in data["questions"])
    assert set(data["questions"][0]) == {"id", "type", "points", "maxPoints", "correct", "response"}
    assert grade_quiz(quiz, None).points == 0  # type: ignore[arg-type]
    assert not grade_quiz(quiz, {}).passed


def problems(tmp_path: Path, quiz: str) -> list[str]:
    dest = tmp_path / "m"
    shutil.copytree(MINIMAL, dest)
    (dest / "toets.quiz.yml").write_text(quiz, encoding="utf-8")
    diag = Diagnostics()
    validate_courses(load_paths([dest], diag), diag)
    return [p.format() for p in diag.problems]


def quiz_with(question: str, head: str = "title: T\n") -> str:
    return head + "questions:\n" + question


CONTENT_CASES = [
    ("empty choice", "  - id: q\n    type: single\n    prompt: P\n    choices:\n"
     "      - text: '   '\n      - text: B\n        correct: true\n", 7,
     "error", "choice 1 is empty"),
    ("identical choices", "  - id: q\n    type: multiple\n    prompt: P\n    choices:\n"
     "      - text: Recall\n        correct: true\n      - text: ' recall'\n", 9,
     "error", "choices 1 and 2 have the same text"),
    ("no correct choice", "  - id: q\n    type: single\n    prompt: P\n    choices:\n"
     "      - text: A\n      - text: B\n", 6, "error", "no choice is marked correct"),
    ("every choice correct", "  - id: q\n    type: multiple\n    prompt: P\n    choices:\n"
     "      - text: A\n        correct: true\n      - text: B\n        correct: true\n", 6,
     "warning", "every choice is marked correct"),
    ("ordering with one item", "  - id: q\n    type: ordering\n    prompt: P\n    items: [a]\n",
     6, "error", "at least two `items`"),
    ("ordering with the same item twice", "  - id: q\n    type: ordering\n    prompt: P\n"
     "    items: [a, b, A]\n", 6, "error", "items 1 and 3 have the same text"),
]


@pytest.mark.parametrize("name,question,line,severity,fragment", CONTENT_CASES,
                         ids=[c[0] for c in CONTENT_CASES])
def test_content_checks(tmp_path, name, question, line, severity, fragment):
    found = [p for p in problems(tmp_path, quiz_with(question)) if fragment in p]
    assert len(found) == 1, problems(tmp_path, quiz_with(question))
    assert f"toets.quiz.yml:{line}:" in found[0]
    assert ("warning:" in found[0]) == (severity == "warning")


def test_mastery_score_zero_is_a_warning(tmp_path):
    quiz = quiz_with("  - id: q\n    type: true-false\n    prompt: P\n    answer: true\n",
                     "title: T\nmastery_score: 0\n")
    found = problems(tmp_path, quiz)
    assert len(found) == 1 and "toets.quiz.yml:2:" in found[0] and "warning:" in found[0]
    assert "everyone passes" in found[0]


@pytest.mark.parametrize("field,value", [("answer", ".nan"), ("tolerance", ".inf"),
                                          ("points", "-.inf")])
def test_numbers_are_finite(tmp_path, field, value):
    base = {"answer": "3", "tolerance": "1", "points": "1"} | {field: value}
    quiz = quiz_with(f"  - id: q\n    type: numeric\n    prompt: P\n    answer: {base['answer']}\n"
                     f"    tolerance: {base['tolerance']}\n    points: {base['points']}\n")
    found = problems(tmp_path, quiz)
    assert len(found) == 1, found
    assert f"'questions[0].{field}' should be a finite number" in found[0]


def test_a_wrong_field_for_the_type_names_the_type_fields(tmp_path):
    quiz = quiz_with("  - id: q\n    type: true-false\n    prompt: P\n    answer: true\n"
                     "    choices: [{text: a}]\n")
    found = problems(tmp_path, quiz)
    assert len(found) == 1 and "toets.quiz.yml:7:" in found[0], found
    assert "unknown field 'questions[0].choices'" in found[0] and "answer" in found[0]


def test_ordering_is_refused_for_cartridges_at_its_line(tmp_path):
    dest = tmp_path / "m"
    shutil.copytree(MINIMAL, dest)
    (dest / "toets.quiz.yml").write_text(QUIZ_YAML, encoding="utf-8")
    diag = Diagnostics()
    course = load_paths([dest], diag)[0]
    unit = course.modules[0].quizzes[0]
    refused = [p for p in cartridge_problems(unit) if p.severity == "error"]
    assert len(refused) == 1
    assert refused[0].line == QUIZ_YAML.splitlines().index("    type: ordering") + 1
    assert "no ordering question type" in refused[0].message


def test_scaled_matches_the_browser_rounding():
    quiz = quiz_of(quiz_with("".join(
        f"  - id: q{i}\n    type: true-false\n    prompt: P\n    answer: true\n"
        for i in range(3)), "title: T\nmastery_score: 0.6667\n"))
    result = grade_quiz(quiz, {"q0": True, "q1": True})
    assert result.scaled == 0.6667 and result.passed and math.isclose(result.points, 2)


def test_html_in_quiz_texts_follows_the_page_policy(tmp_path):
    quiz = quiz_with("  - id: q\n    type: single\n    prompt: 'Pick <script>alert(1)</script>'\n"
                     "    feedback: '[more](javascript:alert(1))'\n    choices:\n"
                     "      - text: A\n        correct: true\n      - text: B\n"
                     "      - text: '<img src=\"x.png\" alt=\"x\" onerror=\"alert(1)\">'\n",
                     "title: T\nintro: '<iframe src=\"https://evil.example/\" title=\"t\"></iframe>'\n")
    found = problems(tmp_path, quiz)
    at = {line: " ".join(p for p in found if f"toets.quiz.yml:{line}:" in p)
          for line in (2, 6, 12)}
    assert len(found) == 3, found  # the javascript: link is no link to markdown-it: plain text
    assert "evil.example" in at[2] and "script" in at[6] and "onerror" in at[12]


def test_html_in_quiz_texts_is_made_inert_in_the_page(tmp_path):
    from lcmodules.render.site import SiteOptions, render_site

    dest = tmp_path / "m"
    shutil.copytree(MINIMAL, dest)
    (dest / "toets.quiz.yml").write_text(quiz_with(
        "  - id: q\n    type: single\n    prompt: 'Pick <script>alert(1)</script> <b>one</b>'\n"
        "    choices:\n      - text: A\n        correct: true\n      - text: B\n"
        "      - text: '<img src=\"x.png\" alt=\"x\" onerror=\"alert(2)\">'\n"), encoding="utf-8")
    module = load_paths([dest], Diagnostics())[0].modules[0]
    page = render_site(module, SiteOptions()).files["index.html"]
    assert isinstance(page, bytes)
    assert b"<b>one</b>" in page and b"alert(1)</script>" not in page and b"onerror" not in page


def test_every_type_has_its_template_and_strings():
    from lcmodules.render.i18n import MESSAGES

    templates = Path(__file__).parents[1] / "lcmodules" / "render" / "templates"
    quiz = quiz_of()
    assert {q.type for q in quiz.questions} == set(TYPES)  # the shared table covers every type
    for q in quiz.questions:
        assert (templates / q.template).is_file(), q.template
        missing = [k for k in q.string_keys if k not in MESSAGES]
        assert missing == [], (q.type, missing)
        assert (q.qti_profile is None) == bool(q.qti_refusal), q.type


def test_the_json_schema_knows_every_type_and_only_those():
    import jsonschema

    schema = Quiz.model_json_schema()
    data = YAML(typ="safe").load(QUIZ_YAML)
    jsonschema.validate(data, schema)
    data["questions"][0]["type"] = "singel"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
