"""Export `jupyter-book`: a Jupyter Book 1 source tree per module and one for the course."""

from __future__ import annotations

import copy
import functools
import importlib.util
import os
import posixpath
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from nbformat import NotebookNode

from lcmodules.core.diagnostics import InputError, Problem
from lcmodules.core.extensions import install_hint
from lcmodules.core.fsutil import atomic_path, write_tree
from lcmodules.core.outpath import relative_name
from lcmodules.export.base import BuildOptions, Edition, Exporter
from lcmodules.export.jupyter_book_config import (
    FileContent,
    bibliography_files,
    html_section,
    passed_keys,
    sphinx_section,
    support_files,
    yaml_text,
)
from lcmodules.load.document import page_document, parse_document, unit_documents
from lcmodules.load.links import Elsewhere, LinkIndex, link_index
from lcmodules.load.myst import parse_directive
from lcmodules.load.pulled import directive_files, included_text
from lcmodules.load.references import (
    Reference,
    document_references,
    is_local,
    is_picture,
    target_path,
)
from lcmodules.load.units import ascii_slug
from lcmodules.model import Course, Module, Unit
from lcmodules.render.assets import safe_path
from lcmodules.render.i18n import format_number, script_strings, strings
from lcmodules.render.markdown import Context, elsewhere_suffix, missing_image, renderer
from lcmodules.render.quiz import render_quiz, script_json
from lcmodules.render.sanitize import (
    filter_author_markdown,
    inert_asset,
    sanitize_notebook_outputs,
    sanitize_output_html,
)
from lcmodules.render.site import page_environment, static_files
from lcmodules.transform.learner import (
    module_edition,
    notebook_bytes,
    page_text,
    shipped_file,
)

BUILD_TIMEOUT = 1800


# ---------------------------------------------------------------- small writers


def _md_text(text: str) -> str:
    """A metadata value on one line of Markdown (lecturers' own text; only line breaks go)."""
    return " ".join(str(text).split())


# where a target stands: a link, a directive's argument (any directive: a book extension's
# too) or a role's, an option, an HTML attribute
TARGET_CONTEXT = (r"\]\(\s*<?", r"<", r"\{[\w:.-]+\}`?\s*",
                  r"`[^`<]*<", r"^\s*:(?:file|img-top|img-bottom|img-background|link):\s*",
                  r"\b(?:src|href|poster|data|srcset)\s*=\s*[\"']?")


def _keep_context(new: str) -> Callable[[re.Match[str]], str]:
    """A `re.sub` replacement: the matched context (group 1) followed by `new`."""
    return lambda m: m.group(1) + new


def rewrite_targets(text: str, base: Path, mapping: dict[Path, Path],
                    refs: list[Reference] | None = None) -> str:
    """References in MyST text to files in `mapping` point at their new paths (relative to `base`).

    Only the line a reference is on changes, and only where a target can stand: after `](`,
    `<`, a directive's argument (`load.pulled.directive_files` too), a role's `<`, or an HTML
    `src=`/`href=`. `refs`: the references of the text's parse, with lines in `text`
    (default: parse it).
    """
    lines = text.split("\n")
    if refs is None:
        document = parse_document(text)
        refs = [*document_references(document), *directive_files(document)]
    for ref in refs:
        if not is_local(ref.target) or not 0 <= ref.line < len(lines):
            continue
        path = (base / target_path(ref.target)).resolve()
        new = mapping.get(path)
        if new is None:
            continue
        new_rel = Path(os.path.relpath(new, base)).as_posix()
        raw = urlsplit(ref.target).path
        for old in dict.fromkeys([unquote(raw), raw]):
            pattern = re.compile("(" + "|".join(TARGET_CONTEXT) + ")" + re.escape(old)
                                 + r"(?=$|[>)#?\s`\"'])")
            changed = pattern.sub(_keep_context(new_rel), lines[ref.line])
            if changed != lines[ref.line]:
                lines[ref.line] = changed
                break
    return "\n".join(lines)


