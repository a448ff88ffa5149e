"""The one HTML and URL policy: every attribute that can hold a URL or a script, and what it does.

A leaf module, so validation (author content, assets), rendering (the nh3 allow-list, the author
HTML filter, the final pass over every page) and `inspect` (any package) read the same table;
docs/security.md shows it (a test keeps the two equal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

# Schemes that run code when a link is followed or a resource loaded.
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "livescript", "mocha"})
SAFE_DATA = re.compile(r"^data:image/(?:png|jpeg|jpg|gif|webp|avif|bmp);", re.I)
# What a browser ignores inside a scheme name ("java\tscript:" runs too).
IGNORED = re.compile(r"[\x00-\x20\x7f]+")
CSS_URL = re.compile(r"""url\(\s*(?:'([^']*)'|"([^"]*)"|([^'")\s]*))\s*\)"""
                     r"""|@import\s+(?:'([^']*)'|"([^"]*)")""", re.I)
# `<meta http-equiv=refresh content="5; url=…">` (the `url=` may be left out).
REFRESH_URL = re.compile(r"^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)", re.I)

Effect = Literal["loads", "navigates", "submits", "runs"]
Form = Literal["url", "urls", "srcset", "values", "css", "refresh", "script", "html"]


@dataclass(frozen=True)
class UrlAttribute:
    """One row of the policy: an attribute, where it matters, what its value does."""

    name: str  # lowercase; "on*" stands for every event handler
    elements: tuple[str, ...]  # () = any element
    effect: Effect  # loads/embeds while the page shows, navigates when followed, runs script
    form: Form  # how URLs sit in the value
    reference: bool  # a file or address the reference parser follows (checked, copied)
    note: str


ANIMATIONS = ("set", "animate", "animatemotion", "animatetransform")
POLICY: tuple[UrlAttribute, ...] = (
    UrlAttribute("src", ("img", "script", "iframe", "frame", "video", "audio", "source", "track",
                         "embed", "input"), "loads", "url", True, "the resource shown or run"),
    UrlAttribute("href", (), "navigates", "url", True,
                 "a link; loads for `<link rel=stylesheet, icon, preload…>`, SVG `<use>`/`<image>`"),
    UrlAttribute("xlink:href", (), "navigates", "url", True,
                 "SVG's href: a link in `<a>`, a load in `<use>`/`<image>`"),
    UrlAttribute("poster", ("video",), "loads", "url", True, "the still before a video plays"),
    UrlAttribute("data", ("object",), "loads", "url", True, "the embedded object"),
    UrlAttribute("srcset", ("img", "source"), "loads", "srcset", True, "candidate images"),
    UrlAttribute("action", ("form",), "submits", "url", True, "where a form sends its fields"),
    UrlAttribute("formaction", ("button", "input"), "submits", "url", True,
                 "where this button sends the form"),
    UrlAttribute("background", ("body", "table", "td", "th"), "loads", "url", True,
                 "a background image"),
    UrlAttribute("cite", ("blockquote", "q", "del", "ins"), "navigates", "url", False,
                 "the source of a quotation"),
    UrlAttribute("longdesc", ("img", "frame", "iframe"), "navigates", "url", False,
                 "a long description"),
    UrlAttribute("ping", ("a", "area"), "loads", "urls", False,
                 "addresses told when a link is followed"),
    UrlAttribute("manifest", ("html",), "loads", "url", False, "an application cache manifest"),
    UrlAttribute("codebase", ("object", "applet"), "loads", "url", False,
                 "the base of an object's code"),
    UrlAttribute("archive", ("object", "applet"), "loads", "urls", False, "an object's code"),
    *(UrlAttribute(name, ANIMATIONS, "runs", "values", False,
                   "an SVG animation sets another attribute (`attributeName`) to it: "
                   "`href` becomes a link")
      for name in ("to", "from", "values", "by")),
    UrlAttribute("style", (), "loads", "css", False, "CSS `url()` and `@import` load"),
    UrlAttribute("on*", (), "runs", "script", False, "an event handler is script"),
    UrlAttribute("srcdoc", ("iframe",), "runs", "html", False, "a whole page, scripts included"),
    UrlAttribute("content", ("meta",), "navigates", "refresh", False,
                 "`<meta http-equiv=refresh content='0;url=…'>` opens the URL"),
)
_BY_NAME = {row.name: row for row in POLICY}
# The attributes the reference parser reads (load/references.py imports this name).
URL_ATTRIBUTES = frozenset(row.name for row in POLICY if row.reference)
# Elements left out of pages unless the course trusts its authors.
SCRIPT_ELEMENTS = frozenset({"script"})
DROPPED_ELEMENTS = frozenset({"script", "base", "meta"})
# `<meta http-equiv>` values that only describe the document (its encoding): kept, like a
# `<meta charset>` or `<meta name=viewport>`, so a shipped HTML file keeps its encoding.
DESCRIBING_META_EQUIV = frozenset({"content-type", "content-language", "x-ua-compatible"})
# `<script type=…>` that hold data and are never run.
DATA_SCRIPT_TYPES = frozenset({"application/json", "application/ld+json", "text/template"})
LOADING_LINK_RELS = frozenset({"stylesheet", "icon", "preload", "prefetch", "modulepreload",
                               "manifest"})
