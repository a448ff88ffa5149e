"""`lcmodules import-book`: a Jupyter Book 1 becomes an lcmodules course, one module per chapter."""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from lcmodules.core.fsutil import atomic_path
from lcmodules.core.localext import local_extensions
from lcmodules.importbook.authors import book_authors
from lcmodules.importbook.course import book_language, course_config, dump, module_yml
from lcmodules.importbook.licence import find_licence_file, spdx_id
from lcmodules.importbook.notes import Note, Notes, yaml_error_line, yaml_problem
from lcmodules.importbook.plan import ModulePlan, Plan, file_title, make_plan
from lcmodules.importbook.quizzes import (
    Found,
    notebook_quizzes,
    question_directives,
    quiz_document,
    without_converted,
)
from lcmodules.importbook.reimport import (
    Update,
    changed_since,
    files,
    hash_section,
    listing,
    merge,
    recorded,
    update_section,
)
from lcmodules.importbook.rewrite import Rewriter
from lcmodules.importbook.toc import read_toc
from lcmodules.load.units import notebook_cell_lines, slugify

REPORT = "import-report.md"
# What a book needs installed (Python, conda, Julia, R, binder), copied to the course root.
ENVIRONMENT_FILES = ("requirements.txt", "environment.yml", "environment.yaml", "Project.toml",
                     "Manifest.toml", "install.R", "renv.lock", "runtime.txt", "apt.txt")
__all__ = ["ImportOptions", "ImportResult", "import_book", "REPORT"]


@dataclass
class ImportOptions:
    language: str | None = None
    id_prefix: str | None = None
    split: str = "chapters"  # or "parts"
    force: bool = False  # replace an earlier import even where it was edited since
    update: bool = False  # bring the book's changes into an earlier import, keeping edits


@dataclass
class ImportResult:
    modules: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    licence: str | None = None
    update: Update | None = None  # what --update did

    @property
    def ok(self) -> bool:
        return not any(n.severity == "error" for n in self.notes)


def check_out(book: Path, out: Path, notes: Notes) -> None:
    """--out must not lie in the book and must be empty or an earlier import."""
    if out.resolve().is_relative_to(book.resolve()):
        notes.error("--out", None, f"'{out}' lies inside the book",
                    "import-book never writes into the book: choose a folder outside it")
    elif out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (
            (out / REPORT).is_file() and (out / "_config.yml").is_file()))):
        notes.error("--out", None, f"'{out}' exists, is not empty and is not an earlier import",
                    f"choose a new folder, or an earlier import (with {REPORT})")


def earlier_import(out: Path, options: ImportOptions, notes: Notes) -> dict[str, str] | None:
    """What the earlier import in `out` wrote (the base of --update); an error when the
    lecturer changed files since and neither --force nor --update says what to do."""
    if not (out / REPORT).is_file() or options.force:
        return None
    base = recorded(out / REPORT)
    if base is None:
        notes.error("--out", None, f"'{out}' is an import that recorded no file hashes, so "
                    "your edits cannot be told from the import's own",
                    "--force replaces it; or import into a new folder and compare")
        return None
    changed = changed_since(base, files(out, REPORT))
    if changed and not options.update:
        notes.error("--out", None, f"'{out}' was changed since the last import "
                    f"({len(changed)} file(s)): {listing(changed)}",
                    "--update brings in the book's changes and keeps yours; --force "
                    "replaces them")
    return base