@dataclass
class CourseLinks:
    """What the course's book knows of every module: where each unit's page is in the tree
    ((slug, module-relative source path) → book path) and each module's labels."""

    pages: dict[tuple[str, str], str] = field(default_factory=dict)
    labels: dict[str, set[str]] = field(default_factory=dict)

    def target(self, other: Elsewhere, here: str) -> str | None:
        """The link from book file `here` to `other`: `#label` for a label (Sphinx resolves
        labels across the whole book), else the page's path and the fragment."""
        if other.fragment and other.fragment in self.labels.get(other.to.slug, set()):
            return f"#{other.fragment}"
        page = self.pages.get((other.to.slug, other.to.page))
        if page is None:
            return None
        new = posixpath.relpath(page, posixpath.dirname(here) or ".")
        return new + (f"#{other.fragment}" if other.fragment else "")


def module_links(text: str, base: Path, index: LinkIndex, language: str, here: str,
                 course: CourseLinks | None) -> str:
    """Markdown links into another module of the course: in the course's book they point at
    that module's page there; in a module's own book (which lacks that module) they become
    their text naming the module, as in its packages."""
    lines, done = text.split("\n"), []  # done: the new links, kept out of later matches
    for ref in document_references(parse_document(text)):
        other = index.elsewhere(base, ref.target) \
            if ref.tag == "a" and ref.kind in ("link", "label") else None
        if other is None:
            continue
        new = course.target(other, here) if course is not None else None
        done.append(f"[\1](<{new}>)" if new is not None else
                    "\1" + elsewhere_suffix(other.to.title, language))
        link = re.compile(r"\[([^\]\n]*)\]\(\s*<?" + re.escape(ref.target) + r">?\s*\)")
        for at in range(ref.line, len(lines)):
            changed = link.sub(lambda m: f"\0{len(done) - 1}\0{m.group(1)}\0", lines[at], count=1)
            if changed != lines[at]:
                lines[at] = changed
                break
    return PLACED.sub(lambda m: done[int(m.group(1))].replace("\1", m.group(2)), "\n".join(lines))


PLACED = re.compile(r"\0(\d+)\0([^\0]*)\0")


def _missing_markdown_image(match: re.Match[str], target: str) -> str:
    return missing_image(match.group(1), target)


def _constant(match: re.Match[str], text: str) -> str:
    return text


def missing_pictures(text: str, base: Path, written: Iterable[Path] = ()) -> str:
    """Images whose file is missing (validate warned of each) become their alt text or caption,
    visibly, as in the packages (Jupyter Book would warn that it cannot read the file).
    `written`: files the book holds under a new name (a reference may already point there)."""
    document = parse_document(text)
    renamed = set(written)
    missing = [r for r in document_references(document) if is_picture(r) and is_local(r.target)
               and not (path := (base / target_path(r.target)).resolve()).is_file()
               and path not in renamed]
    if not missing:
        return text
    lines = text.split("\n")
    for ref in (r for r in missing if r.tag not in ("figure", "image")):
        quoted = re.escape(ref.target)
        image = missing_image(ref.alt or "", ref.target)
        forms: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
            (re.compile(r"!\[([^\]\n]*)\]\(\s*<?" + quoted + r">?(?:\s+\"[^\"]*\")?\s*\)"),
             functools.partial(_missing_markdown_image, target=ref.target)),
            (re.compile(r"<img\b[^>]*?\bsrc=[\"']?" + quoted + r"[\"']?[^>]*>", re.I),
             functools.partial(_constant, text=image)),
            (re.compile(r"\s(?:src|poster)=[\"']?" + quoted + r"[\"']?", re.I),
             functools.partial(_constant, text=""))]
        for at in range(max(ref.line, 0), len(lines)):
            changed = lines[at]
            for pattern, replace in forms:
                changed = pattern.sub(replace, changed, count=1)
            if changed != lines[at]:
                lines[at] = changed
                break
    blocks = {ref.line for ref in missing if ref.tag in ("figure", "image")}
    for token in reversed(document.tokens):  # a figure or image directive: the whole block,
        # last: the lines above stay where the parse saw them
        directive = parse_directive(token.info, token.content) \
            if token.type in ("fence", "colon_fence") and token.map and token.map[0] in blocks \
            else None
        if directive is None or token.map is None:
            continue
        caption = directive.body.strip() if directive.name == "figure" else ""
        name = directive.options.get("name")
        shown = missing_image(directive.options.get("alt", ""), "" if caption else directive.argument)
        block = ([f"({name})="] if name else []) + [shown] + (["", caption] if caption else [])
        lines[token.map[0]:token.map[1]] = block
    return "\n".join(lines)


