"""Schema errors in the lecturer's words: what was expected, what was found, a right form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.yamlsrc import check_model
from lcmodules.model import CourseConfig, ModuleMeta, Quiz

PYDANTIC_WORDS = ("Input should", "valid dictionary", "instance of", "unable to", "Field required",
                  "Extra inputs", "None")
MODULE = "id: lc-ai/x\ntitle: X\nversion: 1.0.0\nlanguage: nl\ncontents: [case.md]\n"
QUIZ = "title: Toets\nquestions:\n  - id: q\n    type: {type}\n    prompt: Vraag?\n{extra}"


def problems(model: type, text: str) -> list[str]:
    diag = Diagnostics()
    assert check_model(model, YAML(typ="rt").load(text), Path("f.yml"), diag) is None
    lines = [p.format() for p in diag.problems]
    for line in lines:
        assert not any(word in line for word in PYDANTIC_WORDS), line
    return lines


# (name, model, YAML, the line it points at, fragments of the one message)
CASES = [
    ("numeric answer as a word", Quiz, QUIZ.format(type="numeric", extra="    answer: twelve\n"),
     6, ["'questions[0].answer' should be", "a number in digits", "the text 'twelve'",
         "`answer: 230`"]),
    ("choices as plain strings", Quiz,
     QUIZ.format(type="single", extra="    choices:\n      - Accuracy\n"),
     7, ["'questions[0].choices[0]' should be a choice with `text:`", "the text 'Accuracy'",
         "`- text: Accuracy`"]),
    ("text field given a list", ModuleMeta, MODULE.replace("title: X", "title: [a, b]"),
     2, ["'title' should be text, but it is a list of 2 items", "`title: "]),
    ("text read as a number", ModuleMeta, MODULE.replace("title: X", "title: 2024"),
     2, ["'title' should be text, but YAML reads 2024 as a number", "quotes", '"2024"']),
    ("whole number", CourseConfig, "lcmodules:\n  execute:\n    timeout: long\n",
     3, ["'lcmodules.execute.timeout' should be a whole number", "the text 'long'",
         "`timeout: 120`"]),
    ("number", Quiz, QUIZ.format(type="text", extra="    answers: [x]\n    points: two\n"),
     7, ["'questions[0].points' should be a number, but it is the text 'two'", "`points: 2`"]),
    ("yes/no value", CourseConfig, "only_build_toc_files: maybe\n",
     1, ["'only_build_toc_files' should be true or false", "the text 'maybe'"]),
    ("list", ModuleMeta, MODULE.replace("contents: [case.md]", "contents: case.md"),
     5, ["'contents' should be the list of units", "the text 'case.md'", "`contents: ["]),
    ("mapping", ModuleMeta, MODULE + "case: Bakkerij\n",
     6, ["'case' should be the case description with `organisation:`", "`case: {"]),
    ("literal", CourseConfig, "lcmodules:\n  build:\n    edition: student\n",
     3, ["'lcmodules.build.edition' should be one of learner, teacher", "the text 'student'"]),
    ("literal typo", Quiz, QUIZ.format(type="singel", extra=""),
     4, ["one of single, multiple, true-false, numeric, text", "did you mean 'single'?"]),
    ("missing required field", ModuleMeta, MODULE.replace("language: nl\n", ""),
     1, ["missing required field 'language'", "add a line like `language: nl`"]),
    ("unknown field", ModuleMeta, MODULE + "sumary: Iets\n",
     6, ["unknown field 'sumary'", "did you mean 'summary'?"]),
    ("empty list", ModuleMeta, MODULE.replace("contents: [case.md]", "contents: []"),
     5, ["'contents' is empty", "at least one entry"]),
    ("author as plain text", ModuleMeta, MODULE + "authors: [Anna de Vries]\n",
     6, ["'authors[0]' should be an author with `name:`", "`- name: Anna de Vries`"]),
]


@pytest.mark.parametrize("name,model,text,line,fragments", CASES, ids=[c[0] for c in CASES])
def test_schema_errors_in_the_lecturers_words(name: str, model: type, text: str, line: int,
                                              fragments: list[str]) -> None:
    lines = problems(model, text)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"f.yml:{line}"), lines
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


# Numbers must be finite: YAML's .nan, .inf and -.inf, and 1e400 (too large: read as .inf).
NOT_FINITE = {".nan": ".nan (not a number)", ".inf": "infinite (.inf", "-.inf": "minus infinite (-.inf",
              "1e400": "infinite (.inf"}
NUMBER_QUIZ = ("title: Toets\nmastery_score: MASTERY\nquestions:\n  - id: q\n    type: numeric\n"
               "    prompt: Vraag?\n    points: POINTS\n    answer: ANSWER\n    tolerance: TOLERANCE\n")
NUMBER_FIELDS = [  # (key, model, YAML, the line of the key, the right form)
    ("mastery_score", Quiz, NUMBER_QUIZ, 2, "`mastery_score: 0.7`"),
    ("points", Quiz, NUMBER_QUIZ, 7, "`points: 2`"),
    ("answer", Quiz, NUMBER_QUIZ, 8, "`answer: 230`"),
    ("tolerance", Quiz, NUMBER_QUIZ, 9, "`tolerance: 5`"),
    ("study_load_hours", ModuleMeta, MODULE + "study_load_hours: STUDY_LOAD_HOURS\n", 6,
     "`study_load_hours: 4`"),
]
RIGHT = {"MASTERY": "0.7", "POINTS": "1", "ANSWER": "230", "TOLERANCE": "5", "STUDY_LOAD_HOURS": "4"}


def _numbers(text: str, wrong: str, value: str) -> str:
    for placeholder, right in RIGHT.items():
        text = text.replace(placeholder, value if placeholder == wrong else right)
    return text


@pytest.mark.parametrize("value", list(NOT_FINITE))
@pytest.mark.parametrize("key,model,text,line,form", NUMBER_FIELDS, ids=[f[0] for f in NUMBER_FIELDS])
def test_numbers_must_be_finite(key: str, model: type, text: str, line: int, form: str,
                                value: str) -> None:
    wrong = "MASTERY" if key == "mastery_score" else key.upper()
    lines = problems(model, _numbers(text, wrong, value))
    name = key if model is ModuleMeta or key == "mastery_score" else f"questions[0].{key}"
    assert len(lines) == 1 and lines[0].startswith(f"f.yml:{line}:"), lines
    for fragment in (f"'{name}' should be a finite number, but it is {NOT_FINITE[value]}",
                     f"write it like {form}"):
        assert fragment in lines[0], (fragment, lines[0])


@pytest.mark.parametrize("value", list(NOT_FINITE))
def test_validate_refuses_numbers_that_are_not_finite(tmp_path: Path, cli, value: str) -> None:  # type: ignore[no-untyped-def]
    module = tmp_path / "m"
    module.mkdir()
    (module / "module.yml").write_text(_numbers(
        MODULE.replace("[case.md]", "[case.md, k.quiz.yml]") + "study_load_hours: STUDY_LOAD_HOURS\n",
        "STUDY_LOAD_HOURS", value))
    (module / "case.md").write_text("# Case\n\nText.\n")
    quiz = NUMBER_QUIZ
    for placeholder in ("MASTERY", "POINTS", "ANSWER", "TOLERANCE"):
        quiz = quiz.replace(placeholder, value)
    (module / "k.quiz.yml").write_text(quiz)
    proc = cli("validate", module, cwd=tmp_path, check=1)
    for file, line, key in [("k.quiz.yml", 2, "mastery_score"), ("k.quiz.yml", 7, "points"),
                            ("k.quiz.yml", 8, "answer"), ("k.quiz.yml", 9, "tolerance"),
                            ("module.yml", 6, "study_load_hours")]:
        found = [row for row in proc.stderr.splitlines() if row.startswith(f"m/{file}:{line}:")]
        assert len(found) == 1 and f"{key}' should be a finite number" in found[0], proc.stderr
    assert "5 errors" in proc.stderr and "Traceback" not in proc.stderr + proc.stdout


def test_an_empty_notebook_object(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    module = tmp_path / "m"
    (module / "notebooks").mkdir(parents=True)
    (module / "module.yml").write_text(MODULE.replace("[case.md]", "[notebooks/a.ipynb]"))
    (module / "notebooks" / "a.ipynb").write_text(json.dumps({}))
    proc = cli("validate", module, cwd=tmp_path, check=1)
    assert "m/notebooks/a.ipynb:1: the notebook is an empty JSON object `{}`" in proc.stderr
    assert "format None" not in proc.stderr and "Traceback" not in proc.stderr


def test_new_writes_values_through_yaml_and_takes_the_shared_id_prefix(course: Path, cli) -> None:  # type: ignore[no-untyped-def]
    cli("new", "ovens", "--title", "Ovens: #1 case", "--course", course, check=0)
    meta = YAML(typ="safe").load((course / "modules" / "ovens" / "module.yml").read_text())
    assert meta["title"] == "Ovens: #1 case"
    assert meta["id"] == "lc-ai/ovens"  # the prefix of the example course's modules
    front = (course / "modules" / "ovens" / "case.md").read_text().split("---")[1]
    assert YAML(typ="safe").load(front)["title"] == "Ovens: #1 case"


def test_new_outside_a_shared_prefix_uses_the_course_folder(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    course = tmp_path / "mijn-cursus"
    (course / "modules").mkdir(parents=True)
    cli("new", "eerste", "--course", course, check=0)
    meta = YAML(typ="safe").load((course / "modules" / "eerste" / "module.yml").read_text())
    assert meta["id"] == "mijn-cursus/eerste"


def test_placeholder_text_is_a_warning_until_replaced(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "modules").mkdir()
    cli("new", "casus", "--language", "en", cwd=tmp_path, check=0)
    module = tmp_path / "modules" / "casus"
    proc = cli("validate", module, cwd=module.parent, check=0)
    warnings = [ln for ln in proc.stderr.splitlines() if "placeholder text" in ln]
    assert any(ln.startswith("casus/module.yml:6:1: warning: 'summary'") for ln in warnings)
    assert any("learning_objectives[0]" in ln for ln in warnings)
    assert any(ln.startswith("casus/case.md:") for ln in warnings), warnings
    meta = module / "module.yml"
    text = meta.read_text()
    for old, new in [("One paragraph about the practice case and what the student learns; shown "
                      "in the catalogue and the LMS.", "Ovens that fail."),
                     ("Name of the company", "Bakkerij Jansen"),
                     ("Sector of the company", "food"),
                     ("The student can …", "The student can read a sensor log.")]:
        assert old in text
        text = text.replace(old, new)
    meta.write_text(text)
    page = module / "case.md"
    page.write_text(page.read_text()
                    .replace("Describe the practice case here: the company, the problem and the data.",
                             "A bakery in Utrecht.")
                    .replace("A remark the student should not miss.", "Mind the oven."))
    proc = cli("validate", module, cwd=module.parent, check=0)
    assert "placeholder" not in proc.stderr


# ---------------------------------------------------------------- in the user's words

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
CLASS_NAMES = ("TaggedScalar", "Commented", "ScalarFloat", "ScalarInt", "datetime", "NoneType")


def _module(tmp_path: Path) -> Path:
    import shutil

    dest = tmp_path / "modules" / "minimal"
    shutil.copytree(FIXTURE, dest)
    return dest


def _validate(path: Path) -> tuple[list[str], int]:
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import validate_courses

    diag = Diagnostics()
    courses = load_paths([path], diag)
    validate_courses(courses, diag)
    lines = [p.format() for p in diag.sorted()]
    for line in lines:
        assert not any(name in line for name in CLASS_NAMES), line
    return lines, sum(p.severity == "error" for p in diag.problems)


def test_standard_yaml_tags_are_read_as_written(tmp_path: Path) -> None:
    module = _module(tmp_path)
    meta = module / "module.yml"
    meta.write_text(meta.read_text().replace("version: 1.0.0", "version: !!str 1.0.0")
                    .replace("study_load_hours: 1", "study_load_hours: !!int \"1\"")
                    .replace("title: Minimale module", "title: !!str 2024"))
    quiz = module / "toets.quiz.yml"
    quiz.write_text("title: !!str Toets\nmastery_score: !!float 0.5\nquestions:\n"
                    "  - id: q\n    type: true-false\n    prompt: Waar?\n    answer: !!bool true\n")
    lines, errors = _validate(module)
    assert errors == 0, lines
    from lcmodules.load.loader import load_paths

    loaded = load_paths([module], Diagnostics())[0].modules[0]
    assert loaded.meta.version == "1.0.0" and loaded.meta.title == "2024"


def test_an_unknown_tag_is_named_not_its_parser_class(tmp_path: Path) -> None:
    module = _module(tmp_path)
    meta = module / "module.yml"
    meta.write_text(meta.read_text().replace("version: 1.0.0", "version: !semver 1.0.0"))
    lines, errors = _validate(module)
    assert errors == 1
    assert any("module.yml:4:1: 'version' should be a semantic version, but it is '1.0.0' "
               "with the YAML tag !semver" in line for line in lines), lines


@pytest.mark.parametrize("qtype, answer, wanted, unwanted", [
    ("true-false", "ja", ["should be true or false", "the text 'ja'", "`answer: true`"], "230"),
    ("true-false", "3", ["should be true or false", "the number 3", "`answer: true`"], "230"),
    ("numeric", "veel", ["should be a number in digits", "`answer: 230`"], "true or false"),
])
def test_the_hint_fits_the_question_type(tmp_path: Path, qtype: str, answer: str,
                                         wanted: list[str], unwanted: str) -> None:
    module = _module(tmp_path)
    (module / "toets.quiz.yml").write_text(
        QUIZ.format(type=qtype, extra=f"    answer: {answer}\n"))
    lines, errors = _validate(module)
    found = [ln for ln in lines if "answer" in ln]
    assert errors == 1 and len(found) == 1, lines
    assert all(part in found[0] for part in wanted), found
    assert unwanted not in found[0]


def _add_unit(module: Path, file_name: str, listed_as: str, text: str) -> Path:
    """Write a page and list it in module.yml's units (line 18), after case.md; module.yml."""
    (module / file_name).parent.mkdir(parents=True, exist_ok=True)
    (module / file_name).write_text(text)
    meta = module / "module.yml"
    meta.write_text(meta.read_text().replace("  - case.md\n", f"  - case.md\n  - {listed_as}\n"))
    return meta


