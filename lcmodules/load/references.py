"""The one reference parser: every file or address a MyST page or markdown cell refers to.

Markdown is read through markdown-it's tokens, raw HTML through the standard library's HTML
parser (so `<img src=x.png>` without quotes is found too). Validation, rendering, the Jupyter
Book export and fingerprints all read references from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it.token import Token

from lcmodules.core.urlpolicy import (  # the one policy table
    LOADING_LINK_RELS,
    URL_ATTRIBUTES,
    attribute_urls,
    css_urls,
    srcset_urls,  # re-exported: the renderer rewrites srcset values through it
)
from lcmodules.load.document import Document, parse_document
from lcmodules.load.myst import ROLE_TARGET, parse_directive

LABEL = re.compile(r"^\s*\(([^()\s]+)\)=\s*$|^\s*:(?:name|label):\s*(\S+)\s*$|^\$\$\s*\((\S+)\)\s*$",
                   re.M)
PATH_DIRECTIVES = {"figure", "image", "include", "literalinclude", "download"}
PATH_ROLES = {"download"}
NO_MARKDOWN_BODY = {"code", "code-block", "sourcecode", "code-cell", "literalinclude", "math",
                    "csv-table", "eval-rst", "raw", "bibliography"}
CARD_IMAGES = ("img-top", "img-bottom", "img-background")
# elements whose resource the browser loads while showing the page
EMBEDDING = {"img", "script", "iframe", "frame", "video", "audio", "source", "track", "object",
             "embed", "input", "image", "use"}
FRAMES = ("iframe", "frame")


@dataclass(frozen=True)
class Reference:
    """One reference in Markdown text: `line` is 0-based within the text given (plus offset).

    `kind` is "link", "label", "image", "figure", "include", "download" or "html"; `tag` the HTML
    element, directive or role it came from ("a"/"img" for Markdown links and images); `embeds`
    is True when a browser loads the target while showing the page.
    """

    line: int
    kind: str
    target: str
    alt: str | None = None  # for images: the alt text ("" when missing); None when n/a
    tag: str | None = None
    embeds: bool = False
    title: str | None = None  # for <iframe>/<frame>: the title ("" when missing); None when n/a


def find_references(text: str, line_offset: int = 0) -> list[Reference]:
    """Every link, image, figure, include, download and HTML resource in MyST Markdown text.

    A link `[text](name)` to a label defined in the same text (`(name)=`, `:name:`, `:label:`)
    has kind "label": it is no file.
    """
    return document_references(parse_document(text), line_offset)


def document_references(document: Document, line_offset: int = 0) -> list[Reference]:
    """`find_references` of a parsed document (worked out once, then shifted by the offset)."""
    refs = document.derived.get("references")
    if refs is None:
        labels = document_labels(document)
        refs = document.derived["references"] = [
            Reference(r.line, "label", r.target, r.alt, r.tag, r.embeds, r.title)
            if r.kind == "link" and r.tag == "a" and r.target in labels else r
            for r in _references(document, 0)]
    if not line_offset:
        return list(refs)
    return [replace(r, line=r.line + line_offset) for r in refs]


def find_labels(text: str) -> set[str]:
    """Every label MyST text defines: `(name)=`, `$$ (name)`, and a directive's `name` or
    `label` option, written as `:name:` or in a `---` YAML block (nested directives too)."""
    return set(document_labels(parse_document(text)))


def document_labels(document: Document) -> frozenset[str]:
    """`find_labels` of a parsed document."""
    labels = document.derived.get("labels")
    if labels is None:
        found = {name for match in LABEL.findall(document.text) for name in match if name}
        for token in document.tokens:
            directive = parse_directive(token.info, token.content) \
                if token.type in ("fence", "colon_fence") else None
            if directive is None:
                continue
            found |= {directive.options[key] for key in ("name", "label")
                      if directive.options.get(key)}
            if directive.name not in NO_MARKDOWN_BODY:
                found |= document_labels(document.body(directive.body))
        labels = document.derived["labels"] = frozenset(found)
    return labels


def _references(document: Document, line_offset: int) -> list[Reference]:
    refs: list[Reference] = []
    for token in document.tokens:
        line = (token.map[0] if token.map else 0) + line_offset
        if token.type in ("fence", "colon_fence"):
            refs.extend(_directive_references(document, token, line))
        elif token.type == "inline":
            refs.extend(_inline_references(token.children or [], line))
        elif token.type == "html_block":
            refs.extend(html_references(token.content, line))
    return refs


def _directive_references(document: Document, token: Token, line: int) -> list[Reference]:
    directive = parse_directive(token.info, token.content)
    if directive is None:
        return []
    name, argument, options = directive.name, directive.argument, directive.options
    refs: list[Reference] = []
    if name in ("figure", "image") and argument:
        alt = options.get("alt", "")
        if name == "figure" and not alt and directive.body.strip():
            alt = directive.body.strip().splitlines()[0]  # the caption describes the figure
        refs.append(Reference(line, name, argument, alt, name, True))
        if options.get("target"):
            refs.append(Reference(line, "link", options["target"], None, name))
    elif name in PATH_DIRECTIVES and argument:
        kind = "include" if "include" in name else name
        refs.append(Reference(line, kind, argument, None, name))
    if name == "csv-table" and options.get("file"):
        refs.append(Reference(line, "include", options["file"], None, name))
    for key in CARD_IMAGES:
        if options.get(key):
            refs.append(Reference(line, "image", options[key], options.get("img-alt", ""), name, True))
    if options.get("link") and options.get("link-type", "url") == "url":
        refs.append(Reference(line, "link", options["link"], None, name))
    if name not in NO_MARKDOWN_BODY and directive.body.strip():
        refs.extend(document_references(document.body(directive.body),
                                        line + 1 + directive.body_offset))
    return refs


def _inline_references(children: list[Token], line: int) -> list[Reference]:
    refs: list[Reference] = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            line += 1
        elif child.type == "link_open":
            refs.append(Reference(line, "link", str(child.attrs.get("href", "")), None, "a"))
        elif child.type == "image":
            src = str(child.attrs.get("src", ""))
            refs.append(Reference(line, "image", src, child.content, "img", True))
        elif child.type == "myst_role" and child.meta.get("name") in PATH_ROLES:
            match = ROLE_TARGET.match(child.content)
            target = (match.group(2) if match else child.content).strip()
            refs.append(Reference(line, "download", target, None, str(child.meta["name"])))
        elif child.type == "html_inline":
            refs.extend(html_references(child.content, line))
    return refs


def html_fragments(text: str, line_offset: int = 0) -> list[tuple[int, str]]:
    """The raw HTML of MyST text with its line: HTML blocks, inline tags, `{raw} html` bodies,
    also inside directives whose body is Markdown (never code)."""
    return _fragments(parse_document(text), line_offset)


def _fragments(document: Document, line_offset: int) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for token in document.tokens:
        line = (token.map[0] if token.map else 0) + line_offset
        if token.type == "html_block":
            found.append((line, token.content))
        elif token.type == "inline":
            for child in token.children or []:
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "html_inline":
                    found.append((line, child.content))
        elif token.type in ("fence", "colon_fence"):
            found.extend(_directive_fragments(document, token, line))
    return found


def _directive_fragments(document: Document, token: Token, line: int) -> list[tuple[int, str]]:
    directive = parse_directive(token.info, token.content)
    if directive is None:
        return []
    body_line = line + 1 + directive.body_offset
    if directive.name == "raw":
        return [(body_line, directive.body)] if directive.argument.strip().lower() == "html" else []
    if directive.name in NO_MARKDOWN_BODY:
        return []
    return _fragments(document.body(directive.body), body_line)


@dataclass(frozen=True)
class HtmlTag:
    """One start tag of raw HTML: where it is in the text, and its parsed attributes."""

    line: int  # 0-based line within the HTML given
    start: int  # character offsets of the tag's source text
    end: int
    tag: str
    attrs: list[tuple[str, str | None]]


class _TagCollector(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.tags: list[HtmlTag] = []
        self.styles: list[tuple[int, str]] = []  # (0-based line, text) of each <style> element
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        source = self.get_starttag_text() or ""
        self.tags.append(HtmlTag(line - 1, start, start + len(source), tag, attrs))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_style = False

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append((self.getpos()[0] - 1, data))


def html_tags(html: str) -> list[HtmlTag]:
    """Every start tag in a piece of raw HTML, parsed by `html.parser`."""
    return _collected(html).tags


def _collected(html: str) -> _TagCollector:
    collector = _TagCollector(html)
    collector.feed(html)
    collector.close()
    return collector


def css_references(html: str, line: int) -> list[Reference]:
    """What the CSS in raw HTML loads — `style=` attributes and `<style>` elements (the
    policy's `css` form: `url()`, `@import`) — as references that embed, for the host rules.
    The files they name are not followed (checked or copied)."""
    collected = _collected(html)
    found = [Reference(line + tag.line, "html", url, tag=tag.tag, embeds=True)
             for tag in collected.tags for name, value in tag.attrs if name == "style"
             for url in attribute_urls(name, value, tag.tag)]
    found += [Reference(line + at, "html", url, tag="style", embeds=True)
              for at, text in collected.styles for url in css_urls(text)]
    return found


def embeds(tag: str, attrs: dict[str, str | None]) -> bool:
    """True when a browser loads this element's resource while showing the page."""
    if tag == "link":
        rels = set((attrs.get("rel") or "").lower().split())
        return bool(rels & LOADING_LINK_RELS)
    if tag == "input":
        return (attrs.get("type") or "").lower() == "image"
    return tag in EMBEDDING or (tag == "video" and "poster" in attrs)


def html_references(html: str, line: int) -> list[Reference]:
    """The resources raw HTML refers to (src, href, poster, data, srcset, action …)."""
    refs: list[Reference] = []
    for found in html_tags(html):
        attrs = dict(found.attrs)
        loads = embeds(found.tag, attrs)
        for name, value in found.attrs:
            if name not in URL_ATTRIBUTES or value is None:
                continue
            targets = srcset_urls(value) if name == "srcset" else [value.strip()]
            for target in targets:
                alt = (attrs.get("alt") or "") if found.tag == "img" else None
                title = (attrs.get("title") or "") if found.tag in FRAMES else None
                kind = "image" if found.tag == "img" else "html"
                refs.append(Reference(line + found.line, kind, target, alt, found.tag,
                                      loads or name == "poster", title))
    return refs


def is_picture(ref: Reference) -> bool:
    """True for an image or video a page shows (Markdown, `{figure}`/`{image}`, a card's,
    HTML `<img>`, `<video src|poster>`): a missing file is a warning, as in Jupyter Book; the
    page shows the alt text or caption in its place."""
    return ref.kind in ("image", "figure") or ref.tag in ("video", "source")


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
