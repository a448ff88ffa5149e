"""Rules for references from pages and notebook markdown: inside the module, existing, with alt text."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.document import Document, page_document, unit_documents
from lcmodules.load.links import LinkIndex, link_index, role_targets
from lcmodules.load.references import (
    Reference,
    document_references,
    is_local,
    is_picture,
    resolve_reference,
    target_path,
)
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module, Unit


def check_references(module: Module, diag: Diagnostics) -> None:
    """Every local reference stays inside the module and exists; every image has alt text;
    links and `{doc}`/`{ref}`/`{numref}`/`{eq}` roles resolve as Jupyter Book resolves them
    (a dead link is a warning)."""
    root = module.root.resolve()
    index = link_index(module)
    notebooks: dict[Path, tuple[Path, int | None]] = {}  # linked notebooks that are no unit
    for unit in module.units:
        base = unit.source.parent
        if unit.page is not None:
            document = page_document(unit.page)
            for ref in document_references(document, unit.page.body_line):
                if not _dead_link(ref, unit, index, ref.line, diag, ""):
                    _check(ref, unit.source, ref.line, base, root, diag, "")
                    _note_notebook(ref, unit.source, ref.line, base, index, notebooks)
            _check_roles(document, unit, index, unit.page.body_line, None, diag, "")
        if unit.notebook is not None:
            lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
            for number, document in unit_documents(unit):
                assert number is not None
                where = lines[number] if number < len(lines) else None
                _check_cell(unit, number, document, where, index, root, diag, notebooks)
    for path, (file, line) in notebooks.items():
        if path.is_relative_to(root):
            _check_notebook_file(path, file, line, diag)
    module.links_outside = dict(index.outside)  # what these checks relied on outside it


def _note_notebook(ref: Reference, file: Path, line: int | None, base: Path, index: LinkIndex,
                   found: dict[Path, tuple[Path, int | None]]) -> None:
    """Remember a notebook a page offers (to download or open) that is not a unit: the packages
    ship it in the learner's edition, so it must be a notebook that can be read."""
    if not is_local(ref.target) or not target_path(ref.target).lower().endswith(".ipynb"):
        return
    path = resolve_reference(base, ref.target)
    if path not in index.units and path.is_file():
        found.setdefault(path, (file, line))


def _check_notebook_file(path: Path, file: Path, line: int | None, diag: Diagnostics) -> None:
    try:
        nbformat.read(path, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for a broken file
        diag.error(file, line, f"'{path.name}' is offered here but is not a notebook that can be "
                   f"read ({str(exc).splitlines()[0][:120]}); packages ship notebooks in the "
                   "learner's edition, so it must be read",
                   "save it again from Jupyter, or link to another file")


def _check_cell(unit: Unit, number: int, document: Document, where: int | None,
                index: LinkIndex, root: Path, diag: Diagnostics,
                notebooks: dict[Path, tuple[Path, int | None]]) -> None:
    assert unit.notebook is not None
    cell = unit.notebook.cells[number]
    attachments = set((cell.get("attachments") or {}).keys())
    prefix = f"cell {number + 1}: "
    for ref in document_references(document):
        if ref.target.startswith("attachment:"):
            name = ref.target.removeprefix("attachment:")
            if name not in attachments:
                diag.error(unit.source, where, f"{prefix}attachment '{name}' is not in the cell",
                           "paste the image into the cell again")
            continue
        if not _dead_link(ref, unit, index, where, diag, prefix):
            _check(ref, unit.source, where, unit.source.parent, root, diag, prefix)
            _note_notebook(ref, unit.source, where, unit.source.parent, index, notebooks)
    _check_roles(document, unit, index, 0, where, diag, prefix)


def _dead_link(ref: Reference, unit: Unit, index: LinkIndex, line: int | None,
               diag: Diagnostics, prefix: str) -> bool:
    """True when a Markdown link is settled here: it resolves to a page, label or heading of
    the module or to a page of another module of the course, or it names none and no file
    either (a dead link: a warning)."""
    if ref.tag != "a" or ref.kind not in ("link", "label") or not ref.target:
        return False
    if index.link(unit.index, unit.source.parent, ref.target) is not None or \
            index.elsewhere(unit.source.parent, ref.target) is not None:
        return True  # a page of this module, or of another module of the course
    parts = urlsplit(ref.target)
    if parts.scheme or parts.netloc:
        return False
    page = index.page(unit.source.parent, unquote(parts.path)) if parts.path else unit.index
    if page is not None and parts.fragment:
        diag.warning(unit.source, line, f"{prefix}link '{ref.target}': no label or heading "
                     f"anchor '{parts.fragment}' on that page (a dead link)",
                     "add a label `(name)=` above the heading, or set `myst_heading_anchors` "
                     "in _config.yml (parse:)")
        return True
    name = unquote(parts.path)
    if page is None and "." not in name.rsplit("/", 1)[-1] and \
            not resolve_reference(unit.source.parent, ref.target).exists():
        diag.warning(unit.source, line, f"{prefix}link '{ref.target}' names no page, label or "
                     "file of the module (a dead link)",
                     "link to a page (`intro` or `intro.md`), a label `(name)=`, or a file")
        return True
    return False


def _check_roles(document: Document, unit: Unit, index: LinkIndex, offset: int,
                 where: int | None, diag: Diagnostics, prefix: str) -> None:
    for line, role, target in role_targets(document, offset):
        if index.role(role, unit.index, unit.source.parent, target) is None:
            what = "page" if role == "doc" else "equation label" if role == "eq" else \
                "numbered label (figure, table, equation)" if role == "numref" else "label"
            diag.warning(unit.source, where if where is not None else line,
                         f"{prefix}{{{role}}}`{target}` names no {what} of the module "
                         "(a dead link)",
                         "define the label with `(name)=` or `:name:`, or correct the name")


def _check(ref: Reference, file: Path, line: int | None, base: Path, root: Path,
           diag: Diagnostics, prefix: str) -> None:
    if ref.alt is not None and not ref.alt.strip():
        diag.warning(file, line, f"{prefix}image '{ref.target}' has no alt text",
                   "describe the image for screen readers: ![description](path), "
                   "or `:alt: description` under the figure/image directive")
    if ref.kind == "download" and not ref.target:
        diag.warning(file, line, f"{prefix}a {{download}} role names no file (empty target)",
                     "put the file's path between < and >, or remove the role")
        return
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
    elif not target.exists() and _is_link(ref):
        diag.warning(file, line, f"{prefix}link '{ref.target}': no such file (a dead link)",
                     "create the file or correct the path (paths are case-sensitive)")
    elif not target.exists() and is_picture(ref):
        diag.warning(file, line, f"{prefix}image '{ref.target}' does not exist: the page shows "
                     "its alt text or caption instead (a missing image)",
                     "add the file to the module or correct the path (paths are case-sensitive)")
    elif not target.exists():
        diag.error(file, line, f"{prefix}'{ref.target}' does not exist",
                   "create the file or correct the path (paths are case-sensitive)")


def _is_link(ref: Reference) -> bool:
    """True for a link a learner follows (Markdown or HTML `<a>`, `{download}`): a missing
    target is a dead link, as in Jupyter Book, and the page still builds."""
    return ref.kind == "download" or (ref.kind in ("link", "html") and ref.tag == "a")
