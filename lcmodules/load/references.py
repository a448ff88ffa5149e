"""Finding the files a MyST page or notebook markdown cell refers to (links, images, figures)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from itertools import takewhile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

DIRECTIVE = re.compile(r"^\{([A-Za-z0-9_:-]+)\}\s*(.*)$")
OPTION = re.compile(r"^:([A-Za-z0-9_-]+):\s*(.*)$")
HTML_ATTR = re.compile(
    r"""<(img|a|source|video|audio|script|iframe|link|object|embed|track)\b[^>]*?"""
    r"""\b(src|href|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))[^>]*>""", re.I)
HTML_REL = re.compile(r"""\brel\s*=\s*["']?([^"'>]*)""", re.I)
EMBED_TAGS = frozenset({"img", "script", "iframe", "video", "audio", "source", "track", "object",
                        "embed"})
LOADED_LINKS = re.compile(r"stylesheet|icon|preload|modulepreload|manifest", re.I)
HTML_ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", re.I)
ROLE_TARGET = re.compile(r"<([^<>]+)>\s*$")
PATH_DIRECTIVES = {"figure", "image", "include", "literalinclude", "download"}
PATH_ROLES = {"download"}


@dataclass(frozen=True)
class Reference:
    """One reference in Markdown text: `line` is 0-based within the text given."""

    line: int
    kind: str  # "link", "image", "figure", "include", "download", "html"
    target: str
    alt: str | None = None  # for images: the alt text ("" when missing); None when n/a
    tag: str = ""  # the HTML element, or the directive or role name
    embeds: bool = False  # the browser loads it while showing the page (image, script, frame …)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(colon_fence_plugin).use(dollarmath_plugin).use(myst_role_plugin)
    return md


def find_references(text: str, line_offset: int = 0) -> list[Reference]:
    """Every link, image, figure, include and download target in MyST Markdown text."""
    refs: list[Reference] = []
    for token in _parser().parse(text):
        line = (token.map[0] if token.map else 0) + line_offset
        if token.type in ("fence", "colon_fence"):
            refs.extend(_directive_references(token, line))
        elif token.type == "inline":
            refs.extend(_inline_references(token.children or [], line))
        elif token.type == "html_block":
            refs.extend(_html_references(token.content, line))
    return refs


def _directive_references(token: Token, line: int) -> list[Reference]:
    match = DIRECTIVE.match(token.info.strip())
    if not match:
        return []
    name, argument = match.group(1), match.group(2).strip()
    body = token.content.splitlines()
    option_lines = list(takewhile(lambda raw: OPTION.match(raw.strip()), body))
    options = {m.group(1): m.group(2) for m in (OPTION.match(r.strip()) for r in option_lines) if m}
    consumed = len(option_lines)
    # a YAML block of options (--- … ---) is also allowed in MyST
    if body and body[0].strip() == "---":
        end = next((i for i, raw in enumerate(body[1:], 1) if raw.strip() == "---"), None)
        if end is not None:
            for raw in body[1:end]:
                key, _, value = raw.partition(":")
                options[key.strip()] = value.strip()
            consumed = end + 1
    rest = "\n".join(body[consumed:])
    refs: list[Reference] = []
    if name in PATH_DIRECTIVES and argument:
        if name in ("figure", "image"):
            alt = options.get("alt", "")
            if name == "figure" and not alt and rest.strip():
                alt = rest.strip().splitlines()[0]  # the caption describes the figure
            refs.append(Reference(line, name, argument, alt, tag=name, embeds=True))
            if options.get("target"):
                refs.append(Reference(line, "link", options["target"].strip(), tag=name))
        else:
            refs.append(Reference(line, "include" if "include" in name else name, argument))
    if name not in ("code", "code-block", "code-cell", "literalinclude", "math") and rest.strip():
        refs.extend(find_references(rest, line + 1 + consumed))
    return refs


def _inline_references(children: list[Token], line: int) -> list[Reference]:
    refs: list[Reference] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            refs.append(Reference(line, "link", str(child.attrs.get("href", "")), tag="a"))
        elif child.type == "image":
            refs.append(Reference(line, "image", str(child.attrs.get("src", "")), child.content,
                                  tag="img", embeds=True))
        elif child.type == "myst_role" and child.meta.get("name") in PATH_ROLES:
            content = child.content
            target = ROLE_TARGET.search(content)
            refs.append(Reference(line, "download", (target.group(1) if target else content).strip(),
                                  tag="download"))
        elif child.type == "html_inline":
            refs.extend(_html_references(child.content, line))
    return refs


def _html_references(html: str, line: int) -> list[Reference]:
    refs: list[Reference] = []
    for match in HTML_ATTR.finditer(html):
        tag = match.group(1).lower()
        alt = None
        if tag == "img":
            alt_match = HTML_ALT.search(match.group(0))
            alt = alt_match.group(1) if alt_match else ""
        extra = html[: match.start()].count("\n")
        target = next(g for g in match.group(3, 4, 5) if g is not None)
        rel = HTML_REL.search(match.group(0))
        embeds = tag in EMBED_TAGS or (tag == "link" and bool(rel and LOADED_LINKS.search(rel.group(1))))
        refs.append(Reference(line + extra, "image" if tag == "img" else "html", target, alt,
                              tag=tag, embeds=embeds))
    return refs


def is_local(target: str) -> bool:
    """True for a reference to a file (not a web address, an e-mail, or an anchor)."""
    if not target or target.startswith("#"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def target_path(target: str) -> str:
    """The file part of a local reference: no #fragment or ?query, percent-decoded."""
    return unquote(urlsplit(target).path)


def resolve_reference(base: Path, target: str) -> Path:
    """The file a local reference in a file in folder `base` points at."""
    return (base / target_path(target)).resolve()
