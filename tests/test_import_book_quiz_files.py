"""jupyterquiz questions a notebook reads from JSON files (`q = json.load(open("01.json"))`, then
`display_quiz(q[i])` in later cells) become knowledge-check questions with ids that stay the same
on every import; what cannot be read without running code or downloading is noted."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
import yaml

from tests.conftest import run_cli

# jupyterquiz's documented shapes (its README: multiple_choice, many_choice, numeric, string)
FIRST = [
    {"question": "Which keyword defines a function?", "type": "multiple_choice",
     "answers": [{"answer": "def", "correct": True, "feedback": "Yes."},
                 {"answer": "func", "correct": False},
                 {"answer": "lambda", "correct": False}]},
    {"question": "Which of these are numbers types?", "type": "many_choice",
     "answers": [{"answer": "int", "correct": True}, {"answer": "float", "correct": True},
                 {"answer": "str", "correct": False}]},
    {"question": "What is 7 // 2?", "type": "numeric",
     "answers": [{"type": "value", "value": 3, "correct": True}]},
]
SECOND = [{"question": "Name the built-in that gives a length.", "type": "string",
           "answers": [{"answer": "len", "correct": True}]}]
BY_TOPIC = {"loops": [{"question": "Which loop runs a known number of times?",
                       "type": "multiple_choice",
                       "answers": [{"answer": "for", "correct": True},
                                   {"answer": "while", "correct": False},
                                   {"answer": "until", "correct": False}]}]}


def make_book(root: Path) -> Path:
    book = root / "book"
    (book / "basics" / "quiz").mkdir(parents=True)
    (book / "_toc.yml").write_text("format: jb-book\nroot: basics/index\n", encoding="utf-8")
    (book / "basics" / "quiz" / "01.json").write_text(json.dumps(FIRST), encoding="utf-8")
    (book / "basics" / "quiz" / "02.json").write_text(json.dumps(SECOND), encoding="utf-8")
    (book / "basics" / "quiz" / "topics.json").write_text(json.dumps(BY_TOPIC), encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Basics"),
        code('import json\nfrom jupyterquiz import display_quiz\n'
             'questions = json.load(open("quiz/01.json"))'),
        code("display_quiz(questions[0])"),
        code("display_quiz(questions[1:3])"),
        code('with open("quiz/02.json") as f:\n    more = json.load(f)\ndisplay_quiz(more)'),
        code('display_quiz("https://example.org/quiz/03.json")'),
        code("i = len(questions) - 1\ndisplay_quiz(questions[i])"),
        code('topics = json.loads(Path("quiz/topics.json").read_text())\n'
             'display_quiz(topics["loops"])'),
    ]
    nbformat.write(nb, book / "basics" / "index.ipynb")
    return book


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("quizfiles")
    book = make_book(root)
    out = root / "course"
    run_cli("import-book", book, "--out", out, check=0)
    return book, out


def test_questions_from_json_files_become_a_knowledge_check(imported: tuple[Path, Path]) -> None:
    _, course = imported
    module = course / "modules" / "basics"
    meta = yaml.safe_load((module / "module.yml").read_text(encoding="utf-8"))
    assert meta["contents"] == ["index.ipynb", "index.quiz.yml"]
    quiz = yaml.safe_load((module / "index.quiz.yml").read_text(encoding="utf-8"))
    questions = quiz["questions"]
    assert [(q["id"], q["type"]) for q in questions] == [
        ("01-1", "single"), ("01-2", "multiple"), ("01-3", "numeric"), ("02-1", "text"),
        ("topics-loops-1", "single")]
    assert questions[0]["choices"][0] == {"text": "def", "correct": True, "feedback": "Yes."}
    assert questions[2]["answer"] == 3 and questions[3]["answers"] == ["len"]
    found = json.loads(run_cli("validate", course, "--json").stdout)
    assert found["errors"] == 0, found["problems"]


def test_what_cannot_be_read_is_noted_at_its_cell(imported: tuple[Path, Path]) -> None:
    _, course = imported
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert "cell 6: a jupyterquiz quiz was not converted: its questions are at " \
        "'https://example.org/quiz/03.json', which the import does not download" in report
    assert "cell 7: a jupyterquiz quiz was not converted: it picks its questions by a " \
        "computed index" in report


def test_ids_are_stable_on_every_import(imported: tuple[Path, Path], tmp_path: Path) -> None:
    book, course = imported
    again = tmp_path / "again"
    run_cli("import-book", book, "--out", again, check=0)
    name = Path("modules") / "basics" / "index.quiz.yml"
    assert (again / name).read_bytes() == (course / name).read_bytes()
