"""Warnings for MyST that will not show as written: unknown directives and roles, unclosed
fences, math latex2mathml cannot convert, reST docutils cannot render, unknown citations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.bibliography import read_bibliography
from lcmodules.load.document import Document, unit_documents
from lcmodules.load.myst import MystProblem, document_problems
from lcmodules.load.references import document_references
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module


def _texts(module: Module) -> Iterator[tuple[Path, int | None, str, int, Document]]:
    """(file, line of the text in the file, prefix, 0-based offset, parsed MyST) of every unit."""
    for unit in module.units:
        lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace")) \
            if unit.notebook is not None else []
        for number, document in unit_documents(unit):
            if number is None and unit.page is not None:
                yield unit.source, None, "", unit.page.body_line, document
            elif number is not None:
                where = lines[number] if number < len(lines) else None
                yield unit.source, where, f"cell {number + 1}, ", 1, document


def check_markdown(module: Module, diag: Diagnostics) -> None:
    """Every construct the renderer cannot show as written is a warning at its line."""
    bib, unreadable = read_bibliography(module.root.resolve(), module.pulled)
    for path, why in unreadable:
        diag.warning(path, None, f"pybtex cannot read this .bib file ({why}): its entries are "
                     "left out", "fix the BibTeX syntax")
    keys = {key.lower() for key in bib.entries}
    for file, cell_line, prefix, offset, document in _texts(module):
        problems = document_problems(document, offset, keys) + _frame_problems(document, offset)
        for problem in problems:
            line = cell_line if cell_line is not None else problem.line
            where = f"{prefix}line {problem.line}: " if prefix else ""
            diag.warning(file, line, where + problem.message, problem.hint)


def _frame_problems(document: Document, offset: int) -> list[MystProblem]:
    return [MystProblem(ref.line, f"<{ref.tag}> '{ref.target}' has no title: screen readers "
                        "announce it as an unnamed frame", 'add title="what it shows"')
            for ref in document_references(document, offset)
            if ref.title is not None and not ref.title.strip()]
