"""The learner edition: a teacher notebook or page with its solutions taken out."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Literal

import nbformat
from nbformat import NotebookNode

from lcmodules.markers import (  # noqa: F401 (re-exported for the renderer and the tests)
    CODE_BEGIN,
    CODE_END,
    MARKDOWN_BEGIN,
    MARKDOWN_END,
    REMOVE_CELL_TAGS,
    REMOVE_INPUT_TAG,
    REMOVE_OUTPUT_TAG,
    cell_tags,
    is_marker,
)

Edition = Literal["learner", "teacher"]
Resources = dict[str, Any]
Preprocessor = Callable[[NotebookNode, Resources], None]

CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


def replace_blocks(lines: list[str], begin: str, end: str,
                   stub: Callable[[str], list[str]]) -> list[str]:
    """`lines` with every block from a `begin` marker line to its `end` marker line replaced by
    `stub(begin line)`. An unclosed block runs to the end (a solution never leaks)."""
    out: list[str] = []
    inside = False
    for line in lines:
        if not inside and is_marker(line, begin):
            out.extend(stub(line))
            inside = True
        elif inside:
            if is_marker(line, end):
                inside = False
        else:
            out.append(line)
    return out


def replace_solution_lines(source: str) -> str:
    """Code between BEGIN/END SOLUTION lines → the nbgrader stub, at the BEGIN line's indentation.

    An unclosed BEGIN replaces everything after it (a solution never leaks).
    """

    def stub(begin_line: str) -> list[str]:
        indent = begin_line[: len(begin_line) - len(begin_line.lstrip())]
        return [indent + line for line in CODE_STUB]

    text = "\n".join(replace_blocks(source.splitlines(), CODE_BEGIN, CODE_END, stub))
    return text + "\n" if source.endswith("\n") and text else text


def remove_markdown_solutions(text: str) -> str:
    """Markdown without its `<!-- BEGIN SOLUTION -->` … `<!-- END SOLUTION -->` blocks."""
    lines = text.splitlines(keepends=True)
    return "".join(replace_blocks(lines, MARKDOWN_BEGIN, MARKDOWN_END, lambda _line: []))


def learner_markdown(text: str, edition: Edition = "learner") -> str:
    """A MyST page's learner edition (its solution blocks removed); the teacher's is unchanged."""
    return text if edition == "teacher" else remove_markdown_solutions(text)


# ---------------------------------------------------------------- preprocessors
# Each takes the notebook (a private copy) and a resources dict shared by the run, and
# changes the notebook in place. Each does one thing, like an nbconvert preprocessor.


def remove_tagged_cells(nb: NotebookNode, resources: Resources) -> None:
    """Cells tagged `solution` or `remove-cell` disappear, outputs and all."""
    nb.cells = [cell for cell in nb.cells if not cell_tags(cell) & REMOVE_CELL_TAGS]


def replace_code_solutions(nb: NotebookNode, resources: Resources) -> None:
    """Code solution regions become the stub; the changed cells are noted in resources."""
    changed: set[int] = resources.setdefault("changed_cells", set())
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = cell.source
        if any(is_marker(line, CODE_BEGIN) for line in source.splitlines()):
            cell.source = replace_solution_lines(source)
            changed.add(id(cell))


def strip_markdown_solutions(nb: NotebookNode, resources: Resources) -> None:
    """Markdown solution blocks are removed; a cell left empty by that is removed too."""
    kept = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and any(
            is_marker(line, MARKDOWN_BEGIN) for line in cell.source.splitlines()
        ):
            cell.source = remove_markdown_solutions(cell.source)
            if not cell.source.strip() and not cell.get("attachments"):
                continue
        kept.append(cell)
    nb.cells = kept


def clear_changed_cells(nb: NotebookNode, resources: Resources) -> None:
    """A cell whose solution was taken out loses its outputs and execution count:
    the output of a solution would give the answer away."""
    changed = resources.get("changed_cells", set())
    for cell in nb.cells:
        if id(cell) in changed:
            cell.outputs = []
            cell.execution_count = None


def clear_removed_outputs(nb: NotebookNode, resources: Resources) -> None:
    """Cells tagged `remove-output` keep their code but lose their outputs."""
    for cell in nb.cells:
        if cell.cell_type == "code" and REMOVE_OUTPUT_TAG in cell_tags(cell):
            cell.outputs = []
            cell.execution_count = None


# `remove-input` needs no step: the cell keeps its source (so the learner's notebook still
# runs), its outputs and its tag; Jupyter Book and lcmodules' renderer show only the outputs.
# `hide-input` / `hide-output` are kept as tags; the renderers fold those parts away.

# The order matters:
# 1. whole cells go first, so no later step works on (or leaks from) a removed cell;
# 2. code solutions are replaced and the changed cells noted …
# 3. … markdown solutions removed (independent of 2, but before anything looks at cell text);
# 4. the noted cells' outputs and counts are cleared (needs 2's notes);
# 5. `remove-output` outputs are cleared last, on the cells that are left.
LEARNER_PREPROCESSORS: tuple[Preprocessor, ...] = (
    remove_tagged_cells,
    replace_code_solutions,
    strip_markdown_solutions,
    clear_changed_cells,
    clear_removed_outputs,
)


def learner_notebook(nb: NotebookNode, edition: Edition = "learner") -> NotebookNode:
    """The notebook for `edition`: a new object, the loaded one is never changed.

    The teacher edition is an unchanged copy; the learner edition runs every step of
    `LEARNER_PREPROCESSORS` in order. nbformat 4, its minor version and the cell ids are kept.
    """
    result = copy.deepcopy(nb)
    if edition == "teacher":
        return result
    resources: Resources = {}
    for step in LEARNER_PREPROCESSORS:
        step(result, resources)
    return result


def notebook_bytes(nb: NotebookNode) -> bytes:
    """The notebook as a file: nbformat's JSON (sorted keys) with a trailing newline."""
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")
