"""Content fingerprints: stable across re-execution and line endings, changed by real edits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_module
from lcmodules.versioning.fingerprint import (
    Fingerprint,
    file_hash,
    fingerprint_module,
    normalise_notebook,
)

FIXTURE = Path(__file__).parent / "fixtures" / "minimal"
NOTEBOOK = "notebooks/verkennen.ipynb"


@pytest.fixture()
def module_dir(tmp_path: Path) -> Path:
    """The minimal fixture module, plus a data file that the notebook reads."""
    dest = tmp_path / "minimal"
    shutil.copytree(FIXTURE, dest)
    (dest / "data").mkdir()
    (dest / "data" / "metingen.csv").write_text("t,temp\n0,180\n1,182\n")
    nb = json.loads((dest / NOTEBOOK).read_text())
    nb["cells"].append({
        "cell_type": "code", "execution_count": None, "id": "c4", "metadata": {}, "outputs": [],
        "source": ["import pandas as pd\n", "df = pd.read_csv('../data/metingen.csv')"],
    })
    (dest / NOTEBOOK).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return dest


def fingerprint(folder: Path) -> Fingerprint:
    diag = Diagnostics()
    module = load_module(folder, diag)
    assert module is not None and diag.ok, [p.format() for p in diag.problems]
    return fingerprint_module(module)


def edit_notebook(folder: Path, change) -> None:
    path = folder / NOTEBOOK
    nb = json.loads(path.read_text())
    change(nb)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


def test_covers_module_file_units_and_referenced_files(module_dir: Path) -> None:
    fp = fingerprint(module_dir)
    assert sorted(fp.files) == [
        "case.md", "data/metingen.csv", "img/oven.svg", "module.yml", NOTEBOOK, "toets.quiz.yml",
    ]
    assert fp.digest.startswith("sha256:") and len(fp.digest) == 7 + 64
    assert fingerprint(module_dir) == fp  # deterministic


def test_rerunning_a_notebook_is_not_a_change(module_dir: Path) -> None:
    before = fingerprint(module_dir)

    def run(nb: dict) -> None:
        for n, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "code":
                cell["execution_count"] = n + 7
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["3\n"]}]
                cell["metadata"]["execution"] = {
                    "iopub.execute_input": "2026-11-24T10:00:00.000Z",
                    "shell.execute_reply": "2026-11-24T10:00:01.000Z",
                }
                cell["metadata"]["collapsed"] = False
                cell["metadata"]["scrolled"] = True
                cell["metadata"]["ExecuteTime"] = {"end_time": "2026-11-24T10:00:01"}
        nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
        nb["metadata"]["language_info"] = {"name": "python", "version": "3.12.7",
                                           "pygments_lexer": "ipython3"}

    edit_notebook(module_dir, run)
    after = fingerprint(module_dir)
    assert after == before


def test_line_endings_and_json_layout_do_not_matter(module_dir: Path) -> None:
    before = fingerprint(module_dir)
    for rel in ("module.yml", "case.md", "toets.quiz.yml", "img/oven.svg", "data/metingen.csv"):
        path = module_dir / rel
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    nb_path = module_dir / NOTEBOOK
    nb = json.loads(nb_path.read_text())
    nb_path.write_bytes(json.dumps(nb, indent=4).replace("\n", "\r\n").encode())
    assert fingerprint(module_dir) == before


@pytest.mark.parametrize("rel, edit", [
    ("case.md", lambda p: p.write_text(p.read_text().replace("temperatuur", "druk"))),
    ("module.yml", lambda p: p.write_text(p.read_text().replace("Een kleine", "Een korte"))),
    ("img/oven.svg", lambda p: p.write_text(p.read_text().replace("#c60", "#06c"))),
    ("data/metingen.csv", lambda p: p.write_text(p.read_text() + "2,250\n")),
    ("toets.quiz.yml", lambda p: p.write_text(p.read_text().replace("Hoeveel?", "Hoe veel?"))),
])
def test_a_real_change_changes_the_fingerprint(module_dir: Path, rel: str, edit) -> None:
    before = fingerprint(module_dir)
    edit(module_dir / rel)
    after = fingerprint(module_dir)
    assert after.digest != before.digest
    changes = after.diff(before.files)
    assert changes.changed == [rel] and not changes.added and not changes.removed


@pytest.mark.parametrize("change", [
    lambda nb: nb["cells"][1]["source"].append("\nprint('meer')"),
    lambda nb: nb["cells"][0]["source"].append("\n\nNieuwe uitleg."),
    lambda nb: nb["cells"][1]["metadata"].update(tags=["remove-input"]),
    lambda nb: nb["cells"].pop(2),
], ids=["code-source", "markdown-source", "tag", "cell-removed"])
def test_a_notebook_source_change_changes_the_fingerprint(module_dir: Path, change) -> None:
    before = fingerprint(module_dir)
    edit_notebook(module_dir, change)
    after = fingerprint(module_dir)
    assert after.digest != before.digest
    assert after.diff(before.files).changed == [NOTEBOOK]


def test_new_reference_is_an_added_file(module_dir: Path) -> None:
    before = fingerprint(module_dir)
    (module_dir / "img" / "sensor.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    case = module_dir / "case.md"
    case.write_text(case.read_text() + "\n![Een sensor](img/sensor.png)\n")
    after = fingerprint(module_dir)
    changes = after.diff(before.files)
    assert changes.added == ["img/sensor.png"] and changes.changed == ["case.md"]
    assert before.diff(after.files).removed == ["img/sensor.png"]


def test_unreferenced_files_changelog_and_lock_are_not_content(module_dir: Path) -> None:
    before = fingerprint(module_dir)
    (module_dir / "notities.txt").write_text("kladblok")
    (module_dir / "CHANGELOG.md").write_text("# Changelog\n")
    (module_dir / "module.lock").write_text("{}")
    (module_dir / "img" / "ongebruikt.svg").write_text("<svg/>")
    assert fingerprint(module_dir) == before


def test_binary_files_are_hashed_as_they_are() -> None:
    png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"
    assert file_hash("img/x.png", png) != file_hash("img/x.png", png.replace(b"\r\n", b"\n"))
    assert file_hash("a.md", b"a\r\nb\r\n") == file_hash("a.md", b"a\nb\n")
    assert file_hash("a.md", b"a \nb\n") != file_hash("a.md", b"a\nb\n")  # only line endings


def test_notebook_normalisation_keeps_kernel_and_attachments() -> None:
    nb = {"cells": [{"cell_type": "markdown", "id": "x", "metadata": {},
                     "attachments": {"a.png": {"image/png": "iVBOR"}}, "source": "![a](attachment:a.png)"}],
          "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    base = normalise_notebook(json.dumps(nb).encode())
    nb["cells"][0]["attachments"]["a.png"]["image/png"] = "iVBOX"
    assert normalise_notebook(json.dumps(nb).encode()) != base
    nb["cells"][0]["attachments"]["a.png"]["image/png"] = "iVBOR"
    nb["metadata"]["kernelspec"]["name"] = "ir"
    assert normalise_notebook(json.dumps(nb).encode()) != base


def test_streamed_hash_equals_in_memory_hash(tmp_path: Path) -> None:
    from lcmodules.versioning.fingerprint import file_hash, file_hash_streamed

    samples = {
        "crlf.csv": b"a,b\r\n" * 300_000 + b"end\r",  # a CR pair split across 1 MiB chunks
        "cr.txt": b"x\r" * 700_000,
        "binary.bin": b"\r\n\0" * 500_000,
        "empty.txt": b"",
    }
    for name, data in samples.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert file_hash_streamed(path) == file_hash(name, data), name


def test_the_bibliography_is_content(module_dir: Path) -> None:
    """Citations read every .bib file of the module: editing one is a change, like a page."""
    bib = module_dir / "bronnen.bib"
    bib.write_text("@book{jansen2020, title={Ovens}, author={Jansen, A.}, year={2020}}\n")
    before = fingerprint(module_dir)
    assert "bronnen.bib" in before.files
    bib.write_text("@book{jansen2020, title={Ovens}, author={Jansen, A.}, year={2021}}\n")
    assert fingerprint(module_dir).digest != before.digest
