"""What pages pull in, read at load time: included MyST and code, csv-table files, `.bib` files;
and which files the directives of a book's own Sphinx extensions name (not read: like a
`{download}`'s file, the Jupyter Book export copies it and the fingerprint hashes it).

The renderer and the exporters read these bytes from the model (`Module.pulled`), never the
disk, so a build renders what was loaded and checked, and the fingerprint covers it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lcmodules.load.bibliography import bib_files
from lcmodules.load.document import Document, parse_document, unit_documents
from lcmodules.load.myst import DIRECTIVES, parse_directive
from lcmodules.load.references import (
    NO_MARKDOWN_BODY,
    PATH_DIRECTIVES,
    Reference,
    document_references,
    is_local,
    resolve_reference,
)
from lcmodules.model import Module, Pulled, Unit

PULLING_TAGS = ("include", "literalinclude", "csv-table")
DIRECTIVE_FILE = "directive-file"  # the kind of a `directive_files` reference
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


def directive_files(document: Document, line_offset: int = 0) -> list[Reference]:
    """The file argument of each directive lcmodules does not know, as a candidate: e.g.
    ```` ```{custom_download_link} ./data.ipynb ```` of a book's own Sphinx extension, which
    reads the file relative to the page. Kind `directive-file`, tag the directive's name;
    only an argument that is one relative path counts, and only an existing file is one (the
    caller checks): pages show such a directive as any unknown one (validate warns), the
    Jupyter Book export carries the file, packages ship it only when a page links to it."""
    found = document.derived.get(DIRECTIVE_FILE)
    if found is None:
        found = document.derived[DIRECTIVE_FILE] = _directive_files(document)
    return [replace(r, line=r.line + line_offset) for r in found]


def _directive_files(document: Document) -> list[Reference]:
    found: list[Reference] = []
    for token in document.tokens:
        directive = parse_directive(token.info, token.content) \
            if token.type in ("fence", "colon_fence") else None
        if directive is None:
            continue
        line = token.map[0] if token.map else 0
        target = directive.argument
        if directive.name not in DIRECTIVES and directive.name not in PATH_DIRECTIVES \
                and target and len(target.split()) == 1 and is_local(target) \
                and not target.startswith("/"):
            found.append(Reference(line, DIRECTIVE_FILE, target, None, directive.name))
        if directive.name not in NO_MARKDOWN_BODY and directive.body.strip():
            found += directive_files(document.body(directive.body), line + 1 + directive.body_offset)
    return found
