"""The learner's stub for a code solution follows the notebook's kernel language, with its
comment in the module's language; the real build writes it into the learner notebook."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from lcmodules.transform.learner import learner_notebook
from lcmodules.transform.stubs import code_stub, notebook_language
from tests.conftest import run_cli

SOLUTION = "x <- 1\n### BEGIN SOLUTION\nsecret <- 42\n### END SOLUTION\nprint(x)"


def kernel_notebook(kernelspec: dict | None = None, language_info: dict | None = None,
                    source: str = SOLUTION) -> nbformat.NotebookNode:
    nb = new_notebook(cells=[new_code_cell(source)])
    if kernelspec is not None:
        nb.metadata["kernelspec"] = kernelspec
    if language_info is not None:
        nb.metadata["language_info"] = language_info
    return nb


@pytest.mark.parametrize(("kernelspec", "language_info", "stub"), [
    ({"name": "ir", "language": "R"}, None, '# YOUR CODE HERE\nstop("not implemented yet")'),
    ({"name": "julia-1.10", "language": "julia"}, None,
     '# YOUR CODE HERE\nerror("not implemented yet")'),
    (None, {"name": "python"}, "# YOUR CODE HERE\nraise NotImplementedError()"),
    (None, None, "# YOUR CODE HERE\nraise NotImplementedError()"),  # Jupyter's default
    ({"name": "xcpp17", "language": "C++17"}, {"name": "c++"}, "// YOUR CODE HERE"),
    ({"name": "xcpp17", "language": ""}, {"name": "c++"}, "// YOUR CODE HERE"),
    ({"name": "octave", "language": "octave"}, None, "% YOUR CODE HERE"),
    ({"name": "ihaskell", "language": "haskell"}, None, "-- YOUR CODE HERE"),
    ({"name": "rust", "language": "rust"}, None, "// YOUR CODE HERE"),
    ({"name": "brainfog", "language": "brainfog"}, None, "# YOUR CODE HERE"),  # unknown
])
def test_stub_follows_the_kernel_language(kernelspec: dict | None, language_info: dict | None,
                                          stub: str) -> None:
    out = learner_notebook(kernel_notebook(kernelspec, language_info))
    assert out.cells[0].source == f"x <- 1\n{stub}\nprint(x)"
    assert "secret" not in out.cells[0].source


def test_language_is_read_kernelspec_first() -> None:
    assert notebook_language({"metadata": {"kernelspec": {"language": "R"},
                                           "language_info": {"name": "python"}}}) == "r"
    assert notebook_language({"metadata": {"language_info": {"name": "Julia"}}}) == "julia"
    assert notebook_language({}) == "python"


@pytest.mark.parametrize(("language", "text", "stub"), [
    ("python", "nl", ("# JOUW CODE HIER", "raise NotImplementedError()")),
    ("r", "nl-BE", ("# JOUW CODE HIER", 'stop("nog niet uitgewerkt")')),
    ("julia", "de", ("# IHR CODE HIER", 'error("noch nicht implementiert")')),
    ("matlab", "de", ("% IHR CODE HIER",)),
    ("sql", "fr", ("-- YOUR CODE HERE",)),  # a language without texts: English
])
def test_comment_in_the_module_language(language: str, text: str,
                                        stub: tuple[str, ...]) -> None:
    assert code_stub(language, text) == stub


def test_build_writes_the_r_stub_in_dutch(tmp_path: Path) -> None:
    module = tmp_path / "modules" / "rivieren"
    module.mkdir(parents=True)
    (module / "module.yml").write_text(
        "id: demo/rivieren\ntitle: Rivieren\nversion: 1.0.0\nlanguage: nl\n"
        "authors: [{name: Rik Rivier}]\ncontents: [analyse.ipynb]\n", encoding="utf-8")
    nb = kernel_notebook({"name": "ir", "display_name": "R", "language": "R"},
                         {"name": "R"}, "# Afvoer\n### BEGIN SOLUTION\nmean(q)\n### END SOLUTION")
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("# Afvoer van de Maas"))
    nbformat.write(nb, module / "analyse.ipynb")
    out = tmp_path / "dist"
    run_cli("build", module, "-f", "jupyter-book", "--out", out, check=0)
    learner = next(out.rglob("analyse.ipynb"))
    source = "".join(json.loads(learner.read_text())["cells"][1]["source"])
    assert source == '# Afvoer\n# JOUW CODE HIER\nstop("nog niet uitgewerkt")'