def test_unit_names_match_after_unicode_normalisation(tmp_path: Path) -> None:
    import unicodedata

    module = _module(tmp_path)
    nfc, nfd = unicodedata.normalize("NFC", "café.md"), unicodedata.normalize("NFD", "café.md")
    assert nfc != nfd
    meta = _add_unit(module, nfd, nfc, "# Café\n\nDe koffie.\n")
    lines, errors = _validate(module)
    assert errors == 0, lines
    mismatch = [ln for ln in lines if "(contents: NFC, the file: NFD)" in ln]
    assert len(mismatch) == 1 and mismatch[0].startswith(f"{meta}:18: warning: '{nfc}'"), lines
    from lcmodules.load.loader import load_paths

    units = load_paths([module], Diagnostics())[0].modules[0].units
    assert [u.title for u in units][1] == "Café"


@pytest.mark.parametrize("name, why", [
    ("vraag?.md", "holds '?'"), ("tijd 10:30.md", "holds ':'"), ("con.md", "device name"),
    ("notes./a.md", "ends in a dot"), ("LPT1.md", "device name"),
])
def test_names_windows_cannot_hold_are_warned_at_their_line(tmp_path: Path, name: str,
                                                            why: str) -> None:
    module = _module(tmp_path)
    meta = _add_unit(module, name, f"'{name}'", "# Pagina\n\nTekst.\n")
    lines, errors = _validate(module)
    assert errors == 0, lines
    warned = [ln for ln in lines if "Windows" in ln]
    assert len(warned) == 1 and warned[0].startswith(f"{meta}:18: warning: '{name}'"), lines
    assert why in warned[0] and "OneDrive" in warned[0]


def test_safe_names_are_not_warned(tmp_path: Path) -> None:
    lines, errors = _validate(_module(tmp_path))
    assert errors == 0 and not [ln for ln in lines if "Windows" in ln], lines


def test_a_course_without_modules_says_so(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "modules").mkdir()
    (tmp_path / "_config.yml").write_text("title: Leeg\n")
    proc = cli("validate", cwd=tmp_path, check=1)
    assert "_config.yml: the course has no module yet" in proc.stderr
    assert "lcmodules new SLUG" in proc.stderr
    proc = cli("build", cwd=tmp_path, check=1)
    assert "the course has no module yet" in proc.stderr
    assert not (tmp_path / "dist").exists()
