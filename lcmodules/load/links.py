"""MyST link semantics within a module, as Jupyter Book resolves them: pages with or without
their suffix, labels on any page, heading anchors (`myst_heading_anchors`), and the `{doc}`,
`{ref}`, `{numref}` and `{eq}` roles; and links into another module of the course
(`LinkIndex.elsewhere`). Validation, the renderer and the Jupyter Book export all ask
`LinkIndex`."""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from lcmodules.core.slugs import slugify
from lcmodules.load.document import Document, unit_documents
from lcmodules.load.myst import ROLE_TARGET, parse_directive
from lcmodules.load.references import NO_MARKDOWN_BODY
from lcmodules.model import Course, CoursePage, Module

PAGE_SUFFIXES = (".md", ".ipynb")
MYST_SLUG_DROP = re.compile(r"[^\w\- ]")  # MyST's slug: lowercase, word characters, -, space
NUMBERED_KINDS = {"figure", "table", "equation"}
LINK_ROLES = ("doc", "ref", "numref", "eq")


def myst_slug(title: str) -> str:
    """A heading's anchor as MyST makes it (`## Mijn kop!` → `mijn-kop`)."""
    return MYST_SLUG_DROP.sub("", title.strip().lower()).replace(" ", "-")


def heading_anchor_depth(module: Module) -> int:
    """`myst_heading_anchors` of the course (in `parse:` or `sphinx.config`), 0 when unset."""
    config = module.config
    for section in (config.parse or {}, (config.sphinx or {}).get("config") or {}):
        value = section.get("myst_heading_anchors") if isinstance(section, dict) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return max(0, value)
    return 0


@dataclass(frozen=True)
class Target:
    """Where a link goes in the module: unit `unit`, element id `anchor` there ("" = the page);
    `kind` is "page", "heading" or the label's kind; `title` the heading or caption."""

    unit: int
    anchor: str = ""
    kind: str = "page"
    title: str = ""


@dataclass(frozen=True)
class Elsewhere:
    """A link into another module of the course: that module's page (`CoursePage`) and the
    link's fragment (a label or heading anchor there, as written; "" = the page)."""

    to: CoursePage
    fragment: str = ""


def course_pages(course: Course | None) -> dict[Path, CoursePage]:
    """Every unit of the course's modules (resolved path → `CoursePage`); an edition's course,
    which holds no module, answers from the pages its loaded course had. Made once per course
    and set of loaded modules (every module's build asks: a course of N modules would pay N²);
    callers must not change the dict."""
    if course is None:
        return {}
    modules = course.all_modules
    if not modules:
        return course.pages or {}
    key = tuple((id(m), len(m.units)) for m in modules)
    memo = _PAGES.get(id(course))
    if memo is not None and memo[0]() is course and memo[1] == key:
        return memo[2]
    pages: dict[Path, CoursePage] = {}
    for m in modules:  # a build loads the modules one by one: each module's pages made once
        pages.update(_module_pages(m))
    for memos in (_PAGES, _MODULE_PAGES):
        for gone in [k for k, found in memos.items() if found[0]() is None]:
            del memos[gone]  # no longer loaded (serve reloads): keep nothing of it here
    _PAGES[id(course)] = (weakref.ref(course), key, pages)
    return pages


def _module_pages(module: Module) -> dict[Path, CoursePage]:
    memo = _MODULE_PAGES.get(id(module))
    if memo is not None and memo[0]() is module and memo[1] == len(module.units):
        return memo[2]
    root = module.root.resolve()
    pages: dict[Path, CoursePage] = {}
    for unit in module.units:
        source = unit.source.resolve()
        if source.is_relative_to(root):
            pages[source] = CoursePage(module.slug, module.meta.title,
                                       source.relative_to(root).as_posix())
    _MODULE_PAGES[id(module)] = (weakref.ref(module), len(module.units), pages)
    return pages


# id(course) → (the course, weakly; its modules when made; its pages): course_pages's memo
_PAGES: dict[int, tuple[weakref.ref[Course], tuple[tuple[int, int], ...], dict[Path, CoursePage]]] = {}
_MODULE_PAGES: dict[int, tuple[weakref.ref[Module], int, dict[Path, CoursePage]]] = {}


