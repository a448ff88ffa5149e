"""Loading the units of a module: MyST pages, notebooks and knowledge checks."""

from __future__ import annotations

import json
import re
import unicodedata
import warnings
from pathlib import Path

import nbformat
from nbformat.validator import iter_validate, normalize

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.slugs import ascii_slug, fold_ascii, slugify  # noqa: F401 (re-exported)
from lcmodules.load.document import parse_unit
from lcmodules.load.yamlsrc import check_model, decode_text, parse_yaml
from lcmodules.model import Page, Quiz, Unit, UnitKind

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.M)
CELL_KEY = re.compile(r'(?<!\\)"cell_type"\s*:')
# What Windows (and so OneDrive, SharePoint and many LMS zip tools) cannot hold in a name.
WINDOWS_CHARS = set('?:*"<>|')
WINDOWS_DEVICES = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", re.I)


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
    lines, line, at = [], 1, 0
    for match in CELL_KEY.finditer(text):
        line += text.count("\n", at, match.start())
        at = match.start()
        lines.append(line)
    return lines


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
    if data.get("nbformat") != 4:
        from lcmodules.load.messages import notebook_format

        diag.error(path, 1, *notebook_format(data))
        return None
    original = data
    data = normalise_cell_ids(data, path, diag)
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
    if data is not original:
        text = json.dumps(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # nbformat's own warnings are reported above
        return nbformat.reads(text, as_version=nbformat.NO_CONVERT)


def normalise_cell_ids(data: dict, path: Path, diag: Diagnostics) -> dict:
    """An nbformat 4.5+ notebook with missing or repeated cell ids repaired by nbformat's own
    normaliser, as Jupyter does on opening it, with one warning for the file. The ids given are
    then made deterministic (`cell-<n>`), so every build of the same file is the same."""
    cells = data.get("cells")
    minor = data.get("nbformat_minor")
    if not isinstance(minor, int) or minor < 5 or not isinstance(cells, list):
        return data
    seen: set[str] = set()
    fix: list[int] = []
    for n, cell in enumerate(cells):
        ident = cell.get("id") if isinstance(cell, dict) else None
        if isinstance(cell, dict) and (not isinstance(ident, str) or ident in seen):
            fix.append(n)
        seen.add(str(ident))
    if not fix:
        return data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, data = normalize(data)
    taken = {str(c.get("id")) for i, c in enumerate(data["cells"]) if i not in fix}
    for n in fix:
        ident = f"cell-{n + 1}"
        while ident in taken:
            ident += "-1"
        data["cells"][n]["id"] = ident
        taken.add(ident)
    missing = sum(1 for n in fix if "id" not in cells[n])
    what = (f"{missing} cell(s) without an id" if missing else "") + (
        " and " if missing and len(fix) > missing else "") + (
        f"{len(fix) - missing} repeated cell id(s)" if len(fix) > missing else "")
    diag.warning(path, 1, f"nbformat {data['nbformat']}.{data['nbformat_minor']} notebook with "
                 f"{what}; lcmodules gives them ids, as Jupyter does",
                 "open and save the notebook in Jupyter (or run nbformat's normalize) to store ids")
    return data


def notebook_title(nb: nbformat.NotebookNode) -> str | None:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = HEADING.search(cell.source)
            if match:
                return match.group(1).strip()
    return None


def windows_name_problem(rel: str) -> str | None:
    """Why Windows cannot hold this relative path, in words; None when it can."""
    for part in rel.split("/"):
        bad = sorted(WINDOWS_CHARS & set(part))
        if bad:
            return "the name holds " + " ".join(f"'{c}'" for c in bad)
        if part and part[-1] in ". ":
            return f"'{part}' ends in {'a dot' if part[-1] == '.' else 'a space'}"
        if WINDOWS_DEVICES.match(part):
            return f"'{part}' is a device name on Windows"
    return None


def _form(text: str) -> str:
    return next((f for f in ("NFC", "NFD") if unicodedata.is_normalized(f, text)), "mixed")


def same_name_on_disk(module_root: Path, rel: str) -> str | None:
    """The file in the module that `rel` names after Unicode normalisation (NFC), when its
    name is written in another form; None when there is none."""
    wanted = unicodedata.normalize("NFC", rel)
    if wanted == rel and unicodedata.normalize("NFD", rel) == rel:
        return None  # plain ASCII: no other form
    folder = module_root / Path(rel).parent
    if not folder.is_dir():
        return None
    for path in sorted(folder.iterdir()):
        name = path.relative_to(module_root).as_posix()
        if path.is_file() and unicodedata.normalize("NFC", name) == wanted:
            return name
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
    problem = windows_name_problem(rel)
    if problem:
        diag.warning(module_file, contents_line, f"'{rel}': {problem}, so the module cannot "
                     "be checked out or unpacked on Windows or synced with OneDrive",
                     "rename the file (letters, digits, '-' and '_' are safe everywhere)")
    if not source.is_file():
        on_disk = same_name_on_disk(module_root, rel)
        if on_disk is not None:
            diag.warning(module_file, contents_line,
                         f"'{rel}' in contents and the file '{on_disk}' look alike but are "
                         f"written in different Unicode forms (contents: {_form(rel)}, the "
                         f"file: {_form(on_disk)}): some systems take them for two files",
                         "retype the name in module.yml, or rename the file, so both are the "
                         "same")
            rel, source = on_disk, module_root / on_disk
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
    parse_unit(unit)
    return unit