# ---------------------------------------------------------------- one module's book


class ModuleBook:
    """The files of one module's book, under `prefix` (`""` for a module's own book)."""

    def __init__(self, module: Module, edition: Edition, prefix: str = "") -> None:
        self.module = module = module_edition(module, edition)  # no-op for the build's edition
        self.prefix = prefix
        self.links = link_index(module)
        self.course: CourseLinks | None = None  # set for the course's book: links across modules
        self.root = module.root.resolve()
        self.t = strings(module.meta.language)
        # output names come from where each unit really is, never from `contents` as written
        self.rel = {u.index: relative_name(self.root, u.source) for u in module.units}
        taken = set(self.rel.values())
        self.landing = "index.md" if "index.md" not in taken else "lcmodules-index.md"
        taken.add(self.landing)
        self.quiz_pages: dict[int, str] = {}
        for unit in module.quizzes:
            stem = re.sub(r"\.quiz\.ya?ml$", "", self.rel[unit.index], flags=re.I)
            name = f"{stem}.md"
            if name in taken or (self.root / name).exists():
                name = f"{stem}-quiz.md"
            taken.add(name)
            self.quiz_pages[unit.index] = name
        self.moved = {u.source.resolve(): self.root / self.quiz_pages[u.index]
                      for u in module.quizzes}

    def path(self, rel: str) -> str:
        return f"{self.prefix}{rel}"

    def docname(self, rel: str) -> str:
        return self.path(re.sub(r"\.(md|ipynb)$", "", rel))

    def unit_file(self, unit: Unit) -> str:
        return self.quiz_pages.get(unit.index, self.rel[unit.index])

    def toc_entries(self) -> list[dict[str, str]]:
        """The landing page, then every unit in learner order."""
        return [{"file": self.docname(self.landing)}] + [
            {"file": self.docname(self.unit_file(u))} for u in self.module.units]

    def files(self) -> dict[str, FileContent]:
        """The landing page, the learner edition of every unit, and the files they refer to.

        Referenced files get safe lowercase names (Sphinx mangles spaces in image paths) and
        the references are rewritten, like links to quizzes (which become `.md` pages).
        """
        pages: dict[int, str] = {}
        page_refs: dict[int, list[Reference]] = {}
        notebooks: dict[int, NotebookNode] = {}
        referenced: dict[Path, None] = {}
        for unit in self.module.units:
            base = unit.source.parent
            if unit.kind == "page" and unit.page is not None:
                pages[unit.index] = page_text(unit.raw)
                # the page's one parse; its lines counted in the file (front matter included)
                document = page_document(unit.page)
                page_refs[unit.index] = [*document_references(document, unit.page.body_line - 1),
                                         *directive_files(document, unit.page.body_line - 1)]
                self._collect(page_refs[unit.index], base, referenced)
            elif unit.kind == "notebook" and unit.notebook is not None:
                notebooks[unit.index] = sanitize_notebook_outputs(
                    copy.deepcopy(unit.notebook), self.module.config.lcmodules.trusted_outputs)
                for _, document in unit_documents(unit):
                    self._collect([*document_references(document), *directive_files(document)],
                                  base, referenced)
        taken = {r.lower() for r in self.rel.values()} | {p.lower() for p in self.quiz_pages.values()}
        copies: dict[str, Path] = {}
        for source in sorted(referenced):
            name = safe_path(source.relative_to(self.root).as_posix())
            stem, dot, ext = name.rpartition(".")
            n = 1
            while name in taken:
                n += 1
                name = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
            taken.add(name)
            copies[name] = source
            self.moved[source] = self.root / name
        files: dict[str, FileContent] = {self.path(self.landing): self.landing_page().encode("utf-8")}
        for unit in self.module.units:
            base = unit.source.parent
            if unit.index in pages:
                text = filter_author_markdown(  # after the rewrite: its lines are the parse's
                    rewrite_targets(pages[unit.index], base, self.moved, page_refs[unit.index]),
                    self.module.config.lcmodules.trusted_outputs)
                text = missing_pictures(self.across(text, unit), base, self.moved.values())
                files[self.path(self.rel[unit.index])] = text.encode("utf-8")
            elif unit.index in notebooks:
                nb = notebooks[unit.index]
                for cell in nb.cells:
                    if cell.cell_type == "markdown":
                        cell.source = missing_pictures(self.across(
                            rewrite_targets(cell.source, base, self.moved), unit), base,
                            self.moved.values())
                files[self.path(self.rel[unit.index])] = notebook_bytes(nb)
            elif unit.kind == "quiz" and unit.quiz is not None:
                files[self.path(self.quiz_pages[unit.index])] = self.quiz_page(unit).encode("utf-8")
        for name, source in copies.items():
            files[self.path(name)] = inert_asset(
                name, self._copy(source), self.module.config.lcmodules.trusted_outputs)
        return files

    def across(self, text: str, unit: Unit) -> str:
        """`text` of `unit` with its links into other modules made right for this book."""
        if not self.links.others and self.links.modules is None:
            return text
        return module_links(text, unit.source.parent, self.links, self.module.meta.language,
                            self.path(self.rel[unit.index]), self.course)

    def _copy(self, source: Path) -> FileContent:
        """A referenced file as the edition ships it (transform.learner.shipped_file)."""
        return shipped_file(self.module, source, self.module.edition or "learner")

    def _collect(self, refs: list[Reference], base: Path, found: dict[Path, None],
                 depth: int = 0) -> None:
        """Files inside the module that a page or markdown cell refers to (not units), and
        those the MyST files it includes refer to (from the included file's folder or the page's)."""
        units = {u.source.resolve() for u in self.module.units}
        for ref in refs:
            if not is_local(ref.target):
                continue
            path = (base / target_path(ref.target)).resolve()
            if path.is_file() and path.is_relative_to(self.root) and path not in units:
                if path in found:
                    continue
                found[path] = None
                if ref.tag == "include" and path.suffix.lower() == ".md" and depth < 8:
                    pulled = self.module.pulled.get(path.relative_to(self.root).as_posix())
                    text = included_text(pulled.data if pulled else path.read_bytes())
                    document = parse_document(text)
                    included = [*document_references(document), *directive_files(document)]
                    for folder in dict.fromkeys([path.parent, base]):
                        self._collect(included, folder, found, depth + 1)

    def landing_page(self) -> str:
        meta, t = self.module.meta, self.t
        lang = meta.language
        lines = [f"# {_md_text(meta.title)}", ""]
        if meta.summary:
            lines += [_md_text(meta.summary), ""]
        facts: list[tuple[str, str]] = [(t["version"], meta.version)]
        if meta.license:
            facts.append((t["license"], meta.license))
        if meta.authors:
            facts.append((t["authors"], ", ".join(
                a.name + (f" ({a.affiliation})" if a.affiliation else "") for a in meta.authors)))
        if meta.study_load_hours:
            facts.append((t["study_load"], t["hours"].format(hours=format_number(meta.study_load_hours, lang))))
        if meta.level:
            facts.append((t["level"], meta.level))
        if meta.case:
            case = meta.case
            if case.organisation:
                facts.append((t["case_partner"], case.organisation))
            if case.sector:
                facts.append((t["sector"], case.sector))
            if case.hub:
                facts.append((t["hub"], case.hub))
        if meta.prerequisites:
            facts.append((t["prerequisites"], ", ".join(
                f"{ident} ({rng})" if rng else ident for ident, rng in meta.prerequisite_specs())))
        if meta.keywords:
            facts.append((t["keywords"], ", ".join(meta.keywords)))
        lines += [f"- **{label}:** {_md_text(value)}" for label, value in facts] + [""]
        if meta.case and meta.case.description:
            lines += [f"## {t['case']}", "", meta.case.description.strip(), ""]
        if meta.learning_objectives:
            lines += [f"## {t['objectives']}", ""]
            lines += [f"- {_md_text(o)}" for o in meta.learning_objectives] + [""]
        lines += [f"## {t['contents']}", ""]
        for number, unit in enumerate(self.module.units, 1):
            kind = t[f"kind_{unit.kind}"]
            lines.append(f"{number}. [{_md_text(unit.title)}](<{self.unit_file(unit)}>) ({kind.lower()})")
        return "\n".join(lines).rstrip("\n") + "\n"

    def quiz_page(self, unit: Unit) -> str:
        assert unit.quiz is not None
        ctx = Context(base=unit.source.parent, language=self.module.meta.language,
                      doc_id=f"quiz-{ascii_slug(unit.quiz_name)}")
        form = render_quiz(unit.quiz, unit.quiz_name, ctx, renderer(), page_environment(self.module))
        i18n = script_json(script_strings(self.module.meta.language))
        raw = f'<script type="application/json" id="lc-i18n">{i18n}</script>\n{form}'
        return f"# {_md_text(unit.quiz.title)}\n\n````{{raw}} html\n{raw.rstrip()}\n````\n"