@dataclass
class LinkIndex:
    """The pages, labels and heading anchors of one module, and the other modules' pages."""

    units: dict[Path, int] = field(default_factory=dict)  # resolved source path → unit index
    labels: dict[str, Target] = field(default_factory=dict)
    headings: dict[tuple[int, str], Target] = field(default_factory=dict)  # (unit, MyST slug)
    others: dict[Path, CoursePage] = field(default_factory=dict)  # other modules' units
    modules: Path | None = None  # the course's `modules/` folder (None: a lone module)
    root: Path | None = None  # this module's folder
    # every link out of the module `elsewhere` was asked about: (base, target) → answered
    outside: dict[tuple[str, str], bool] = field(default_factory=dict)

    def elsewhere(self, base: Path, target: str) -> Elsewhere | None:
        """A relative link to a page of another module of the course (with or without its
        suffix, with or without `#fragment`), else None. In the course's Jupyter Book it is a
        link to that page; in a module's own package, text naming the module."""
        parts = urlsplit(target)
        path = unquote(parts.path)
        if parts.scheme or parts.netloc or not path or path.startswith("/") or self.modules is None:
            return None
        resolved = (base / path).resolve()
        found = None
        for candidate in (resolved, *(resolved.with_name(resolved.name + s) for s in PAGE_SUFFIXES)):
            found = self._other(candidate) or self._on_disk(candidate)
            if found is not None:
                break
        if self.root is not None and not resolved.is_relative_to(self.root):
            self.outside[(str(base), target)] = found is not None
        return Elsewhere(found, unquote(parts.fragment)) if found is not None else None

    def _other(self, path: Path) -> CoursePage | None:
        """A page of another module (`others` holds every module's, this one's too)."""
        found = self.others.get(path)
        return None if found is None or (self.root and path.is_relative_to(self.root)) else found

    def _on_disk(self, path: Path) -> CoursePage | None:
        """A page of a module not loaded yet (a build checks each module as it loads it): a
        `.md`/`.ipynb` file in another module folder of the course, named by its slug."""
        assert self.modules is not None
        if path.suffix not in PAGE_SUFFIXES or not path.is_relative_to(self.modules) \
                or (self.root is not None and path.is_relative_to(self.root)):
            return None
        slug = path.relative_to(self.modules).parts[0]
        if not (self.modules / slug / "module.yml").is_file() or not path.is_file():
            return None
        return CoursePage(slug, slug, path.relative_to(self.modules / slug).as_posix())

    def page(self, base: Path, path: str) -> int | None:
        """The unit a path names, with or without its suffix (`intro`, `notebooks/x`)."""
        if not path:
            return None
        resolved = (base / path).resolve() if not path.startswith("/") else None
        if resolved is None:
            return None
        if resolved in self.units:
            return self.units[resolved]
        for suffix in PAGE_SUFFIXES:
            found = self.units.get(resolved.with_name(resolved.name + suffix))
            if found is not None:
                return found
        return None

    def link(self, unit: int, base: Path, target: str) -> Target | None:
        """A Markdown link's target in the module: a page (and anchor), a label or a heading;
        None when it names none of them (a file, a web address or a dead link)."""
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            return None
        path, fragment = unquote(parts.path), unquote(parts.fragment)
        if not path:
            return self.anchor(unit, fragment) if fragment else None
        page = self.page(base, path)
        if page is not None:
            return self.anchor(page, fragment) if fragment else Target(page)
        return self.labels.get(path) if not fragment else None

    def anchor(self, unit: int, name: str) -> Target | None:
        """`#name` on page `unit`: a label of the module, else a heading anchor of that page."""
        return self.labels.get(name) or self.headings.get((unit, name))

    def role(self, role: str, unit: int, base: Path, target: str) -> Target | None:
        """The target of a `{doc}`, `{ref}`, `{numref}` or `{eq}` role."""
        if role == "doc":
            page = self.page(base, target.lstrip("/")) if not target.startswith("/") \
                else self.page(self.root_of(base), target.lstrip("/"))
            return Target(page) if page is not None else None
        found = self.labels.get(target)
        if found is None:
            return None
        if role == "eq" and found.kind != "equation":
            return None
        if role == "numref" and found.kind not in NUMBERED_KINDS:
            return None
        return found

    def root_of(self, base: Path) -> Path:
        """The module folder (`{doc}` paths starting with `/` start there)."""
        return min(self.units, key=lambda p: len(p.parts)).parent if self.units else base


