"""`import-book` turns jupyterquiz and teachbooks-questions questions into knowledge checks that
validate, build into SCORM and Common Cartridge packages and pass `inspect`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import yaml

from lcmodules.importbook.quizzes import Unconvertible, from_jupyterquiz, significant_tolerance
from tests.conftest import SCHEMAS, run_cli

BOOK = Path(__file__).parent / "fixtures" / "books" / "quizbook"
PONDS = "ponds-through-the-year"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("quizbook") / "course"
    proc = run_cli("import-book", BOOK, "--out", out, check=0)
    return out, proc.stderr + proc.stdout


def quiz(course: Path, name: str) -> dict:
    return yaml.safe_load((course / "modules" / PONDS / name).read_text(encoding="utf-8"))


def test_quizzes_follow_the_page_that_held_them(course: tuple[Path, str]) -> None:
    meta = yaml.safe_load((course[0] / "modules" / PONDS / "module.yml").read_text())
    assert meta["contents"] == ["index.md", "index.quiz.yml", "oxygen.ipynb", "oxygen.quiz.yml"]
    intro = yaml.safe_load((course[0] / "modules" / "life-in-a-pond" / "module.yml").read_text())
    assert intro["contents"] == ["intro.md"]  # no questions, no quiz


def test_teachbooks_directives_become_questions(course: tuple[Path, str]) -> None:
    check = quiz(course[0], "index.quiz.yml")
    assert check["title"] == "Knowledge check: Ponds through the year"
    ice, life, densest, gas = check["questions"]
    assert ice["id"] == "ice-floats" and ice["type"] == "single"
    assert ice["prompt"] == "Why does ice form on *top* of the pond?"
    assert [c.get("correct", False) for c in ice["choices"]] == [False, True, False]
    assert ice["choices"][1]["feedback"] == "Right: it floats."
    assert life["type"] == "multiple" and life["feedback"] == "Well spotted."
    assert [c["text"] for c in life["choices"] if c.get("correct")] == [
        "Water fleas", "Dragonfly larvae"]
    assert (densest["type"], densest["answer"], densest["tolerance"]) == ("numeric", 4, 0.1)
    assert (gas["type"], gas["answers"]) == ("text", ["oxygen", "O2"])
    page = (course[0] / "modules" / PONDS / "index.md").read_text(encoding="utf-8")
    assert page.count("This question is in the knowledge check after this page.") == 4
    assert "[x] Ice is less dense" not in page  # the answers no longer show on the page
    assert page.count("{question}") == 2  # the two that did not convert stay as written


def test_jupyterquiz_list_json_file_and_element(course: tuple[Path, str]) -> None:
    questions = quiz(course[0], "oxygen.quiz.yml")["questions"]
    assert [q["type"] for q in questions] == [
        "numeric", "multiple", "text", "numeric", "numeric", "single"]
    mg, sources, symbol, trout, legs, deeper = questions
    assert (mg["answer"], mg["tolerance"], mg["feedback"]) == (11.3, 0.5, "About 11 mg/l.")
    assert [c.get("correct", False) for c in sources["choices"]] == [True, True, False]
    assert sources["choices"][2]["feedback"] == "Fish use oxygen."
    assert symbol["answers"] == ["O", "O2"]
    assert (trout["answer"], trout["tolerance"]) == (13, 3)  # the range 10..16
    assert legs["answer"] == 6 and "tolerance" not in legs  # from questions.json
    assert deeper["prompt"] == "Is a pond deeper than a lake?"  # from the hidden <span>
    assert len(deeper["choices"]) == 2  # two options stay one single-choice question
    nb = json.loads((course[0] / "modules" / PONDS / "oxygen.ipynb").read_text())
    assert sum("display_quiz(" in "".join(c["source"]) for c in nb["cells"]) == 5  # cells stay


def test_report_says_what_was_not_converted_and_why(course: tuple[Path, str]) -> None:
    report = (course[0] / "import-report.md").read_text(encoding="utf-8")
    for expected in (
        "ponds/index.md:52: a teachbooks question was not converted: the math input `M[…]`",
        "ponds/index.md:61: a teachbooks question was not converted: a question of type "
        "'no-input'",
        "ponds/oxygen.ipynb:65: cell 4: jupyterquiz question 2 was not converted: a "
        "multiple_choice question with 2 correct answers",
        "ponds/oxygen.ipynb:93: cell 7: a jupyterquiz quiz was not converted: its questions "
        "are at 'https://example.org/pond-quiz.json'",
        "ponds/oxygen.ipynb:103: cell 8: a jupyterquiz quiz was not converted: its questions "
        "are computed by code",
    ):
        assert expected in report, expected
    assert "became a `multiple` question" not in report  # 2 options stay a single choice


def test_converted_quizzes_validate_build_and_pass_inspect(course: tuple[Path, str],
                                                           tmp_path: Path) -> None:
    out = tmp_path / "dist"
    run_cli("validate", course[0], check=0)
    run_cli("build", "-f", "scorm2004", "-f", "imscc", "--out", out, cwd=course[0], check=0)
    package = out / f"{PONDS}-1.0.0-scorm2004.zip"
    cartridge = out / f"{PONDS}-1.0.0-imscc.imscc"
    for artifact in (package, cartridge):
        run_cli("inspect", "--schemas", SCHEMAS, artifact, check=0)
    with zipfile.ZipFile(package) as zf:
        page = zf.read("index.html").decode("utf-8")
    assert 'data-lc-quiz="oxygen"' in page and 'data-lc-quiz="index"' in page
    with zipfile.ZipFile(cartridge) as zf:
        qti = "".join(zf.read(n).decode("utf-8") for n in zf.namelist()
                      if n.endswith(".xml") and "imsmanifest" not in n)
    assert "How many legs does an adult water boatman have?" in qti
    assert "Why does ice form on" in qti


@pytest.mark.parametrize(("value", "digits", "tolerance"), [
    (11.3, 2, 0.5), (0.0042, 2, 0.00005), (1234, 3, 5), (7, 0, 0.0), (0, 3, 0.0)])
def test_significant_digits_become_a_tolerance(value: float, digits: int,
                                               tolerance: float) -> None:
    assert significant_tolerance(value, digits) == pytest.approx(tolerance)


@pytest.mark.parametrize(("question", "why"), [
    ({"question": "Q", "type": "numeric", "answers": []}, "0 correct numeric answers"),
    ({"question": "Q", "type": "many_choice",
      "answers": [{"answer": "a"}, {"answer": "b"}]}, "no answer is marked correct"),
    ({"question": "Q", "type": "slider", "answers": []}, "'slider'"),
    ({"question": "Q", "type": "string", "code": "x = 1\ny = 2",
      "answers": [{"answer": "3", "correct": True}]}, "`code` spans lines"),
    ({"question": "```\nblock\n```", "type": "string", "answers": []}, "holds a block"),
])
def test_unconvertible_jupyterquiz_questions_say_why(question: dict, why: str) -> None:
    with pytest.raises(Unconvertible, match=None) as caught:
        from_jupyterquiz(question)
    assert why in str(caught.value)
