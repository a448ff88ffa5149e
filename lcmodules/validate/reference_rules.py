"""Rules for references from pages and notebook markdown: inside the module, existing, with alt text."""

from __future__ import annotations

from pathlib import Path

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.document import page_document, unit_documents
from lcmodules.load.references import (
    Reference,
    document_references,
    is_local,
    resolve_reference,
    target_path,
)
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module


def check_references(module: Module, diag: Diagnostics) -> None:
    """Every local reference stays inside the module and exists; every image has alt text."""
    root = module.root.resolve()
    for unit in module.units:
        base = unit.source.parent
        if unit.page is not None:
            for ref in document_references(page_document(unit.page), unit.page.body_line):
                _check(ref, unit.source, ref.line, base, root, diag, "")
        if unit.notebook is not None:
            lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
            for number, document in unit_documents(unit):
                assert number is not None
                cell = unit.notebook.cells[number]
                attachments = set((cell.get("attachments") or {}).keys())
                for ref in document_references(document):
                    if ref.target.startswith("attachment:"):
                        name = ref.target.removeprefix("attachment:")
                        if name not in attachments:
                            diag.error(unit.source, lines[number] if number < len(lines) else None,
                                       f"cell {number + 1}: attachment '{name}' is not in the cell",
                                       "paste the image into the cell again")
                        continue
                    where = lines[number] if number < len(lines) else None
                    _check(ref, unit.source, where, base, root, diag, f"cell {number + 1}: ")


def _check(ref: Reference, file: Path, line: int | None, base: Path, root: Path,
           diag: Diagnostics, prefix: str) -> None:
    if ref.alt is not None and not ref.alt.strip():
        diag.warning(file, line, f"{prefix}image '{ref.target}' has no alt text",
                   "describe the image for screen readers: ![description](path), "
                   "or `:alt: description` under the figure/image directive")
    if not is_local(ref.target) or ref.kind == "label":
        return
    path_text = target_path(ref.target)
    if path_text.startswith("/"):
        diag.error(file, line, f"{prefix}'{ref.target}' is an absolute path",
                   "refer to files relative to this file, inside the module folder")
        return
    target = resolve_reference(base, ref.target)
    if not target.is_relative_to(root):
        diag.error(file, line, f"{prefix}'{ref.target}' points outside the module folder",
                   "copy the file into the module folder and refer to it there")
    elif not target.exists():
        diag.error(file, line, f"{prefix}'{ref.target}' does not exist",
                   "create the file or correct the path (paths are case-sensitive)")