def links_still_resolve(module: Module, course: Course | None) -> bool:
    """Whether each link of `module` into another module (`Module.links_outside`) still finds
    a page there, or still finds none, as when the module rules ran; judged by the files
    alone. False sends a stored module to be loaded and checked again."""
    if not module.links_outside:
        return True
    root = module.root.resolve()
    index = LinkIndex(root=root, modules=_modules_folder(root, course))
    return all((index.elsewhere(Path(base), target) is not None) == found
               for (base, target), found in module.links_outside.items())


def _modules_folder(root: Path, course: Course | None) -> Path | None:
    """The course's `modules/` folder when the module at `root` is one of its modules (links
    into the other modules resolve there), else None."""
    if course is not None and root.parent == (course.root / "modules").resolve():
        return root.parent
    return None


def link_index(module: Module) -> LinkIndex:
    """Every page, label and (with `myst_heading_anchors`) heading anchor of the module."""
    index = LinkIndex(units={u.source.resolve(): u.index for u in module.units})
    root = index.root = module.root.resolve()
    index.modules = _modules_folder(root, module.course)
    if index.modules is not None:
        index.others = course_pages(module.course)  # shared; its own pages are skipped on use
    depth = heading_anchor_depth(module)
    for unit in module.units:
        seen: dict[str, int] = {}
        for _, document in unit_documents(unit):
            _collect(index, unit.index, document, depth, seen)
    return index


def _collect(index: LinkIndex, unit: int, document: Document, depth: int,
             seen: dict[str, int]) -> None:
    tokens = document.tokens
    for at, token in enumerate(tokens):
        if token.type == "myst_target":
            title = _heading_after(tokens, at)
            index.labels.setdefault(token.content, Target(
                unit, slugify(token.content), "section" if title is not None else "target",
                title or ""))
        elif token.type == "math_block_label":
            index.labels.setdefault(token.info, Target(unit, slugify(token.info), "equation"))
        elif token.type in ("fence", "colon_fence"):
            _directive(index, unit, document, token, depth, seen)
        elif token.type == "heading_open" and depth and int(token.tag[1:]) <= depth:
            title = _inline_text(tokens[at + 1])
            slug = myst_slug(title)
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            ident = str(token.attrs.get("id") or "") or _heading_id(title, count)
            index.headings.setdefault((unit, slug if not count else f"{slug}-{count}"),
                                      Target(unit, ident, "heading", title))


def _heading_id(title: str, count: int) -> str:
    """The id our renderer gives the heading: its ASCII slug, numbered when repeated."""
    base = slugify(title) or "section"
    return base if not count else f"{base}-{count + 1}"


def _directive(index: LinkIndex, unit: int, document: Document, token: Token, depth: int,
               seen: dict[str, int]) -> None:
    directive = parse_directive(token.info, token.content)
    if directive is None:
        return
    kinds = {"figure": "figure", "math": "equation", "list-table": "table", "csv-table": "table",
             "table": "table"}
    for key in ("name", "label"):
        name = directive.options.get(key)
        if name:
            kind = kinds.get(directive.name, "target")
            title = directive.body.strip().split("\n\n")[0] if kind == "figure" else directive.argument
            index.labels.setdefault(name, Target(unit, slugify(name), kind, title))
    if directive.name not in NO_MARKDOWN_BODY:
        _collect(index, unit, document.body(directive.body), depth, seen)


def _heading_after(tokens: list[Token], at: int) -> str | None:
    following = next((i for i in range(at + 1, len(tokens))
                      if tokens[i].type != "myst_line_comment"), None)
    if following is None or tokens[following].type != "heading_open":
        return None
    return _inline_text(tokens[following + 1]) if following + 1 < len(tokens) else ""


def _inline_text(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def role_targets(document: Document, line_offset: int = 0) -> list[tuple[int, str, str]]:
    """(0-based line plus offset, role, target) of every `{doc}`, `{ref}`, `{numref}` and
    `{eq}` role in a document, directive bodies included."""
    found: list[tuple[int, str, str]] = []
    for token in document.tokens:
        line = (token.map[0] if token.map else 0) + line_offset
        if token.type in ("fence", "colon_fence"):
            directive = parse_directive(token.info, token.content)
            if directive is not None and directive.name not in NO_MARKDOWN_BODY:
                found += role_targets(document.body(directive.body),
                                      line + 1 + directive.body_offset)
            continue
        for child in token.children or [] if token.type == "inline" else []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "myst_role" and child.meta.get("name") in LINK_ROLES:
                match = ROLE_TARGET.match(child.content)
                target = (match.group(2) if match else child.content).strip()
                found.append((line, str(child.meta["name"]), target))
    return found