def read_book_config(book: Path, notes: Notes) -> dict:
    """The book's `_config.yml` (round-trip, so values are written back as they were)."""
    path = book / "_config.yml"
    if not path.is_file():
        return {}
    try:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True  # Jupyter Book reads YAML 1.1: "off" must stay a string
        doc = yaml.load(path.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        notes.error("_config.yml", yaml_error_line(exc),
                    f"_config.yml cannot be read: {yaml_problem(exc)}",
                    "fix the YAML")
        return {}
    return doc if isinstance(doc, dict) else {}


def import_book(book: Path, out: Path, options: ImportOptions) -> ImportResult:
    """Import `book` into the course folder `out` (replaced in one step); never changes `book`."""
    book = book.resolve()
    notes = Notes()
    check_out(book, out, notes)
    base = earlier_import(out, options, notes) if not notes.errors else None
    config = read_book_config(book, notes)
    toc = read_toc(book, notes) if not notes.errors else None
    if notes.errors or toc is None:
        return ImportResult(notes=notes.sorted())
    plan = make_plan(book, toc, options.split)
    if not plan.modules:
        notes.error("_toc.yml", toc.root.line if toc.root else 1, "no module was written: "
                    "none of the pages the TOC names can be read (see the other notes)",
                    "correct the TOC or add the pages it names")
        return ImportResult(notes=notes.sorted())
    licence_file = find_licence_file(book)
    licence = spdx_id(licence_file.read_text(encoding="utf-8", errors="replace")) \
        if licence_file else None
    if licence_file and not licence:
        notes.warn(licence_file.name, 1, "the licence is not one lcmodules recognises",
                   "set `license:` (an SPDX id) in each module.yml by hand")
    language = options.language or book_language(config) or "en"
    prefix = options.id_prefix or slugify(str(config.get("title") or book.name)) or "book"
    with atomic_path(out, directory=True) as tmp:
        for module in plan.modules:
            _write_module(plan, module, tmp / "modules" / module.slug, notes, {
                "id": f"{prefix}/{module.slug}", "title": module.title, "version": "1.0.0",
                "language": language,
                "authors": book_authors(config, notes),
                "license": licence,
            }, config)
        _copy_course_files(book, tmp, config, notes)
        _copy_local_extensions(book, tmp, config, notes)
        _copy_environment(book, tmp, notes)
        (tmp / "_config.yml").write_text(
            course_config(config, [m.slug for m in plan.modules], notes), encoding="utf-8")
        written = files(tmp, REPORT)
        update = merge(base, out, tmp, REPORT) if options.update and base is not None else None
        result = ImportResult([m.slug for m in plan.modules], notes.sorted(), licence, update)
        (tmp / REPORT).write_text(report_text(book, toc.format, plan, result, written),
                                  encoding="utf-8")
    return result


def _write_module(plan: Plan, module: ModulePlan, dest: Path, notes: Notes, meta: dict,
                  config: dict) -> None:
    """One module folder: its units rewritten, the files they refer to, module.yml."""
    contents: list[str] = []
    copies: set[str] = set()
    for entry in module.files:
        rewriter = Rewriter(plan, module, entry.path, notes, meta["language"])
        raw = (plan.book / entry.path).read_bytes()
        if entry.path.endswith(".ipynb"):
            data = _notebook(raw, rewriter)
        else:
            text = raw.decode("utf-8", errors="replace")
            new = without_converted(rewriter.rewrite(text), meta["language"])
            data = raw if new == text else new.encode("utf-8")
        target = plan.dest(module, entry.path)
        _write(dest / target, data)
        contents.append(target)
        quiz = _quiz(plan.book, entry.path, raw, notes, meta["language"])
        if quiz is not None:
            name = target.rsplit(".", 1)[0] + ".quiz.yml"
            _write(dest / name, dump(quiz).encode("utf-8"))
            contents.append(name)
        copies |= rewriter.copies
        if _cites(raw):
            for bib in config.get("bibtex_bibfiles") or []:
                if (plan.book / bib).is_file():
                    _write(dest / posixpath.basename(str(bib)), (plan.book / bib).read_bytes())
    for rel in sorted(copies - set(plan.unit_module)):
        copy = dest / plan.dest(module, rel)
        if not copy.exists():
            _write(copy, (plan.book / rel).read_bytes())
    _write(dest / "module.yml", module_yml({**meta, "contents": contents}).encode("utf-8"))


def _quiz(book: Path, src: str, raw: bytes, notes: Notes, language: str) -> dict | None:
    """The knowledge check made of the interactive questions of one page or notebook."""
    found = Found()
    text = raw.decode("utf-8", errors="replace")
    if not src.endswith(".ipynb"):
        question_directives(src, text, 1, found, notes)
    else:
        cells = _cells(text)
        for n, (kind, source, line) in enumerate(cells, start=1):
            if kind == "markdown":
                question_directives(src, source, line, found, notes, f"cell {n}: ")
        notebook_quizzes(book, src, cells, found, notes)
    return quiz_document(file_title(book, src) or Path(src).stem, found, language)


def _cells(text: str) -> list[tuple[str, str, int]]:
    """A notebook's cells as (type, source, line of the cell in the file)."""
    try:
        nb = json.loads(text)
    except json.JSONDecodeError:
        return []
    lines = notebook_cell_lines(text)
    result = []
    for n, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        source = cell.get("source", "") if isinstance(cell, dict) else ""
        result.append((str(cell.get("cell_type")) if isinstance(cell, dict) else "",
                       "".join(source) if isinstance(source, list) else str(source),
                       lines[n] if n < len(lines) else 1))
    return result


def _cites(raw: bytes) -> bool:
    return b"{cite" in raw or b"{bibliography}" in raw


def _notebook(raw: bytes, rewriter: Rewriter) -> bytes:
    """A notebook with its markdown cells' references rewritten (the bytes as they were when
    nothing changes); files its code names are copied too."""
    try:
        nb = json.loads(raw)
    except json.JSONDecodeError:
        rewriter.notes.warn(rewriter.src, 1, "the notebook is not valid JSON; copied as it is",
                            "open and re-save it in Jupyter")
        return raw
    changed = False
    lines = notebook_cell_lines(raw.decode("utf-8", errors="replace"))
    for n, cell in enumerate(nb.get("cells", []) if isinstance(nb, dict) else []):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        line = lines[n] if n < len(lines) else 1
        if cell.get("cell_type") == "code":
            rewriter.cell = n + 1
            new = rewriter.code_files(text, line)
        elif cell.get("cell_type") == "markdown":
            new = rewriter.rewrite(text, line, cell=n + 1)
        else:
            continue
        if new != text:
            cell["source"] = new.splitlines(keepends=True) if isinstance(source, list) else new
            changed = True
    if not changed:
        return raw
    return (json.dumps(nb, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def _copy_course_files(book: Path, tmp: Path, config: dict, notes: Notes) -> None:
    """The logo, the favicon and the bibliography files, at the same place in the course as
    in the book."""
    html = config.get("html")
    if not isinstance(html, dict):
        html = {}
    for rel in [config.get("logo"), html.get("favicon"), *(config.get("bibtex_bibfiles") or [])]:
        if not rel:
            continue
        source = (book / str(rel)).resolve()
        if source.is_file() and source.is_relative_to(book):
            _write(tmp / str(rel), source.read_bytes())
        else:
            notes.warn("_config.yml", None, f"'{rel}' named in _config.yml is not a file of the "
                       "book; left out", "")


def _copy_local_extensions(book: Path, tmp: Path, config: dict, notes: Notes) -> None:
    """The book's own Sphinx extensions (`sphinx.local_extensions`), their folders at the same
    place in the course: code the book already ran in Jupyter Book, which only `build --html`
    loads (docs/security.md)."""
    sphinx = config.get("sphinx")
    entries: Any = sphinx.get("local_extensions") if isinstance(sphinx, dict) else None
    for ext in local_extensions(sphinx, book):
        line = entries.lc.key(ext.name)[0] + 1 if hasattr(entries, "lc") else None
        if ext.folder is None:
            notes.warn("_config.yml", line, f"the folder '{ext.path}' of the Sphinx extension "
                       f"'{ext.name}' lies outside the book; not copied",
                       "copy the extension into the course and correct sphinx.local_extensions")
            continue
        if ext.module_file is None:
            notes.warn("_config.yml", line, f"the Sphinx extension '{ext.name}' is not in the "
                       f"book (no '{ext.name}.py' in '{ext.path}'); the course names it without "
                       "its code", "add it to the course, or remove it from "
                       "sphinx.local_extensions")
            continue
        files = ext.files()
        for rel, path in files.items():
            _write(tmp / rel, path.read_bytes())
        notes.warn("_config.yml", line, f"the book's Sphinx extension '{ext.name}' "
                   f"({len(files)} file(s) of '{ext.path}') was copied into the course; only "
                   "`build --html` (Sphinx) runs it", "")


def repo_root(book: Path) -> Path | None:
    """The root of the git repository the book lies in (a folder with `.git`), if any."""
    return next((p for p in [book, *book.parents] if (p / ".git").exists()), None)


def _copy_environment(book: Path, tmp: Path, notes: Notes) -> None:
    """The book's environment files (at its root, else its repository's root) to the course
    root, so that `pip install -r requirements.txt` there installs what the book needs."""
    root = repo_root(book)
    for name in ENVIRONMENT_FILES:
        source = next((f / name for f in [book, root] if f and (f / name).is_file()), None)
        if source is None:
            continue
        _write(tmp / name, source.read_bytes())
        if source.parent != book:
            notes.warn(name, None, f"copied to the course from the book's repository root "
                       f"('{source.parent.name}')", "")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def report_text(book: Path, fmt: str, plan: Plan, result: ImportResult,
                written: dict[str, str]) -> str:
    """`import-report.md`: the modules made, every note in book order, what --update did and
    the hash of every file the import wrote."""
    lines = [f"# Import report: {book.name}", "",
             f"A Jupyter Book ({fmt}) imported by `lcmodules import-book`.", "",
             f"Licence: {result.licence or 'not recognised'}", "", "## Modules", ""]
    for module in plan.modules:
        lines.append(f"- `modules/{module.slug}`: {module.title} "
                     f"({len(module.files)} unit(s), from `_toc.yml:{module.line}`)")
    lines += ["", f"## Not carried over, or changed ({len(result.notes)})", ""]
    lines += [f"- {n.format()}" for n in result.notes] or ["Nothing: everything was carried over."]
    lines.append("")
    if result.update is not None:
        lines += update_section(result.update)
    lines += hash_section(written)
    return "\n".join(lines) + "\n"