# ---------------------------------------------------------------- config and tree


def _support_files(module: Module) -> dict[str, FileContent]:
    return support_files(module, static_files(module))


def book_config(module: Module, *, title: str, author: str, language: str,
                path_in_repo: str, footer: str, bibfiles: Sequence[str] = ()) -> dict[str, Any]:
    """`_config.yml` of a book: the course's Jupyter Book keys plus what lcmodules needs."""
    config = module.config
    data: dict[str, Any] = {"title": title, "author": author, "copyright": author}
    logo = _logo(module)
    if logo is not None:
        data["logo"] = f"logo{logo.suffix.lower()}"
    data["only_build_toc_files"] = True
    data["execute"] = {"execute_notebooks": "off"}
    data.update(passed_keys(module, list(bibfiles)))
    repo = config.repository
    launch = config.lcmodules.launch  # Jupyter Book's launch buttons open this repository/branch
    if repo.url:
        prefix = (repo.path_to_book or "").strip("/")
        data["repository"] = {"url": launch.repository or repo.url,
                              "branch": launch.branch or repo.branch,
                              "path_to_book": "/".join(p for p in (prefix, path_in_repo) if p)}
    buttons = {k: v for k, v in config.launch_buttons.model_dump(exclude_none=True).items() if v != ""}
    if buttons and repo.url:
        buttons.setdefault("notebook_interface", "jupyterlab")
        data["launch_buttons"] = buttons
    data["html"] = html_section(module, bool(repo.url), footer)
    data["sphinx"] = sphinx_section(module, language, cites=bool(bibfiles))
    return data