SVG_LOADING = frozenset({"use", "image", "feimage"})
# Files a module ships that browsers read as pages: held to the same policy as a page.
HTML_ASSETS = frozenset({".html", ".htm", ".xhtml", ".svg"})


def attribute_rule(name: str) -> UrlAttribute | None:
    """The policy row of an attribute (event handlers share the `on*` row), or None."""
    name = name.lower()
    if name.startswith("on") and len(name) > 2:
        return _BY_NAME["on*"]
    return _BY_NAME.get(name)


def dangerous_url(value: str) -> bool:
    """True for a URL that runs script (`javascript:`, `vbscript:` …) or is a `data:` URL
    other than an image, however it is spelled (case, entities already decoded, blanks)."""
    cleaned = IGNORED.sub("", value).lower()
    scheme = cleaned.partition(":")[0] if ":" in cleaned else ""
    if scheme in SCRIPT_SCHEMES:
        return True
    return scheme == "data" and not SAFE_DATA.match(cleaned)


def css_urls(text: str) -> list[str]:
    """The URLs CSS text loads (`url(…)`, `@import`)."""
    return [next((g for g in m.groups() if g), "") for m in CSS_URL.finditer(text)]


def srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset` value (each candidate is `URL [descriptor]`)."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def attribute_urls(name: str, value: str | None, tag: str = "") -> list[str]:
    """The URLs an attribute's value holds, as the table says they sit in it (`content` is a
    URL only on `<meta>`: elsewhere it is text)."""
    rule = attribute_rule(name)
    if rule is None or not value or (rule.form == "refresh" and tag.lower() not in rule.elements):
        return []
    if rule.form == "url":
        return [value.strip()]
    if rule.form == "urls":
        return value.split()
    if rule.form == "srcset":
        return srcset_urls(value)
    if rule.form == "values":
        return [part.strip() for part in value.split(";") if part.strip()]
    if rule.form == "css":
        return css_urls(value)
    if rule.form == "refresh":
        match = REFRESH_URL.match(value)
        return [match.group(1).strip()] if match and match.group(1).strip() else []
    return []


def unsafe_attribute(tag: str, name: str, value: str | None) -> str | None:
    """Why an attribute would run script (an event handler, `srcdoc`, a script URL in any
    URL it holds), or None. `value` as a browser reads it (entities decoded)."""
    rule = attribute_rule(name)
    if rule is None:
        return None
    tag, name = tag.lower(), name.lower()
    if rule.form == "script":
        return f"the event handler {name}= of <{tag}>"
    if rule.form == "html":
        return f"the {name}= of <{tag}> (a page with its own scripts)"
    for url in attribute_urls(name, value, tag):
        if dangerous_url(url):
            return f"<{tag} {name}='{_short(url)}'> (a script URL)"
    return None


def unsafe_url(tag: str, name: str, value: str | None) -> bool:
    """True when a URL the attribute holds runs script (what the final page pass makes inert,
    trusted course or not)."""
    return any(dangerous_url(url) for url in attribute_urls(name, value, tag))


def loads(tag: str, name: str, attrs: dict[str, str | None]) -> bool:
    """True when a browser loads this attribute's URL(s) while showing the page."""
    tag, name = tag.lower(), name.lower()
    if name in ("href", "xlink:href"):
        if tag == "link":
            return bool(set((attrs.get("rel") or "").lower().split()) & LOADING_LINK_RELS)
        return tag in SVG_LOADING
    rule = attribute_rule(name)
    if rule is None or rule.effect != "loads":
        return False
    if tag == "input" and name == "src":
        return (attrs.get("type") or "").lower() == "image"
    return not rule.elements or tag in rule.elements


def describing_meta(tag: str, attrs: dict[str, str | None]) -> bool:
    """True for a `<meta>` that only describes the document (`charset`, `name=description`,
    `viewport`, an encoding `http-equiv`): it neither navigates, sets anything nor changes
    what is sent (`name=referrer` does)."""
    if tag.lower() != "meta":
        return False
    equiv = (attrs.get("http-equiv") or "").strip().lower()
    name = (attrs.get("name") or "").strip().lower()
    return (not equiv or equiv in DESCRIBING_META_EQUIV) and name != "referrer"


def dropped_element(tag: str, attrs: dict[str, str | None]) -> bool:
    """True for an element a page leaves out whole, whatever its attributes (a script, even a
    data block, `<base>`, a `<meta>` that does more than describe the document)."""
    return tag.lower() in DROPPED_ELEMENTS and not describing_meta(tag, attrs)


def runs_script(tag: str, attrs: dict[str, str | None]) -> bool:
    """True for an element a browser runs as script (`<script>` that is not a data block)."""
    return tag.lower() in SCRIPT_ELEMENTS and \
        (attrs.get("type") or "").strip().lower() not in DATA_SCRIPT_TYPES


@dataclass(frozen=True)
class Finding:
    """What a page leaves out of one start tag: the whole element (`attribute` None) or one
    attribute; `always`: inert in every page, trusted course or not (a script URL)."""

    what: str
    attribute: str | None
    always: bool


def tag_findings(tag: str, attrs: list[tuple[str, str | None]]) -> list[Finding]:
    """Everything of a start tag that would run script or send data elsewhere, per the table:
    script elements, `<base>`/`<meta>`, event handlers, `srcdoc`, script URLs in any URL
    attribute (SVG animation values included), forms that send to another host."""
    tag = tag.lower()
    values = dict(attrs)
    if dropped_element(tag, values):
        if tag in SCRIPT_ELEMENTS and not runs_script(tag, values):
            return []
        src = (values.get("src") or "").strip()
        what = (f"the script {src}" if src else "an inline script") if tag == "script" \
            else f"<{tag}>"
        if tag == "meta" and unsafe_url(tag, "content", values.get("content")):
            return [Finding(unsafe_attribute(tag, "content", values.get("content")) or what,
                            None, True)]
        return [Finding(what, None, False)]
    found: list[Finding] = []
    for name, value in attrs:
        reason = unsafe_attribute(tag, name, value)
        if reason:
            always = unsafe_url(tag, name, value)
            found.append(Finding(reason, name, always))
            continue
        rule = attribute_rule(name)
        host = url_host(value or "") if rule is not None and rule.effect == "submits" else None
        if host:
            found.append(Finding(f"the form target {host} of <{tag}>", name, False))
    return found


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def url_host(value: str) -> str | None:
    """The host a URL loads from (`https://h/…` or `//h/…`), or None for a local reference."""
    text = value.strip()
    if not re.match(r"^(?:[a-z][a-z0-9+.-]*:)?//", text, re.I):
        return None
    try:
        host = urlsplit(text if ":" in text.split("//", 1)[0] else "https:" + text).hostname
    except ValueError:
        return None
    return host or None


def host_accepted(host: str, accepted: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """True when `host` is listed, or is a subdomain of a listed `.example.org` entry."""
    host = host.lower().rstrip(".")
    for entry in accepted:
        name = entry.strip().lower().rstrip(".")
        if name.startswith("."):
            if host == name[1:] or host.endswith(name):
                return True
        elif host == name:
            return True
    return False


def markdown_table() -> str:
    """The policy as a Markdown table (docs/security.md holds exactly this)."""
    rows = ["| attribute | elements | effect | value holds | checked as a reference | note |",
            "| --- | --- | --- | --- | --- | --- |"]
    for row in POLICY:
        elements = ", ".join(row.elements) or "any"
        rows.append(f"| `{row.name}` | {elements} | {row.effect} | {row.form} | "
                    f"{'yes' if row.reference else 'no'} | {row.note} |")
    return "\n".join(rows)
