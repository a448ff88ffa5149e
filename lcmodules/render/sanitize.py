"""The one HTML and URL policy of every built page: what may run, what a link may point at."""

from __future__ import annotations

import copy
from functools import cache
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import nh3
from lxml import etree, html
from nbformat import NotebookNode

from lcmodules.core.urlpolicy import (  # noqa: F401  (the policy's URL rules, re-exported)
    DROPPED_ELEMENTS,
    HTML_ASSETS,
    POLICY,
    dangerous_url,
    dropped_element,
    host_accepted,
    tag_findings,
    unsafe_attribute,
    unsafe_url,
    url_host,
)
from lcmodules.load.outputtypes import plain_fallback, scripted_types
from lcmodules.load.references import html_fragments

INERT_URL = "#"

# Notebook HTML outputs that are not trusted keep structure, tables, styles and images;
# scripts, event handlers, forms and frames go.
OUTPUT_TAGS = frozenset(nh3.ALLOWED_TAGS) | {
    "style", "div", "span", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption",
    "colgroup", "col", "img", "figure", "figcaption", "pre", "code", "details", "summary",
    "svg", "g", "path", "rect", "circle", "line", "polyline", "polygon", "text", "tspan",
    "video", "audio", "source", "picture", "sub", "sup", "hr", "br", "p", "h1", "h2", "h3",
    "h4", "h5", "h6",
}
# Attributes kept on every allowed element: these, plus the URL attributes of the policy table
# that show or link something (each value checked by `_output_attribute`).
GENERIC_ATTRIBUTES = {"class", "style", "id", "title", "lang", "dir", "role", "align", "width",
                      "height", "colspan", "rowspan", "scope", "alt", "border",
                      "cellpadding", "cellspacing", "valign", "open", "controls", "type",
                      "viewbox", "d", "x", "y", "fill", "stroke", "transform", "points",
                      "cx", "cy", "r", "x1", "x2", "y1", "y2", "start", "reversed"}


def _output_attribute(tag: str, attribute: str, value: str) -> str | None:
    return None if unsafe_attribute(tag, attribute, value) else value


@cache
def _output_attributes() -> dict[str, set[str]]:
    shown = {row.name for row in POLICY if row.reference and row.effect != "submits"}
    return {"*": GENERIC_ATTRIBUTES | shown}


def sanitize_output_html(text: str) -> str:
    """An untrusted notebook HTML output made inert (nh3, the Ammonia sanitiser): no scripts,
    event handlers, frames or forms; tables, styles and images stay."""
    return nh3.clean(
        text, tags=set(OUTPUT_TAGS), attributes=_output_attributes(),
        clean_content_tags={"script"}, url_schemes={"http", "https", "mailto", "data"},
        attribute_filter=_output_attribute, link_rel=None, strip_comments=True,
    )


def output_html(text: str, trusted: bool = False) -> str:
    """A notebook HTML output or raw HTML cell for a page: as it is when the course trusts its
    outputs, sanitised otherwise."""
    return text if trusted else sanitize_output_html(text)


def neutralise_urls(page: bytes) -> bytes:
    """The final pass over a built page: every attribute of the policy table holding a URL
    that would run script or is a non-image `data:` URL (`href`, SVG animation `to`/`values`,
    `style` url(), a refresh …) becomes `#`. A page without one is returned byte for byte."""
    try:
        doc = html.document_fromstring(page.decode("utf-8"))
    except etree.ParserError:
        return page
    changed = False
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in list(element.attrib.items()):
            local = name.rpartition("}")[2].lower() if name.startswith("{") else name.lower()
            if unsafe_url(element.tag, "href" if local.endswith(":href") else local, value):
                element.set(name, INERT_URL)
                changed = True
    if not changed:
        return page
    return b"<!DOCTYPE html>\n" + html.tostring(doc, encoding="utf-8")