def _logo(module: Module) -> Path | None:
    return module.course.logo_file if module.course else None


def _footer(module: Module) -> str:
    meta = module.meta
    parts = [meta.id, f"{strings(meta.language)['version']} {meta.version}"]
    if meta.license:
        parts.append(meta.license)
    return "<p>" + " · ".join(escape(p) for p in parts) + "</p>"


def module_book_files(module: Module, edition: Edition = "learner") -> dict[str, FileContent]:
    """Every file of a module's own book, by path inside the tree."""
    book = ModuleBook(module, edition)
    meta = module.meta
    files = book.files()
    files.update(_support_files(module))
    bibs = bibliography_files(module)
    files.update(bibs)
    author = ", ".join(a.name for a in meta.authors) or (module.config.author or "")
    config = book_config(module, title=meta.title, author=author, language=meta.language,
                         path_in_repo=_module_path_in_repo(module), footer=_footer(module),
                         bibfiles=sorted(bibs))
    logo = _logo(module)
    if logo is not None:
        files[config["logo"]] = logo
    files["_config.yml"] = yaml_text(config).encode("utf-8")
    toc = {"format": "jb-book", "root": book.docname(book.landing),
           "chapters": book.toc_entries()[1:]}
    files["_toc.yml"] = yaml_text(toc).encode("utf-8")
    return files


