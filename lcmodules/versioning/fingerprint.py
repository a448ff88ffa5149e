"""Content fingerprints of modules: sha256 over normalised sources, overall and per file."""

from __future__ import annotations

import ast
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from lcmodules.load.bibliography import bib_files
from lcmodules.load.document import Document, parse_document, unit_documents
from lcmodules.load.pulled import directive_files
from lcmodules.load.references import document_references, is_local, resolve_reference
from lcmodules.model import Module, Unit

ALGORITHM = "lcmodules-fingerprint-1"
"""Name of the normalisation and combination rules below; changes if they ever change."""

LOCK_NAME = "module.lock"
CHANGELOG_NAME = "CHANGELOG.md"
# Written by `lcmodules release` itself: never part of the content.
EXCLUDED = frozenset({LOCK_NAME, CHANGELOG_NAME})

# Cell metadata that Jupyter (or its extensions) changes when a notebook is run or viewed.
TRANSIENT_CELL_METADATA = frozenset({
    "execution", "ExecuteTime", "collapsed", "scrolled", "jupyter", "heading_collapsed",
    "hidden", "papermill", "pycharm", "vscode",
})
# Notebook metadata of the same kind; `language_info` keeps only its `name`.
TRANSIENT_NB_METADATA = frozenset({
    "widgets", "papermill", "toc", "varInspector", "execution", "vscode", "colab",
})


@dataclass(frozen=True)
class Fingerprint:
    """The fingerprint of a module: `digest` over all files, and each file's own hash."""

    digest: str  # "sha256:<hex>"
    files: dict[str, str] = field(default_factory=dict)  # module-relative POSIX path -> "sha256:<hex>"

    def diff(self, old: Mapping[str, str]) -> FileChanges:
        """Which files were added, removed or changed compared with `old` (path -> hash)."""
        return FileChanges(
            added=sorted(set(self.files) - set(old)),
            removed=sorted(set(old) - set(self.files)),
            changed=sorted(p for p in self.files if p in old and old[p] != self.files[p]),
        )


@dataclass(frozen=True)
class FileChanges:
    """Files added, removed and changed between two fingerprints."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def describe(self, limit: int = 8) -> str:
        """'changed a.md, b.ipynb; added img/x.png' — at most `limit` names in all."""
        parts: list[str] = []
        shown = 0
        total = len(self.added) + len(self.removed) + len(self.changed)
        for label, names in (("changed", self.changed), ("added", self.added),
                             ("removed", self.removed)):
            take = names[: max(0, limit - shown)]
            shown += len(take)
            if take:
                parts.append(f"{label} {', '.join(take)}")
        text = "; ".join(parts)
        if total > shown:
            text += f" and {total - shown} more"
        return text


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def normalise_text(raw: bytes) -> bytes:
    """Line endings only: CRLF and lone CR become LF."""
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _source_text(source: Any) -> str:
    text = "".join(source) if isinstance(source, list) else str(source or "")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def normalise_notebook(raw: bytes) -> bytes:
    """A notebook's content without what running or viewing it changes.

    Dropped: outputs, execution counts, cell ids, transient cell and notebook metadata
    (timings, collapsed/scrolled, widget state, language version), `nbformat_minor`.
    Kept: cell types and sources, tags and other cell metadata, attachments, kernel spec.
    A file that is not a JSON notebook is treated as text.
    """
    try:
        nb = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return normalise_text(raw)
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return normalise_text(raw)
    cells = []
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            cells.append(cell)
            continue
        meta = {k: v for k, v in (cell.get("metadata") or {}).items()
                if k not in TRANSIENT_CELL_METADATA}
        kept: dict[str, Any] = {
            "cell_type": cell.get("cell_type"),
            "source": _source_text(cell.get("source")),
            "metadata": meta,
        }
        if cell.get("attachments"):
            kept["attachments"] = cell["attachments"]
        cells.append(kept)
    meta = {k: v for k, v in (nb.get("metadata") or {}).items() if k not in TRANSIENT_NB_METADATA}
    info = meta.get("language_info")
    if isinstance(info, dict):
        meta["language_info"] = {"name": info.get("name")}
    canonical = {"cells": cells, "metadata": meta, "nbformat": nb.get("nbformat")}
    return json.dumps(canonical, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def normalise(rel: str, raw: bytes) -> bytes:
    """The bytes that are hashed for the file `rel`: notebooks without run state,
    text (no NUL byte) with LF line endings, anything else as it is."""
    if rel.lower().endswith(".ipynb"):
        return normalise_notebook(raw)
    if b"\0" in raw:
        return raw
    return normalise_text(raw)


def file_hash(rel: str, raw: bytes) -> str:
    """'sha256:<hex>' of the normalised content of one file."""
    return "sha256:" + sha256_hex(normalise(rel, raw))


def file_hash_streamed(path: Path) -> str:
    """`file_hash` of a file on disk, read in chunks (data sets and videos never whole in memory).

    One pass hashes the raw bytes and the LF-normalised text side by side; a NUL byte anywhere
    makes it binary, as in `normalise`.
    """
    raw, text = hashlib.sha256(), hashlib.sha256()
    binary, pending_cr = False, False
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            raw.update(chunk)
            if binary:
                continue
            binary = b"\0" in chunk
            data = (b"\r" if pending_cr else b"") + chunk
            pending_cr = data.endswith(b"\r")
            text.update(normalise_text(data[:-1] if pending_cr else data))
    if pending_cr and not binary:
        text.update(b"\n")
    return "sha256:" + (raw if binary else text).hexdigest()


def combine(files: Mapping[str, str]) -> str:
    """The module digest: sha256 over `ALGORITHM` and the sorted `path NUL hash` lines."""
    h = hashlib.sha256(f"{ALGORITHM}\n".encode())
    for rel in sorted(files):
        h.update(f"{rel}\0{files[rel]}\n".encode())
    return "sha256:" + h.hexdigest()


# ---------------------------------------------------------------- which files


def _quiz_texts(unit: Unit) -> Iterable[str]:
    quiz = unit.quiz
    if quiz is None:
        return
    if quiz.intro:
        yield quiz.intro
    for q in quiz.questions:
        yield from (text for _loc, text in q.texts())


def _code_strings(source: str) -> Iterable[str]:
    """String literals in a code cell (paths of data files such as '../data/x.csv')."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value.strip()
            if value and "\n" not in value and len(value) < 300:
                yield value


