"""Rules for notebooks and pages: learner-edition solution markers must pair up."""

from __future__ import annotations

from pathlib import Path

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.markers import CODE_BEGIN, CODE_END, MARKDOWN_BEGIN, MARKDOWN_END, is_marker
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module

CODE_MARKERS = (CODE_BEGIN, CODE_END)
MARKDOWN_MARKERS = (MARKDOWN_BEGIN, MARKDOWN_END)


def marker_problems(text: str, markers: tuple[str, str]) -> list[tuple[int, str, str]]:
    """Unpaired markers in `text` as (0-based line, message, hint).

    A marker counts only where the learner edition sees one: at the start of a line.
    """
    begin, end = markers
    problems: list[tuple[int, str, str]] = []
    open_line: int | None = None
    for number, line in enumerate(text.splitlines()):
        if is_marker(line, begin):
            if open_line is not None:
                problems.append((number, f"'{begin}' inside a solution that is still open",
                                 f"add '{end}' before this line"))
            open_line = number
        elif is_marker(line, end):
            if open_line is None:
                problems.append((number, f"'{end}' without a '{begin}' before it",
                                 f"add '{begin}' above the solution, or remove this line"))
            open_line = None
    if open_line is not None:
        problems.append((open_line, f"'{begin}' is never closed",
                         f"add '{end}' after the solution code"))
    return problems




def check_solution_markers(module: Module, diag: Diagnostics) -> None:
    """BEGIN/END SOLUTION markers pair up in every code cell, markdown cell and page."""
    for unit in module.units:
        if unit.page is not None:
            for line, msg, hint in marker_problems(unit.page.body, MARKDOWN_MARKERS):
                diag.error(unit.source, unit.page.body_line + line, msg, hint)
        if unit.notebook is None:
            continue
        lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
        for number, cell in enumerate(unit.notebook.cells):
            markers = CODE_MARKERS if cell.cell_type == "code" else MARKDOWN_MARKERS
            for offset, msg, hint in marker_problems(cell.source, markers):
                where = lines[number] if number < len(lines) else None
                diag.error(Path(unit.source), where,
                           f"cell {number + 1}, line {offset + 1} of its source: {msg}", hint)
