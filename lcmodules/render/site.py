"""Render: a module's units → a self-contained HTML site shared by every exporter."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, StrictUndefined
from markupsafe import Markup

from lcmodules.core.strings import translator
from lcmodules.load.document import cell_document, cell_text, page_document
from lcmodules.load.links import link_index
from lcmodules.load.references import is_local, target_path
from lcmodules.model import Course, Module, Unit
from lcmodules.render.assets import FileContent, SiteFiles, safe_path
from lcmodules.render.i18n import script_strings, strings
from lcmodules.render.markdown import Context, MarkdownRenderer, renderer
from lcmodules.render.notebook import render_notebook
from lcmodules.render.quiz import quiz_info, render_quiz, script_json
from lcmodules.render.sanitize import inert_asset, neutralise_urls
from lcmodules.transform.learner import module_edition, notebook_bytes, shipped_file

__all__ = [
    "Site", "SiteOptions", "render_site", "module_info", "launch_links", "page_environment",
    "static_files",
]

PACKAGE = Path(__file__).parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"
STATIC_CATALOG = PACKAGE / "catalog_static"
# The name under which a course template reaches the built-in one it overrides a block of:
# `{% extends "lc/page.html.j2" %}` in `templates/html/page.html.j2`.
BUILTIN_PREFIX = "lc"
SAFE_NAME = re.compile(r"^[a-z0-9_][a-z0-9._/-]*$")
GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([^/\s]+)/([^/\s#?]+?)(?:\.git)?/?$", re.I)
H1 = re.compile(r"<h1[\s>]", re.I)

Layout = Literal["single", "per-unit"]


@dataclass
class SiteOptions:
    """How to build a site (see docs/internals.md, "Renderer API")."""

    edition: Literal["learner", "teacher"] = "learner"  # for loaded sources only
    layout: Layout = "single"
    nav: bool = True
    head_scripts: list[str] = field(default_factory=list)
    extra_files: dict[str, FileContent] = field(default_factory=dict)
    # False: quizzes hold no expected values and no feedback that reveals the key; lc.js
    # then grades on the server that serves the page (`lc-grade-url`, the LTI tool)
    answer_key: bool = True


@dataclass
class Site:
    """A built site: its files (site-relative POSIX path → bytes or a file to stream) and pages."""

    files: dict[str, FileContent]
    pages: list[str]
    unit_pages: dict[int, str]


# ---------------------------------------------------------------- shared helpers


def page_environment(module: Module) -> Environment:
    """Jinja2 environment of a module's pages (see `template_environment`), shared within the
    process: one per course template folder, the names of its files and language, so each
    template is compiled once per process, not once per module (Jinja reloads a template
    whose file changed; a file added to the folder makes a new environment)."""
    html = _html_templates(module.course)
    names = tuple(sorted(p.relative_to(html).as_posix() for p in html.rglob("*"))) if html else ()
    return _shared_environment(html, names, module.meta.language)


@functools.lru_cache(maxsize=32)
def _shared_environment(html: Path | None, names: tuple[str, ...], language: str) -> Environment:
    """`names` only keys the cache (see `page_environment`)."""
    return _environment(html, language)


def template_environment(course: Course | None, language: str) -> Environment:
    """Jinja2 environment: the course's `templates/html/` first, then lcmodules' templates;
    `lc/<name>` is always lcmodules' own, so a course template can extend it and override
    one block. `_()`/`gettext()`/`ngettext()` (Jinja's i18n extension) speak `language`.
    A new environment the caller may change (its globals); pages use `page_environment`."""
    return _environment(_html_templates(course), language)


def _html_templates(course: Course | None) -> Path | None:
    root = course.templates_dir if course is not None else None
    return root / "html" if root is not None and (root / "html").is_dir() else None


def _environment(html: Path | None, language: str) -> Environment:
    loaders: list[Any] = [FileSystemLoader(str(html))] if html is not None else []
    builtin = FileSystemLoader(str(TEMPLATES))
    loaders += [PrefixLoader({BUILTIN_PREFIX: builtin}), builtin]
    env = Environment(
        loader=ChoiceLoader(loaders), autoescape=True, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, undefined=StrictUndefined, extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translator(language))  # type: ignore[attr-defined]
    return env


def _course_templates(module: Module, part: str) -> Path | None:
    root = module.course.templates_dir if module.course else None
    path = root / part if root else None
    return path if path is not None and path.is_dir() else None


def static_files(module: Module) -> dict[str, FileContent]:
    """`_static/…`: lcmodules' stylesheet and script, overridden or added to by the course's
    `templates/static/` (names made safe)."""
    files: dict[str, FileContent] = {f"_static/{p.name}": p for p in sorted(STATIC.iterdir()) if p.is_file()}
    course_static = _course_templates(module, "static")
    if course_static is not None:
        for path in sorted(course_static.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                rel = path.relative_to(course_static).as_posix()
                files[f"_static/{safe_path(rel)}"] = path
    return files


def module_info(module: Module) -> dict[str, Any]:
    """The tracker's `info` object (docs/internals.md)."""
    meta = module.meta
    return {
        "module": {"id": meta.id, "version": meta.version, "title": meta.title, "language": meta.language},
        "units": [
            {"index": u.index, "kind": u.kind, "title": u.title,
             "quiz": u.quiz_name if u.kind == "quiz" else None}
            for u in module.units
        ],
        "quizzes": {u.quiz_name: quiz_info(u.quiz) for u in module.units if u.quiz is not None},
    }


def launch_links(module: Module, unit: Unit) -> list[dict[str, str]]:
    """Binder / Colab / JupyterHub links for a notebook, when the repository is on GitHub."""
    config = module.config
    launch = config.lcmodules.launch  # the learner editions' branch, when they are published
    match = GITHUB.match((launch.repository or config.repository.url or "").strip())
    if not match:
        return []
    org, repo = match.group(1), match.group(2)
    branch = launch.branch or config.repository.branch or "main"
    root = module.course.root if module.course else module.root
    try:
        path = unit.source.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        path = unit.rel
    buttons = config.launch_buttons
    table = strings(module.meta.language)
    links = []
    if buttons.binderhub_url:
        url = (f"{buttons.binderhub_url.rstrip('/')}/v2/gh/{org}/{repo}/{quote(branch, safe='')}"
               f"?labpath={quote(path)}")
        links.append({"kind": "binder", "label": table["open_binder"], "url": url})
    if buttons.colab_url:
        url = f"{buttons.colab_url.rstrip('/')}/github/{org}/{repo}/blob/{quote(branch)}/{quote(path)}"
        links.append({"kind": "colab", "label": table["open_colab"], "url": url})
    if buttons.jupyterhub_url:
        repo_url = f"https://github.com/{org}/{repo}"
        url = (f"{buttons.jupyterhub_url.rstrip('/')}/hub/user-redirect/git-pull"
               f"?repo={quote(repo_url, safe='')}&urlpath={quote(f'lab/tree/{repo}/{path}', safe='')}"
               f"&branch={quote(branch, safe='')}")
        links.append({"kind": "jupyterhub", "label": table["open_jupyterhub"], "url": url})
    return links


# ---------------------------------------------------------------- the site builder


class _SiteBuilder:
    """Builds one site; also the Linker that rewrites references for it."""

    def __init__(self, module: Module, options: SiteOptions) -> None:
        self.module = module
        self.options = options
        self.root = module.root.resolve()
        self.files = SiteFiles()
        self.md: MarkdownRenderer = renderer()
        self.env = page_environment(module)
        self.units_by_source = {u.source.resolve(): u for u in module.units}
        self.links = link_index(module)
        self.language = module.meta.language
        self.strings = strings(self.language)
        self.single = options.layout == "single"
        self.logo: str | None = None
        self.unit_page = {u.index: "index.html" if self.single else f"{u.slug}.html" for u in module.units}

    # Linker

    def _unit_for(self, path: Path) -> Unit | None:
        unit = self.units_by_source.get(path)
        if unit is None and not path.suffix:
            for suffix in (".md", ".ipynb", ".quiz.yml"):
                unit = self.units_by_source.get(path.with_name(path.name + suffix))
                if unit:
                    break
        return unit

    def link(self, base: Path, target: str) -> str:
        if not is_local(target):
            return target
        fragment = urlsplit(target).fragment
        path = (base / target_path(target)).resolve()
        unit = self._unit_for(path)
        if unit is not None:
            return self.to_unit(unit.index, fragment)
        return self.source(base, target)

    def to_unit(self, unit: int, anchor: str) -> str:
        if self.single:
            return f"#u{unit}-{anchor}" if anchor else f"#unit-{unit}"
        return self.unit_page[unit] + (f"#{anchor}" if anchor else "")

    def source(self, base: Path, target: str) -> str:
        if not is_local(target):
            return target
        path = (base / target_path(target)).resolve()
        if path.is_file() and path.is_relative_to(self.root):
            edition = self.module.edition or self.options.edition  # solutions go, in every format
            return self.files.add_source(path, path.relative_to(self.root).as_posix(),
                                         data=shipped_file(self.module, path, edition))
        return target  # validation reports it; never invent a file

    # units

    def context(self, unit: Unit) -> Context:
        reserved = {f"unit-{u.index}" for u in self.module.units} | {
            "lc-content", "lc-module", "lc-i18n"}
        return Context(
            base=unit.source.parent, language=self.language,
            id_prefix=f"u{unit.index}-" if self.single else "", linker=self,
            ids=set(reserved), doc_id=f"u{unit.index}", root=self.root,
            edition=self.module.edition or self.options.edition,
            trusted=self.module.config.lcmodules.trusted_outputs, pulled=self.module.pulled,
            links=self.links, unit=unit.index,
        )

    def unit_html(self, unit: Unit) -> str:
        ctx = self.context(unit)
        if unit.kind == "page" and unit.page is not None:
            return self.md.render_document(page_document(unit.page), ctx)
        if unit.kind == "notebook" and unit.notebook is not None:
            nb = unit.notebook
            self.md.prepare(ctx, [cell_document(unit, i, cell_text(c.source))
                                  for i, c in enumerate(nb.cells) if c.cell_type == "markdown"])
            raw = unit.raw if self.module.edition is not None and unit.raw else notebook_bytes(nb)
            self.files.add(f"notebooks/{unit.slug}.ipynb", raw, replace=True)
            dirs = [d / "nbconvert" for d in [_course_templates(self.module, "html")] if d is not None]
            return render_notebook(nb, ctx, self.files, self.md, [d for d in dirs if d.is_dir()],
                                   trusted=self.module.config.lcmodules.trusted_outputs)
        if unit.kind == "quiz" and unit.quiz is not None:
            heading = f'<h1 id="{ctx.unique_id(unit.title)}">{Markup.escape(unit.title)}</h1>\n'
            return heading + render_quiz(unit.quiz, unit.quiz_name, ctx, self.md, self.env,
                                       answer_key=self.options.answer_key)
        return ""

    def href(self, unit: Unit) -> str:
        return f"#unit-{unit.index}" if self.single else self.unit_page[unit.index]

    def unit_view(self, unit: Unit, html: str, current: bool) -> dict[str, Any]:
        notebook = unit.kind == "notebook"
        return {
            "index": unit.index, "kind": unit.kind, "title": unit.title, "slug": unit.slug,
            "quiz": unit.quiz_name if unit.kind == "quiz" else None, "current": current,
            "html": Markup(html), "add_heading": not H1.search(html),
            "download": f"notebooks/{unit.slug}.ipynb" if notebook else None,
            "launch": launch_links(self.module, unit) if notebook else [],
        }

    def page(self, units: list[dict[str, Any]], current: int, title: str) -> bytes:
        meta = self.module.meta
        all_units = self.module.units
        toc = [{"index": u.index, "kind": u.kind, "title": u.title, "href": self.href(u),
                "current": u.index == current} for u in all_units]
        prev = toc[current - 1] if current > 0 else None
        nxt = toc[current + 1] if current + 1 < len(toc) else None
        html = self.env.get_template("page.html.j2").render(
            module=meta, t=self.strings, layout=self.options.layout, nav=self.options.nav,
            page_title=title, head_scripts=self.options.head_scripts, units=units, toc=toc,
            prev=prev, next=nxt, logo=self.logo, organisation=self._organisation(),
            authors=", ".join(a.name for a in meta.authors),
            info_json=script_json(module_info(self.module)),
            i18n_json=script_json(script_strings(self.language)),
        )
        return html.encode("utf-8")

    def _organisation(self) -> str:
        config = self.module.config
        return config.lcmodules.organisation or config.author or config.title or ""

    def _add_logo(self) -> str | None:
        path = self.module.course.logo_file if self.module.course else None
        if path is None:
            return None
        name = f"_static/logo{path.suffix.lower()}"
        self.files.files[safe_path(name)] = path
        return safe_path(name)

    def build(self) -> Site:
        for name, content in static_files(self.module).items():
            self.files.files[name] = content
        self.logo = self._add_logo()
        rendered = {u.index: self.unit_html(u) for u in self.module.units}
        meta = self.module.meta
        pages: list[str] = []
        if self.single:
            views = [self.unit_view(u, rendered[u.index], u.index == 0) for u in self.module.units]
            self.files.files["index.html"] = self.page(views, 0, meta.title)
            pages.append("index.html")
        else:
            for u in self.module.units:
                name = self.unit_page[u.index]
                view = self.unit_view(u, rendered[u.index], True)
                self.files.files[name] = self.page([view], u.index, f"{u.title} — {meta.title}")
                pages.append(name)
        for name, content in self.options.extra_files.items():
            if not SAFE_NAME.match(name) or ".." in name.split("/"):
                raise ValueError(f"extra file name {name!r} is not a safe lowercase site path")
            self.files.files[name] = content
        lowered: dict[str, str] = {}
        for name in self.files.files:
            if name.lower() in lowered and lowered[name.lower()] != name:
                raise ValueError(f"two site files differ only in case: {name}, {lowered[name.lower()]}")
            lowered[name.lower()] = name
        for name in pages:  # one final pass: no page links to or loads a script URL
            content = self.files.files[name]  # bytes, or a file if an extra file replaced the page
            self.files.files[name] = neutralise_urls(
                content if isinstance(content, bytes) else content.read_bytes())
        trusted, root = self.module.config.lcmodules.trusted_outputs, self.module.root.resolve()
        for name, content in self.files.files.items():  # module HTML/SVG: the same policy
            if isinstance(content, Path) and content.is_relative_to(root):
                self.files.files[name] = inert_asset(name, content, trusted)
        files = {name: self.files.files[name] for name in sorted(self.files.files)}
        return Site(files=files, pages=pages, unit_pages=dict(self.unit_page))


def render_site(module: Module, options: SiteOptions | None = None) -> Site:
    """Render every unit of `module` into a self-contained site (docs/internals.md).

    It renders the edition it is given (what the build passes to exporters); given loaded
    sources, it first makes `options.edition` of them through `transform.learner`."""
    options = options or SiteOptions()
    return _SiteBuilder(module_edition(module, options.edition), options).build()
