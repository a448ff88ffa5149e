"""Loading the units of a module: MyST pages, notebooks and knowledge checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbformat.validator import iter_validate

from lcmodules.diagnostics import Diagnostics
from lcmodules.load.yamlsrc import check_model, decode_text, parse_yaml
from lcmodules.model import Page, Quiz, Unit, UnitKind
from lcmodules.slugs import ascii_slug, fold_ascii, slugify  # noqa: F401 (re-exported)

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
CELL_KEY = re.compile(r'(?<!\\)"cell_type"\s*:')


def unit_kind(rel: str) -> UnitKind | None:
    name = rel.lower()
    if name.endswith(".quiz.yml") or name.endswith(".quiz.yaml"):
        return "quiz"
    if name.endswith(".ipynb"):
        return "notebook"
    if name.endswith(".md"):
        return "page"
    return None


def unit_slug(index: int, rel: str) -> str:
    stem = Path(rel).name
    for suffix in (".quiz.yml", ".quiz.yaml", ".ipynb", ".md"):
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return f"{index + 1:02d}-{ascii_slug(stem)}"


def split_front_matter(text: str, path: Path, diag: Diagnostics) -> Page:
    match = FRONT_MATTER.match(text)
    if not match:
        return Page({}, text, 1)
    doc = parse_yaml(match.group(1) or "", path, diag, line_offset=1)
    front: dict = {}
    if doc is not None and not isinstance(doc, dict):
        diag.error(path, 2, "front matter must be `key: value` lines", "e.g. `title: My page`")
    elif doc:
        front = dict(doc)
    body_line = text[: match.end()].count("\n") + 1
    return Page(front, text[match.end():], body_line)


def notebook_cell_lines(text: str) -> list[int]:
    """The 1-based line in the notebook's JSON where each cell starts (for messages)."""
    return [text.count("\n", 0, m.start()) + 1 for m in CELL_KEY.finditer(text)]


def load_notebook(path: Path, text: str, diag: Diagnostics) -> nbformat.NotebookNode | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diag.error(path, exc.lineno, f"the notebook is not valid JSON: {exc.msg}",
                   "the file may be truncated or hand-edited; re-save it from Jupyter", exc.colno)
        return None
    if not isinstance(data, dict):
        diag.error(path, 1, "the notebook is not a JSON object", "re-save it from Jupyter")
        return None
    major = data.get("nbformat")
    if major != 4:
        diag.error(
            path, 1, f"notebook format {major} is not supported (lcmodules reads nbformat 4)",
            "convert it: jupyter nbconvert --to notebook --nbformat 4 --inplace FILE",
        )
        return None
    errors = list(iter_validate(data))
    if errors:
        lines = notebook_cell_lines(text)
        for err in errors[:20]:
            path_parts = list(err.absolute_path) if hasattr(err, "absolute_path") else []
            line = 1
            if len(path_parts) >= 2 and path_parts[0] == "cells" and isinstance(path_parts[1], int):
                line = lines[path_parts[1]] if path_parts[1] < len(lines) else 1
            where = "/".join(str(p) for p in path_parts) or "notebook"
            diag.error(path, line, f"not a valid nbformat 4 notebook at {where}: {err.message}",
                       "open and re-save it in Jupyter, or fix the JSON by hand")
        return None
    return nbformat.reads(text, as_version=nbformat.NO_CONVERT)


def notebook_title(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                return match.group(1).strip()
    return None


def load_unit(module_root: Path, index: int, rel: str, diag: Diagnostics,
              contents_line: int | None) -> Unit | None:
    """Load one `contents` entry; report a missing or unreadable file at its line in module.yml."""
    module_file = module_root / "module.yml"
    kind = unit_kind(rel)
    if kind is None:
        diag.error(module_file, contents_line, f"'{rel}' is not a unit lcmodules knows",
                   "units are *.md pages, *.ipynb notebooks and *.quiz.yml knowledge checks")
        return None
    source = (module_root / rel)
    if Path(rel).is_absolute() or not source.resolve().is_relative_to(module_root.resolve()):
        diag.error(module_file, contents_line, f"'{rel}' lies outside the module folder",
                   "units must be files inside the module folder")
        return None
    if not source.is_file():
        siblings = sorted(p.relative_to(module_root).as_posix()
                          for p in module_root.rglob("*") if unit_kind(p.name) == kind)
        hint = "create the file or correct the path"
        if siblings:
            import difflib
            close = difflib.get_close_matches(rel, siblings, n=1, cutoff=0.5)
            if close:
                hint = f"did you mean '{close[0]}'?"
        diag.error(module_file, contents_line, f"unit '{rel}' does not exist", hint)
        return None
    raw = source.read_bytes()
    stem_title = Path(rel).name.split(".")[0]
    unit = Unit(index=index, source=source, rel=rel, kind=kind, title=stem_title,
                slug=unit_slug(index, rel), raw=raw)
    if not raw.strip():
        diag.error(source, 1, "the file is empty", "write its content, or remove it from `contents`")
        return unit
    text = decode_text(raw, source, diag)
    if text is None:
        return unit
    if kind == "page":
        unit.page = split_front_matter(text, source, diag)
        title = unit.page.front_matter.get("title")
        heading = HEADING.search(unit.page.body)
        unit.title = str(title) if title else heading.group(1).strip() if heading else stem_title
    elif kind == "notebook":
        unit.notebook = load_notebook(source, text, diag)
        if unit.notebook is not None:
            unit.title = notebook_title(unit.notebook) or stem_title
    else:
        before = len(diag.problems)
        unit.doc = parse_yaml(text, source, diag)
        if len(diag.problems) == before:
            unit.quiz = check_model(Quiz, unit.doc, source, diag, what="knowledge check")
            if unit.quiz is not None:
                unit.title = unit.quiz.title
    return unit
