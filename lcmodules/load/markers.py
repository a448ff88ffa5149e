"""The module format's solution markers and cell tags, shared by validation and the learner edition."""

from __future__ import annotations

from nbformat import NotebookNode

CODE_BEGIN = "### BEGIN SOLUTION"
CODE_END = "### END SOLUTION"
MARKDOWN_BEGIN = "<!-- BEGIN SOLUTION -->"
MARKDOWN_END = "<!-- END SOLUTION -->"

REMOVE_CELL_TAGS = frozenset({"solution", "remove-cell"})
REMOVE_INPUT_TAG = "remove-input"
REMOVE_OUTPUT_TAG = "remove-output"


def is_marker(line: str, marker: str) -> bool:
    """A marker line: after its indentation the line starts with the marker (as nbgrader writes it).

    `x = "### BEGIN SOLUTION"` is not a marker line: the marker must open the line.
    """
    return line.strip().startswith(marker)


def cell_tags(cell: NotebookNode) -> set[str]:
    """The cell's tags (`metadata.tags`), as a set."""
    tags = cell.get("metadata", {}).get("tags", [])
    return {str(t) for t in tags} if isinstance(tags, list) else set()
