"""Every validation rule, each with a bad input of its own, through the real command line."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tests.conftest import run_cli

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"


@pytest.fixture()
def module(tmp_path: Path) -> Path:
    dest = tmp_path / "minimal"
    shutil.copytree(MINIMAL, dest)
    return dest


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_notebook(path: Path, change: Callable[[nbformat.NotebookNode], None]) -> None:
    nb = nbformat.read(path, as_version=4)
    change(nb)
    nbformat.write(nb, path)


def line_of(path: Path, needle: str) -> int:
    """The 1-based line holding `needle` (the last such line with a `LAST:` prefix)."""
    lines = list(enumerate(path.read_text(encoding="utf-8").splitlines(), 1))
    if needle.startswith("LAST:"):
        needle, lines = needle.removeprefix("LAST:"), lines[::-1]
    for number, line in lines:
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# (name, mutation, file, the text on the line the problem must point at, message fragment)
CASES: list[tuple[str, Callable[[Path], None], str, str | None, str]] = [
    ("malformed YAML", lambda m: replace(m / "module.yml", "title: Minimale module",
                                         "title: [Minimale module"), "module.yml", None,
     "YAML syntax error"),
    ("unknown field", lambda m: replace(m / "module.yml", "summary:", "sumary:"),
     "module.yml", "sumary:", "did you mean 'summary'"),
    ("missing required field", lambda m: replace(m / "module.yml", "language: nl\n", ""),
     "module.yml", None, "missing required field 'language'"),
    ("non-semver version", lambda m: replace(m / "module.yml", "version: 1.0.0", "version: v1"),
     "module.yml", "version: v1", "not a semantic version"),
    ("version read as a number", lambda m: replace(m / "module.yml", "version: 1.0.0",
                                                   "version: 1.0"),
     "module.yml", "version: 1.0", "'version' should be a semantic version, but it is the number 1.0"),
    ("language not BCP 47", lambda m: replace(m / "module.yml", "language: nl", "language: dutch!"),
     "module.yml", "language: dutch!", "BCP 47"),
    ("missing unit", lambda m: replace(m / "module.yml", "  - toets.quiz.yml",
                                       "  - toets.quiz.yml\n  - extra.md"),
     "module.yml", "- extra.md", "unit 'extra.md' does not exist"),
    ("unit outside the module", lambda m: replace(m / "module.yml", "  - toets.quiz.yml",
                                                  "  - toets.quiz.yml\n  - ../x.md"),
     "module.yml", "- ../x.md", "outside the module folder"),
    ("reference escaping the module", lambda m: replace(m / "case.md", "| a | b |",
                                                        "Zie [dit](../../geheim.md).\n\n| a | b |"),
     "case.md", "[dit](../../geheim.md)", "points outside the module folder"),
    ("include of nothing", lambda m: replace(m / "case.md", "| a | b |",
                                             "```{include} deel.md\n```\n\n| a | b |"),
     "case.md", "{include} deel.md", "'deel.md' does not exist"),
    ("absolute path in a page", lambda m: replace(m / "case.md", "| a | b |",
                                                  "![Oven](/img/oven.svg)\n\n| a | b |"),
     "case.md", "![Oven](/img/oven.svg)", "is an absolute path"),
    ("BEGIN without END in a page", lambda m: replace(m / "case.md", "| a | b |",
                                                      "<!-- BEGIN SOLUTION -->\n\n| a | b |"),
     "case.md", "<!-- BEGIN SOLUTION -->", "never closed"),
    ("empty page", lambda m: (m / "case.md").write_text(""), "case.md", None, "the file is empty"),
    ("non-UTF-8 page", lambda m: (m / "case.md").write_bytes("# Casus\n\nCaf\u00e9\n".encode("latin-1")),
     "case.md", None, "not UTF-8"),
    ("truncated notebook JSON", lambda m: (m / "notebooks/verkennen.ipynb").write_text(
        (m / "notebooks/verkennen.ipynb").read_text()[:200]), "notebooks/verkennen.ipynb", None,
     "not valid JSON"),
    ("nbformat 3 notebook", lambda m: (m / "notebooks/verkennen.ipynb").write_text(json.dumps(
        {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []})),
     "notebooks/verkennen.ipynb", None, "notebook format 3 is not supported"),
    ("notebook failing nbformat.validate", lambda m: replace(
        m / "notebooks/verkennen.ipynb", '"cell_type": "markdown"', '"cell_type": "markdwn"'),
     "notebooks/verkennen.ipynb", None, "not a valid nbformat 4 notebook"),
    ("BEGIN SOLUTION without END in code", lambda m: edit_notebook(
        m / "notebooks/verkennen.ipynb",
        lambda nb: nb.cells[1].__setitem__("source", "### BEGIN SOLUTION\nx = 1")),
     "notebooks/verkennen.ipynb", None, "cell 2, line 1 of its source: '### BEGIN SOLUTION' is never closed"),
    ("END without BEGIN in markdown", lambda m: edit_notebook(
        m / "notebooks/verkennen.ipynb",
        lambda nb: nb.cells[2].__setitem__("source", "Antwoord\n<!-- END SOLUTION -->")),
     "notebooks/verkennen.ipynb", None, "without a '<!-- BEGIN SOLUTION -->'"),
    ("notebook image outside the module", lambda m: edit_notebook(
        m / "notebooks/verkennen.ipynb",
        lambda nb: nb.cells[0].__setitem__("source", "# V\n\n![plaatje](../../../x.png)")),
     "notebooks/verkennen.ipynb", None, "cell 1: '../../../x.png' points outside"),
    ("quiz without a correct answer", lambda m: replace(m / "toets.quiz.yml",
                                                       "        correct: true\n  - id: meer", "  - id: meer"),
     "toets.quiz.yml", "choices:", "no choice is marked correct"),
    ("single choice with two correct", lambda m: replace(m / "toets.quiz.yml", "      - text: Accuracy",
                                                         "      - text: Accuracy\n        correct: true"),
     "toets.quiz.yml", "choices:", "2 choices are marked correct"),
    ("duplicate question id", lambda m: replace(m / "toets.quiz.yml", "id: meer", "id: keuze"),
     "toets.quiz.yml", "LAST:id: keuze", "used twice"),
    ("mastery_score outside 0..1", lambda m: replace(m / "toets.quiz.yml", "mastery_score: 0.5",
                                                     "mastery_score: 70"),
     "toets.quiz.yml", "mastery_score: 70", "outside 0..1"),
    ("points not positive", lambda m: replace(m / "toets.quiz.yml", "    type: true-false",
                                              "    type: true-false\n    points: 0"),
     "toets.quiz.yml", "points: 0", "points must be more than 0"),
    ("numeric without answer", lambda m: replace(m / "toets.quiz.yml", "    answer: 230\n", ""),
     "toets.quiz.yml", "- id: getal", "needs a number as `answer`"),
    ("true-false without answer", lambda m: replace(m / "toets.quiz.yml", "    answer: false\n", ""),
     "toets.quiz.yml", "- id: waar", "needs `answer: true` or `answer: false`"),
    ("text without answers", lambda m: replace(m / "toets.quiz.yml", "    answers: [random forest]\n",
                                               ""),
     "toets.quiz.yml", "- id: woord", "needs `answers`"),
    ("unknown question type", lambda m: replace(m / "toets.quiz.yml", "type: numeric", "type: number"),
     "toets.quiz.yml", "type: number", "'questions[3].type'"),
    ("quiz with a YAML syntax error", lambda m: replace(m / "toets.quiz.yml", "title: Toets",
                                                        "title: Toets\nbroken: ["),
     "toets.quiz.yml", None, "YAML syntax error"),
    ("empty quiz", lambda m: (m / "toets.quiz.yml").write_text("\n"), "toets.quiz.yml", None,
     "the file is empty"),
    ("empty module.yml", lambda m: (m / "module.yml").write_text(""), "module.yml", None,
     "module.yml is empty"),
]


@pytest.mark.parametrize("name,mutate,file,line_text,message", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_with_file_and_line(
    module: Path, name: str, mutate: Callable[[Path], None], file: str, line_text: str | None,
    message: str,
) -> None:
    mutate(module)
    proc = run_cli("validate", module, cwd=module.parent)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if message in ln]
    assert lines, f"no line with {message!r} in:\n{proc.stderr}"
    location = lines[0].split(": ", 1)[0]
    path, _, rest = location.partition(":")
    assert path == f"minimal/{file}", lines[0]
    line = int(rest.split(":")[0])  # every problem names a line
    if line_text is not None:
        assert line == line_of(module / file, line_text), lines[0]
    assert " — " in lines[0], "every message carries a hint"


# SCORM_ONLY: the minimal fixture's quiz (a 2-choice single question, a tolerance) goes into a
# Common Cartridge with two warnings (test_imscc.py); tests that count problems or expect
# "valid" count for SCORM alone.


def test_every_problem_in_one_run(module: Path) -> None:
    for _, mutate, *_ in [CASES[1], CASES[9], CASES[20], CASES[17]]:
        mutate(module)
    proc = run_cli("validate", "-f", "scorm2004", module, cwd=module.parent)  # see SCORM_ONLY
    assert proc.returncode == 1
    for fragment in ("did you mean 'summary'", "'deel.md' does not exist",
                     "no choice is marked correct", "never closed"):
        assert fragment in proc.stderr
    assert "4 errors, 0 warnings in 1 module" in proc.stderr


def test_a_missing_image_is_a_warning_and_the_page_shows_its_text(
        module: Path, tmp_path: Path) -> None:
    """As in Jupyter Book (docs/module-format.md): the page still builds, with the alt text
    or caption where the image would be; an include of a missing file stays an error."""
    replace(module / "case.md", "img/oven.svg", "img/ovens.svg")
    replace(module / "case.md", "| a | b |",
            '![Een kapotte oven](img/kapot.png)\n\n<img src="img/weg.png" alt="Weg">\n\n| a | b |')
    proc = run_cli("validate", "-f", "scorm2004", module, cwd=module.parent, check=0)
    for line, name in ((9, "img/ovens.svg"), (19, "img/kapot.png"), (21, "img/weg.png")):
        assert f"minimal/case.md:{line}: warning: image '{name}' does not exist: the page " \
            "shows its alt text or caption instead (a missing image)" in proc.stderr
    assert "0 errors" in proc.stderr
    run_cli("build", "-f", "scorm2004", module, "--out", tmp_path / "dist", check=0)
    package = next((tmp_path / "dist").glob("*.zip"))
    with zipfile.ZipFile(package) as z:
        html = z.read("index.html").decode()
        assert not [n for n in z.namelist() if "kapot" in n or "ovens" in n or "weg" in n]
    assert '<span class="lc-missing-image">Een kapotte oven</span>' in html
    assert '<span class="lc-missing-image">Weg</span>' in html
    assert "img/kapot.png" not in html and "img/weg.png" not in html


def test_minimal_fixture_is_valid(module: Path) -> None:
    run_cli("validate", module, check=0)


def test_file_names_with_spaces_and_diacritics_are_valid(module: Path) -> None:
    (module / "case.md").rename(module / "Casus één.md")
    (module / "data").mkdir()
    (module / "data" / "metingen oven é.csv").write_text("t,temp\n0,21\n", encoding="utf-8")
    replace(module / "module.yml", "  - case.md", '  - "Casus één.md"')
    replace(module / "Casus één.md", "| a | b |", "[De data](<data/metingen oven é.csv>)\n\n| a | b |")
    proc = run_cli("validate", "-f", "scorm2004", module, check=0)  # see SCORM_ONLY
    assert "1 module(s) valid" in proc.stderr


def test_json_output_lists_problems(module: Path) -> None:
    replace(module / "module.yml", "summary:", "sumary:")
    proc = run_cli("validate", "--json", module, cwd=module.parent)
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["problems"][0]["file"] == "minimal/module.yml"
    assert data["problems"][0]["hint"] == "did you mean 'summary'?"


def course_with(tmp_path: Path, *modules: tuple[str, str]) -> Path:
    """A course whose modules are copies of the minimal module with given ids."""
    root = tmp_path / "course"
    for slug, ident in modules:
        shutil.copytree(MINIMAL, root / "modules" / slug)
        replace(root / "modules" / slug / "module.yml", "id: test/minimal", f"id: {ident}")
    (root / "_config.yml").write_text("title: Test\nlcmodules:\n  organisation: Saxion\n")
    return root


def test_duplicate_module_ids_in_a_course(tmp_path: Path) -> None:
    root = course_with(tmp_path, ("een", "test/x"), ("twee", "test/x"))
    proc = run_cli("validate", root, cwd=root)
    assert proc.returncode == 1
    assert "modules/twee/module.yml:2:" in proc.stderr
    assert "module id 'test/x' is also used by modules/een" in proc.stderr


def test_prerequisite_naming_an_unknown_module(tmp_path: Path) -> None:
    root = course_with(tmp_path, ("een", "test/een"), ("twee", "test/twee"))
    replace(root / "modules/twee/module.yml", "contents:", "prerequisites:\n  - test/eenn\ncontents:")
    proc = run_cli("validate", root, cwd=root)
    assert proc.returncode == 1
    assert "prerequisite 'test/eenn' is not a module of this course — did you mean 'test/een'?" \
        in proc.stderr


def test_prerequisite_version_range(tmp_path: Path) -> None:
    root = course_with(tmp_path, ("een", "test/een"), ("twee", "test/twee"))
    replace(root / "modules/twee/module.yml", "contents:", "prerequisites:\n  - test/een >=2.0\ncontents:")
    proc = run_cli("validate", root, cwd=root)
    assert proc.returncode == 1
    assert "prerequisite 'test/een >=2.0' is not met: the course has version 1.0.0" in proc.stderr
    replace(root / "modules/twee/module.yml", ">=2.0", ">=1.0,<2")
    run_cli("validate", root, cwd=root, check=0)


def test_course_listing_a_missing_module(tmp_path: Path) -> None:
    root = course_with(tmp_path, ("een", "test/een"))
    (root / "_config.yml").write_text("title: T\nlcmodules:\n  modules:\n    - een\n    - geen\n")
    proc = run_cli("validate", root, cwd=root)
    assert proc.returncode == 1
    assert "_config.yml:5:7: module 'geen' is listed but modules/geen/module.yml does not exist" \
        in proc.stderr


def test_unknown_course_config_key(tmp_path: Path) -> None:
    root = course_with(tmp_path, ("een", "test/een"))
    (root / "_config.yml").write_text("title: T\nlaunch_buttons:\n  colab_url: x\nlcmodules:\n  organisaton: X\n")
    proc = run_cli("validate", root, cwd=root)
    assert proc.returncode == 1
    assert "_config.yml:5:3: unknown field 'lcmodules.organisaton' — did you mean 'organisation'?" \
        in proc.stderr


def test_one_module_of_a_course_is_checked_against_the_others(tmp_path: Path) -> None:
    root = course_with(tmp_path, ("een", "test/een"), ("twee", "test/twee"))
    replace(root / "modules/twee/module.yml", "contents:", "prerequisites:\n  - test/een >=1.0\ncontents:")
    replace(root / "modules/een/module.yml", "summary:", "sumary:")  # not asked about
    proc = run_cli("validate", "-f", "scorm2004", root / "modules/twee", cwd=root, check=0)
    assert "1 module(s) valid" in proc.stderr
    replace(root / "modules/twee/module.yml", "id: test/twee", "id: test/een")
    proc = run_cli("validate", root / "modules/twee", cwd=root)
    assert proc.returncode == 1 and "also used by modules/een" in proc.stderr
    assert "sumary" not in proc.stderr


def test_marker_text_inside_code_is_not_a_marker(module: Path) -> None:
    edit_notebook(module / "notebooks/verkennen.ipynb",
                  lambda nb: nb.cells[1].__setitem__("source", 'print("### BEGIN SOLUTION")'))
    run_cli("validate", module, check=0)
