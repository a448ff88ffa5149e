"""Notebook output MIME types: which ones pages show as such (shared by validate/ and render/)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from lcmodules.core.urlpolicy import tag_findings
from lcmodules.load.references import html_tags

# The types lcmodules' notebook template renders on its own.
TEMPLATE_TYPES = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg",
                  "text/latex")
# Types only a browser running the output's scripts can show (a static page cannot).
SCRIPTED_PREFIXES = ("application/javascript", "application/vnd.jupyter.widget",
                     "application/vnd.plotly", "application/vnd.bokehjs", "application/vnd.vega",
                     "application/vnd.holoviews", "application/vdom")


# The text/plain of a rich output that says nothing but its Python type.
PYTHON_REPR = re.compile(r"^\s*<[\w.]+ object(?: at 0x[0-9a-fA-F]+)?>\s*$")


def scripted_types(data: dict[str, Any], trusted: bool = False) -> list[str]:
    """The MIME types of an output that only a browser running its scripts can show; for a
    course that does not trust its outputs also `text/html` whose HTML needs script (a
    `<script>`, an event handler … per core/urlpolicy.py)."""
    found = [m for m in data if m.startswith(SCRIPTED_PREFIXES)]
    if not trusted and "text/html" in data and html_needs_script(text_of(data["text/html"])):
        found.append("text/html")
    return sorted(found)


def html_left_out(text: str) -> list[str]:
    """What an untrusted page leaves out of an HTML output (scripts, handlers … per the
    policy table), each named once."""
    if "<" not in text:
        return []
    found = [f.what for tag in html_tags(text) for f in tag_findings(tag.tag, tag.attrs)]
    return list(dict.fromkeys(found))


def html_needs_script(text: str) -> bool:
    """True when HTML runs a script and shows nothing without it (jupyterquiz, Plotly …):
    a page shows the output's image or text instead."""
    if not any(what.startswith(("the script", "an inline script")) for what in html_left_out(text)):
        return False
    visible = _Visible()
    visible.feed(text)
    visible.close()
    return not visible.seen


class _Visible(HTMLParser):
    """Notes whether HTML shows anything without its scripts: text, an image, a table …"""

    SHOWN = frozenset({"img", "svg", "table", "video", "audio", "picture", "math", "iframe"})
    HIDDEN = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.seen = False
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen |= tag in self.SHOWN
        self.hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        self.seen |= not self.hidden and bool(data.strip())


def text_of(value: Any) -> str:
    """A notebook output value (a string or a list of lines) as one string."""
    return "".join(value) if isinstance(value, list) else str(value)


def plain_fallback(data: dict[str, Any]) -> str | None:
    """The `text/plain` of an output when it says more than the Python type of the object."""
    text = text_of(data["text/plain"]) if "text/plain" in data else ""
    return text if text.strip() and not PYTHON_REPR.match(text) else None