def _inside(root: Path, target: Path) -> str | None:
    """`target` as a module-relative POSIX path when it is an existing file in `root`."""
    if not target.is_relative_to(root) or not target.is_file():
        return None
    rel = PurePosixPath(target.relative_to(root).as_posix()).as_posix()
    return None if rel in EXCLUDED else rel


def referenced_files(module: Module) -> set[str]:
    """Module-relative paths of the existing files inside the module that units refer to.

    Markdown pages, notebook markdown cells and quiz texts: links, images, figure, image,
    include and download directives, the file a book extension's directive names
    (`load.pulled.directive_files`). Notebook code cells: string literals naming a file
    (relative to the notebook's folder), e.g. `pd.read_csv("../data/metingen.csv")`.
    References that leave the module or do not exist are left to validation.
    """
    root = module.root.resolve()
    found = {_inside(root, target) for unit in module.units for target in _unit_targets(unit)}
    return {rel for rel in found if rel}


def _unit_targets(unit: Unit) -> Iterator[Path]:
    """The files a unit's markdown and code refer to, resolved (maybe outside the module)."""
    base = unit.source.parent
    documents = [parse_document(text) for text in _quiz_texts(unit)]
    documents += [document for _, document in unit_documents(unit)]
    for cell in unit.notebook.cells if unit.notebook is not None else []:
        if cell.cell_type == "code":
            yield from _code_targets(_source_text(cell.source), base)
    for document in documents:
        yield from _markdown_targets(document, base)


def _markdown_targets(document: Document, base: Path) -> Iterator[Path]:
    for ref in [*document_references(document), *directive_files(document)]:
        if is_local(ref.target) and not ref.target.startswith("attachment:"):
            yield resolve_reference(base, ref.target)


def _code_targets(source: str, base: Path) -> Iterator[Path]:
    for value in _code_strings(source):
        if "/" in value or "." in value:
            try:
                yield (base / value).resolve()
            except (OSError, ValueError):
                continue


def module_sources(module: Module,
                   overrides: Mapping[str, bytes] | None = None) -> dict[str, bytes | Path]:
    """Every file in the fingerprint: module.yml and the units as bytes, the files pages pull
    in (includes, csv-table files, `.bib` files) as load read them (`Module.pulled`), other
    referenced files as paths (hashed in chunks, never read whole).

    `overrides` replaces files by module-relative path (a release fingerprints the module.yml
    it is about to write).
    """
    root = module.root.resolve()
    sources: dict[str, bytes | Path] = {"module.yml": module.module_file.read_bytes()}
    for unit in module.units:
        rel = unit.source.resolve().relative_to(root).as_posix()
        sources[rel] = unit.raw
    for rel in sorted(referenced_files(module) - set(sources)):
        sources[rel] = root / rel
    for rel, found in sorted(module.pulled.items()):  # what pages pull in, as load read it
        if not isinstance(sources.get(rel), bytes):
            sources[rel] = found.data
    for path in bib_files(root):
        sources.setdefault(path.relative_to(root).as_posix(), path)
    for rel, data in (overrides or {}).items():
        if rel in sources:
            sources[rel] = data
    return sources


def fingerprint_files(sources: Mapping[str, bytes | Path]) -> Fingerprint:
    """The fingerprint of files given as module-relative path -> raw bytes or a file on disk."""
    files = {
        rel: file_hash_streamed(raw) if isinstance(raw, Path) and not rel.lower().endswith(".ipynb")
        else file_hash(rel, raw.read_bytes() if isinstance(raw, Path) else raw)
        for rel, raw in sources.items()
    }
    return Fingerprint(combine(files), dict(sorted(files.items())))


def fingerprint_module(module: Module, overrides: Mapping[str, bytes] | None = None) -> Fingerprint:
    """The fingerprint of a loaded module (see `module_sources`)."""
    return fingerprint_files(module_sources(module, overrides))
