"""Errors break a module, warnings name quality problems: `validate`, `--strict`, `--json`,
the summary line, builds that go on with warnings, and notebooks as Jupyter opens them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.units import load_notebook
from tests.conftest import run_cli

MINIMAL = Path(__file__).parent / "fixtures" / "minimal"
NOTEBOOK = "notebooks/verkennen.ipynb"


@pytest.fixture()
def module(tmp_path: Path) -> Path:
    dest = tmp_path / "minimal"
    shutil.copytree(MINIMAL, dest)
    return dest


def add_image_without_alt(module: Path) -> None:
    case = module / "case.md"
    case.write_text(case.read_text(encoding="utf-8").replace(
        "| a | b |", "![](img/oven.svg)\n\n| a | b |", 1), encoding="utf-8")


# The fixture's quiz has a 2-choice single question and a tolerance, which a Common Cartridge
# holds only with warnings (test_imscc.py): these tests count for one format, SCORM.
SCORM = ("-f", "scorm2004")


def test_warnings_pass_unless_strict(module: Path) -> None:
    add_image_without_alt(module)
    proc = run_cli("validate", *SCORM, module, cwd=module.parent, check=0)
    assert "minimal/case.md:19: warning: image 'img/oven.svg' has no alt text — " in proc.stderr
    assert "0 errors, 1 warning in 1 module" in proc.stderr
    proc = run_cli("validate", *SCORM, "--strict", module, cwd=module.parent, check=1)
    assert "0 errors, 1 warning in 1 module (--strict: warnings fail)" in proc.stderr


def test_errors_and_warnings_are_counted_apart(module: Path) -> None:
    add_image_without_alt(module)
    (module / "module.yml").write_text((module / "module.yml").read_text().replace(
        "summary:", "sumary:"), encoding="utf-8")
    proc = run_cli("validate", *SCORM, module, cwd=module.parent, check=1)
    assert "1 error, 1 warning in 1 module" in proc.stderr
    data = json.loads(run_cli("validate", *SCORM, "--json", module, cwd=module.parent,
                              check=1).stdout)
    assert (data["errors"], data["warnings"], data["modules"], data["ok"]) == (1, 1, 1, False)
    assert sorted(p["severity"] for p in data["problems"]) == ["error", "warning"]


def test_json_without_problems(module: Path) -> None:
    data = json.loads(run_cli("validate", *SCORM, "--json", "--strict", module, check=0).stdout)
    assert data == {"modules": 1, "errors": 0, "warnings": 0, "strict": True, "ok": True,
                    "problems": []}


def test_build_shows_warnings_and_builds(module: Path, tmp_path: Path) -> None:
    add_image_without_alt(module)
    proc = run_cli("build", module, "--format", "scorm12", "--out", tmp_path / "dist", check=0)
    assert "has no alt text" in proc.stderr
    assert list((tmp_path / "dist").glob("minimal-1.0.0-scorm12.zip"))


def notebook_json(minor: int, ids: list[str] | None) -> str:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": ["# Titel\n", "tekst"]},
             {"cell_type": "code", "metadata": {}, "source": "x = 1", "outputs": [],
              "execution_count": None},
             {"cell_type": "raw", "metadata": {}, "source": "ruw"}]
    for cell, ident in zip(cells, ids or [], strict=False):
        cell["id"] = ident
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": minor})


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4])
def test_nbformat_4_0_to_4_4_load_without_a_word(minor: int) -> None:
    diag = Diagnostics()
    nb = load_notebook(Path("n.ipynb"), notebook_json(minor, None), diag)
    assert nb is not None and diag.problems == []
    assert nb.cells[0].source == "# Titel\ntekst"  # source lists joined as nbformat reads them


def test_missing_and_repeated_cell_ids_are_normalised_with_one_warning() -> None:
    diag = Diagnostics()
    nb = load_notebook(Path("n.ipynb"), notebook_json(5, None), diag)
    assert [c.id for c in nb.cells] == ["cell-1", "cell-2", "cell-3"]
    nbformat.validate(nb)
    assert len(diag.problems) == 1 and diag.problems[0].severity == "warning"
    assert "3 cell(s) without an id" in diag.problems[0].message
    diag = Diagnostics()
    nb = load_notebook(Path("n.ipynb"), notebook_json(5, ["a", "a"]), diag)
    assert [c.id for c in nb.cells] == ["a", "cell-2", "cell-3"]
    assert "1 cell(s) without an id and 1 repeated cell id(s)" in diag.problems[0].message
    again = load_notebook(Path("n.ipynb"), notebook_json(5, ["a", "a"]), Diagnostics())
    assert again == nb  # the same ids every time: builds stay reproducible


def test_cell_id_warning_in_validate(module: Path) -> None:
    path = module / NOTEBOOK
    data = json.loads(path.read_text(encoding="utf-8"))
    data["nbformat_minor"] = 5
    for cell in data["cells"]:
        cell.pop("id", None)
    path.write_text(json.dumps(data), encoding="utf-8")
    proc = run_cli("validate", module, cwd=module.parent, check=0)
    assert proc.stderr.count("without an id") == 1
    assert f"minimal/{NOTEBOOK}:1: warning: nbformat 4.5 notebook with" in proc.stderr