def _module_path_in_repo(module: Module) -> str:
    root = module.course.root if module.course else module.root
    try:
        rel = module.root.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel


def course_book_files(course: Course, edition: Edition = "learner") -> dict[str, FileContent]:
    """The collection: a landing page for the course and a part per module."""
    config = course.config
    files: dict[str, FileContent] = {}
    bibs: dict[str, FileContent] = {}
    parts = []
    lines = [f"# {_md_text(config.title)}", ""]
    if config.description:
        lines += [_md_text(config.description), ""]
    first = course.modules[0]
    t = strings(first.meta.language)
    books = [ModuleBook(module, edition, prefix=f"{module.slug}/") for module in course.modules]
    links = CourseLinks()
    for book in books:
        root = book.module.root.resolve()
        links.labels[book.module.slug] = set(book.links.labels)
        for unit in book.module.units:
            links.pages[(book.module.slug, unit.source.resolve().relative_to(root).as_posix())] = \
                book.path(book.unit_file(unit))
    for module, book in zip(course.modules, books, strict=True):
        book.course = links
        files.update(book.files())
        bibs.update(bibliography_files(module, prefix=f"{module.slug}/"))
        parts.append({"caption": module.meta.title, "chapters": book.toc_entries()})
        summary = f" — {_md_text(module.meta.summary)}" if module.meta.summary else ""
        lines.append(f"- [{_md_text(module.meta.title)}](<{module.slug}/{book.landing}>) "
                     f"({t['version'].lower()} {module.meta.version}){summary}")
    files["index.md"] = ("\n".join(lines) + "\n").encode("utf-8")
    files.update(_support_files(first))
    files.update(bibs)
    author = config.author or config.lcmodules.organisation or ""
    if "<" in author:  # Jupyter Book allows HTML here; an unclosed tag would swallow the page
        author = sanitize_output_html(author)
    organisation = config.lcmodules.organisation
    footer = f"<p>{escape(organisation)}</p>" if organisation else ""
    data = book_config(first, title=config.title, author=author, language=first.meta.language,
                       path_in_repo="modules", footer=footer, bibfiles=sorted(bibs))
    logo = _logo(first)
    if logo is not None:
        files[data["logo"]] = logo
    files["_config.yml"] = yaml_text(data).encode("utf-8")
    files["_toc.yml"] = yaml_text({"format": "jb-book", "root": "index", "parts": parts}).encode("utf-8")
    return files


# ---------------------------------------------------------------- building HTML


def jupyter_book_command() -> list[str]:
    """How to run the installed `jupyter-book` (the one of this Python)."""
    if importlib.util.find_spec("jupyter_book") is None:
        raise InputError([Problem(Path("jupyter-book"), None,
                                  "--html needs Jupyter Book, which is not installed",
                                  "install it with `pip install lcmodules[book]`")])
    return [sys.executable, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]