def sanitize_notebook_outputs(nb: NotebookNode, trusted: bool = False) -> NotebookNode:
    """A copy of `nb` whose HTML outputs are sanitised (or left out for their image or text
    when they need script) and whose JavaScript outputs are left out, for formats whose own
    renderer shows outputs as they are (Jupyter Book); `nb` itself when the course trusts
    its outputs. Markdown cells get `filter_author_markdown`."""
    if trusted:
        return nb
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = filter_author_markdown(cell.source)
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data")
            if not data:
                continue
            data.pop("application/javascript", None)
            fallback = plain_fallback(data) is not None or any(m.startswith("image/") for m in data)
            if "text/html" in scripted_types(data) and fallback:
                del data["text/html"]
            elif "text/html" in data:
                value = data["text/html"]
                text = "".join(value) if isinstance(value, list) else str(value)
                data["text/html"] = sanitize_output_html(text)
    return nb


class _AuthorHtmlFilter(HTMLParser):
    """Re-emits a raw HTML fragment token by token, leaving out scripts, event handlers and
    script URLs; every other token is kept as written (fragments may be unbalanced)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skipping = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        findings = tag_findings(tag, attrs)
        if any(f.attribute is None for f in findings) or dropped_element(tag, dict(attrs)):
            self.skipping = tag == "script" and not close
            return
        left_out = {f.attribute for f in findings}
        kept = [(name, value) for name, value in attrs if name not in left_out]
        if len(kept) == len(attrs):
            self.out.append(self.get_starttag_text() or "")
            return
        text = "".join(f' {name}="{escape(value or "", quote=True)}"' if value is not None
                       else f" {name}" for name, value in kept)
        self.out.append(f"<{tag}{text}{close}>")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, " /")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.skipping = False
        elif tag not in DROPPED_ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.handle_data(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.handle_data(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.handle_data(f"<![{data}]>")


def filter_author_html(fragment: str, trusted: bool = False) -> str:
    """Raw HTML an author wrote in a page or markdown cell, for a page: as written when the
    course is trusted; otherwise without what the policy table names (`tag_findings`):
    `<script>` (and its text), `<base>`, a `<meta>` that does more than describe the
    document (`describing_meta`), event handlers, `srcdoc`, script URLs,
    form targets on other hosts (validation names each in a warning)."""
    if trusted or "<" not in fragment:
        return fragment
    parser = _AuthorHtmlFilter()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


def filter_author_markdown(text: str, trusted: bool = False) -> str:
    """MyST text with `filter_author_html` applied to each of its raw HTML fragments (and
    script URLs made inert), for formats that hand the text to another renderer (Jupyter
    Book); the text itself when nothing changes."""
    if "<" not in text:
        return text
    starts = [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]
    out: list[str] = []
    done = 0
    for line, fragment in html_fragments(text):
        clean = neutralise_fragment(filter_author_html(fragment, trusted))
        at = text.find(fragment, max(done, starts[min(line, len(starts) - 1)]))
        if at < 0:
            at = text.find(fragment, done)
        if clean == fragment or at < 0:
            continue
        out.append(text[done:at] + clean)
        done = at + len(fragment)
    return "".join(out) + text[done:] if out else text


def neutralise_fragment(fragment: str) -> str:
    """An HTML fragment whose script URLs (any attribute of the policy table) became `#`."""
    if "<" not in fragment:
        return fragment
    parser = _UrlNeutraliser()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


class _UrlNeutraliser(_AuthorHtmlFilter):
    """Keeps every tag, only replaces the values the final pass would replace."""

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str) -> None:
        bad = {name for name, value in attrs if unsafe_url(tag, name, value)}
        if not bad:
            self.out.append(self.get_starttag_text() or "")
            return
        text = "".join(f' {name}="{INERT_URL if name in bad else escape(value or "", quote=True)}"'
                       if value is not None else f" {name}" for name, value in attrs)
        self.out.append(f"<{tag}{text}{close}>")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def inert_asset(name: str, content: bytes | Path, trusted: bool = False) -> bytes | Path:
    """An HTML or SVG file a module ships (an `<iframe>`'s page, an image) under the policy of
    a page: what `filter_author_html` leaves out goes, script URLs become `#`. Any other file,
    or one with nothing to change, is returned as it is (a `Path` stays streamed)."""
    if Path(name).suffix.lower() not in HTML_ASSETS:
        return content
    data = content.read_bytes() if isinstance(content, Path) else content
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return content
    clean = neutralise_fragment(filter_author_html(text, trusted))
    return content if clean == text else clean.encode("utf-8")
