"""What pages pull in, read at load time: included MyST and code, csv-table files, `.bib` files.

The renderer and the exporters read these bytes from the model (`Module.pulled`), never the
disk, so a build renders what was loaded and checked, and the fingerprint covers it.
"""

from __future__ import annotations

from pathlib import Path

from lcmodules.load.bibliography import bib_files
from lcmodules.load.document import Document, parse_document, unit_documents
from lcmodules.load.references import document_references, is_local, resolve_reference
from lcmodules.model import Module, Pulled, Unit

PULLING_TAGS = ("include", "literalinclude", "csv-table")
MAX_DEPTH = 8  # included files that include files …


def pull_files(module: Module) -> None:
    """Read every file the module's pages and cells pull in, and its `.bib` files."""
    root = module.root.resolve()
    for unit in module.units:
        for number, document in unit_documents(unit):
            offset = unit.page.body_line - 1 if number is None and unit.page is not None else 0
            _pull(module, root, unit, document, unit.source.parent, offset, 0)
    for path in bib_files(root):
        _add(module, root, path, None, None)


def _pull(module: Module, root: Path, unit: Unit, document: Document, base: Path,
          offset: int, depth: int) -> None:
    for ref in document_references(document, offset):
        if ref.tag not in PULLING_TAGS or not is_local(ref.target):
            continue
        path = resolve_reference(base, ref.target)
        line = ref.line + 1 if unit.page is not None else None
        if not _add(module, root, path, unit.rel, line):
            continue
        if ref.tag == "include" and path.suffix.lower() == ".md" and depth < MAX_DEPTH:
            text = included_text(module.pulled[path.relative_to(root).as_posix()].data)
            for folder in dict.fromkeys([path.parent, base]):
                _pull(module, root, unit, parse_document(text), folder, 0, depth + 1)


def _add(module: Module, root: Path, path: Path, unit: str | None, line: int | None) -> bool:
    """Read `path` into the model once; False when it is no file inside the module or was
    read already."""
    if not path.is_relative_to(root) or not path.is_file():
        return False  # validation reports it
    rel = path.relative_to(root).as_posix()
    if rel in module.pulled:
        return False
    try:
        module.pulled[rel] = Pulled(path.read_bytes(), unit, line)
    except OSError:
        return False
    return True


def included_text(data: bytes) -> str:
    """A pulled text file as load reads text: UTF-8, a BOM dropped, CRLF made LF."""
    return data.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