def build_html(tree: Path, extra_args: Iterable[str] = (),
               course_root: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `jupyter-book build <tree>` offline; the site lands in `<tree>/_build/html`. A
    missing extension is named with the line of `course_root`'s requirements that provides it."""
    command = [*jupyter_book_command(), "build", str(tree), *extra_args]
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env)
    except subprocess.TimeoutExpired as exc:
        raise InputError([Problem(tree / "_config.yml", None,
                                  f"jupyter-book build took longer than {BUILD_TIMEOUT} s",
                                  "build the tree by hand to see where it stops")]) from exc
    if proc.returncode != 0:
        hint = _missing_extension_hint(ANSI.sub("", proc.stdout + proc.stderr), course_root)
        raise InputError([Problem(tree / "_config.yml", None,
                                  f"jupyter-book build failed:\n{build_failure(proc.stdout + proc.stderr)}",
                                  hint)])
    return proc


def _missing_extension_hint(output: str, course_root: Path | None) -> str:
    """What to install when Sphinx could not import an extension: the extension itself, or the
    module it imports that is missing (a book's own extension needs `six`, say)."""
    missing = MISSING_EXTENSION.search(output)
    if missing is None:
        return "fix the page named above, or build without --html"
    extension, module = missing.group(1), missing.group(2)
    if module and module.split(".")[0] != extension.split(".")[0]:
        return (f"the Sphinx extension `{extension}` imports `{module}`, which is not installed: "
                f"{install_hint(module, course_root)} (add it to the course's requirements.txt); "
                "or build without --html")
    return (f"the Sphinx extension `{extension}` is not installed: "
            f"{install_hint(extension, course_root)}; or build without --html")


ANSI = re.compile(r"\x1b\[[0-9;]*m")
MISSING_EXTENSION = re.compile(
    r"Could not import extension ([\w.]+)(?: \(exception: No module named '([\w.]+)'\))?")
NOT_A_CAUSE = re.compile(r"^(Traceback|The above exception|RuntimeError:|There was an error|=+$|"
                         r"During handling|raise |[\w ]+\.\.\. )")  # the last: Sphinx's progress lines
CAUSE = re.compile(r"\b[A-Z]\w*(Error|Exception)\b|\bERROR\b|\b[Ee]rror:|^\w+ error\b|"
                   r"[Ee]xception occurred|Could not import")


def build_failure(output: str) -> str:
    """What made `jupyter-book build` fail: Sphinx's own error lines (an extension it cannot
    import, an exception in a page), not the traceback of the CLI that reports them; else the
    last lines of the output."""
    lines = [ANSI.sub("", line).rstrip() for line in output.strip().splitlines()]
    causes = [line for line in lines if line and not line[0].isspace()
              and not NOT_A_CAUSE.match(line) and CAUSE.search(line)]
    chosen = list(dict.fromkeys(causes))[:6] or lines[-15:]
    return "\n".join(chosen)


class JupyterBookExporter(Exporter):
    """Jupyter Book 1 source trees (and, with --html, their built sites)."""

    name = "jupyter-book"
    description = "Jupyter Book source tree per module and for the course (--html: also build it)"

    def artifact_name(self, module: Module) -> str:
        return f"{module.slug}-{module.meta.version}-jupyter-book"

    def export_module(self, module: Module, options: BuildOptions) -> list[Path]:
        target = options.out / self.artifact_name(module)
        course = module.course.root if module.course is not None else module.root
        self._write(target, module_book_files(module, options.edition), options, course)
        return [target]

    def export_course(self, course: Course, options: BuildOptions) -> list[Path]:
        if not course.modules or not course.has_config_file:
            return []
        target = options.out / f"{course.slug}-jupyter-book"
        self._write(target, course_book_files(course, options.edition), options, course.root)
        return [target]

    def _write(self, target: Path, files: dict[str, FileContent], options: BuildOptions,
               course_root: Path) -> None:
        if options.html:
            jupyter_book_command()  # fail early, before writing anything
        with atomic_path(target, directory=True) as tmp:
            write_tree(tmp, files)
            if options.html:
                build_html(tmp, course_root=course_root)
