"""One check: `validate` runs every rule `build` runs for the formats (each exporter's own
check too), `build` is that check plus the export, and the library cannot skip it."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from lcmodules.build import build_options, build_paths, check_paths, run_build
from lcmodules.core.diagnostics import Diagnostics, InputError
from lcmodules.export.registry import available_formats
from lcmodules.load.loader import load_paths
from tests.conftest import run_cli

# An ordering question: SCORM holds it (sequencing), a Common Cartridge cannot (CC 1.1's QTI
# profile has no ordering type), so only the imscc check refuses it.
ORDERING = """title: Volgorde
questions:
  - id: munt
    type: ordering
    prompt: Zet in volgorde
    items: [eerst, dan, laatst]
"""


def new_course(tmp_path: Path) -> Path:
    """A course as a lecturer starts one: `_config.yml`, then `lcmodules new`."""
    course = tmp_path / "cursus"
    (course / "modules").mkdir(parents=True)
    (course / "_config.yml").write_text("title: Cursus\n", "utf-8")
    run_cli("new", "eerste", "--course", course, check=0)
    return course


def test_new_module_validates_and_builds_in_every_default_format(tmp_path: Path) -> None:
    course = new_course(tmp_path)
    run_cli("validate", course, check=0)  # placeholders: warnings only
    out = tmp_path / "out"
    proc = run_cli("build", course, "--out", out, check=0)
    assert "Traceback" not in proc.stderr
    built = [p.name for p in out.iterdir()]
    for name in available_formats():
        if name in ("jupyter-book", "learner-repo", "catalog"):
            continue  # folders or course-wide pages, checked just below
        assert any(name in b for b in built), (name, built)
    assert any(p.suffix == ".imscc" for p in out.iterdir())
    assert len(built) >= len(available_formats())
    started = tmp_path / "begin"  # a course as `lcmodules init` starts it
    run_cli("init", started, check=0)
    run_cli("new", "tweede", cwd=started, check=0)
    run_cli("validate", started, check=0)
    run_cli("build", started, "--out", tmp_path / "out2", check=0)


def ordering_module(tmp_path: Path) -> tuple[Path, Path]:
    course = new_course(tmp_path)
    quiz = course / "modules" / "eerste" / "munt.quiz.yml"
    quiz.write_text(ORDERING, "utf-8")
    meta = course / "modules" / "eerste" / "module.yml"
    meta.write_text(meta.read_text("utf-8") + "  - munt.quiz.yml\n", "utf-8")
    return course, quiz


def located(text: str, quiz: Path) -> list[str]:
    return re.findall(rf"{re.escape(quiz.name)}:\d+(?::\d+)?: question 'munt'[^\n]*", text)


def test_validate_names_what_a_format_cannot_hold_where_build_does(tmp_path: Path) -> None:
    course, quiz = ordering_module(tmp_path)
    checked = run_cli("validate", course, "-f", "imscc")
    built = run_cli("build", course, "-f", "imscc", "--out", tmp_path / "out")
    assert checked.returncode == 1 and built.returncode == 1
    assert located(checked.stderr, quiz) and located(checked.stderr, quiz) == located(
        built.stderr, quiz)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.imscc"))
    # the default formats hold imscc; SCORM alone can hold the question
    assert run_cli("validate", course).returncode == 1
    run_cli("validate", course, "-f", "scorm12", check=0)
    run_cli("build", course, "-f", "scorm12", "--out", tmp_path / "s", check=0)
    assert run_cli("validate", course, "-f", "nope").returncode == 2


def test_the_library_cannot_skip_the_check(tmp_path: Path) -> None:
    course, quiz = ordering_module(tmp_path)
    diag = Diagnostics()
    courses = load_paths([course], diag)
    assert diag.ok
    options = build_options(courses, {"formats": ["imscc"]}, tmp_path / "out", 1)
    with pytest.raises(InputError) as caught:
        run_build(courses, options)
    assert any(p.file == quiz and "question 'munt'" in p.message for p in caught.value.problems)
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError):
        build_paths([course], {"formats": ["imscc"]}, tmp_path / "out", 1)
    assert not (tmp_path / "out").exists()
    # a check of other formats does not let an imscc build through
    checked = check_paths([course], ["scorm12"])
    assert checked.ok
    with pytest.raises(InputError):
        run_build(checked, options)
    result = build_paths([course], {"formats": ["scorm12"]}, tmp_path / "s", 1)
    assert result.artifacts and all(p.is_file() for p in result.artifacts)


def _offer_notebook(course: Path, notebook: str) -> Path:
    module = course / "modules" / "eerste"
    case = next(module.glob("*.md"))
    case.write_text(case.read_text("utf-8") + "\n\nDownload {download}`het extra notebook "
                    "<extra.ipynb>`.\n", "utf-8")
    (module / "extra.ipynb").write_text(notebook, "utf-8")
    return module


def test_a_notebook_to_download_ships_without_its_solutions_in_every_format(tmp_path: Path) -> None:
    import nbformat

    course = new_course(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\nantwoord = 42\n### END SOLUTION"),
                nbformat.v4.new_markdown_cell("<!-- BEGIN SOLUTION -->\nHet antwoord is 42.\n"
                                              "<!-- END SOLUTION -->")]
    _offer_notebook(course, nbformat.writes(nb))
    run_cli("build", "-f", "scorm12", "-f", "scorm2004", "-f", "imscc", "-f", "jupyter-book",
            "--out", "dist", cwd=course, check=0)
    shipped = []
    for package in sorted((course / "dist").glob("*.zip")):
        with zipfile.ZipFile(package) as zf:
            shipped += [zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith("extra.ipynb")]
    shipped += [p.read_text("utf-8") for p in (course / "dist").glob("*-jupyter-book/**/extra.ipynb")]
    assert len(shipped) == 4, len(shipped)  # three packages and the module's book
    for text in shipped:
        assert "antwoord = 42" not in text and "Het antwoord is 42" not in text
        assert "x = 1" in text  # the rest of the notebook stays


def test_a_notebook_to_download_that_cannot_be_read_is_refused_by_validate(tmp_path: Path) -> None:
    course = new_course(tmp_path)
    _offer_notebook(course, '{"cells": [')
    said = run_cli("validate", cwd=course, check=1)
    assert re.search(r"\.md:\d+: 'extra\.ipynb' is offered here but is not a notebook that can "
                     r"be read", said.stdout + said.stderr)
    build = run_cli("build", "--out", "dist", cwd=course, check=1)
    assert "'extra.ipynb' is offered here" in build.stdout + build.stderr
