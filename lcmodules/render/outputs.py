"""Notebook outputs JupyterLab shows statically, fitted to what lcmodules' template renders:
GIF/WebP images and PDFs as files, script-driven outputs (widgets, Plotly, Bokeh …) as their
text or a note — never dropped without a word."""

from __future__ import annotations

import base64
import binascii
from html import escape
from typing import Any

from nbformat import NotebookNode

from lcmodules.core.strings import translator
from lcmodules.load.outputtypes import TEMPLATE_TYPES, plain_fallback, scripted_types
from lcmodules.render.assets import SiteFiles

LC_HTML = "application/vnd.lcmodules.html"  # an output this module rendered already
IMAGES = {"image/gif": "gif", "image/webp": "webp", "image/bmp": "bmp"}
# what the page says in place of an output it cannot show: key → msgid (lcmodules/locale)
NOTES = {
    "scripted": "Interactive output ({kind}): it needs a running notebook; "
                "open the notebook to see it.",
    "pdf": "PDF made by the code above", "other": "Output of type {kind} (not shown).",
}


def _notes(language: str) -> dict[str, str]:
    gettext = translator(language).gettext
    return {key: gettext(msgid) for key, msgid in NOTES.items()}


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _decode(value: Any) -> bytes | None:
    try:
        return base64.b64decode(_text(value).encode("ascii"), validate=False)
    except (ValueError, binascii.Error):
        return None


def fit_output(output: NotebookNode, site: SiteFiles, language: str, alt: str,
               trusted: bool = False) -> None:
    """Make `output` (of a render-ready copy) one the template shows: scripted types and HTML
    that needs script removed (their image or text kept, else a note; a trusted course keeps
    `application/javascript` and its HTML, docs/security.md), GIF/WebP/PDF as page HTML."""
    data = output.get("data")
    if not data:
        return
    notes = _notes(language)
    scripted = [m for m in scripted_types(data, trusted)
                if not (trusted and m == "application/javascript")]
    for mime in scripted:
        del data[mime]
    if scripted and "text/html" in data:
        del data["text/html"]  # its markup only works with the scripts removed above
    if scripted and "text/plain" in data and plain_fallback(data) is None:
        del data["text/plain"]  # `<IPython.core.display.HTML object>` tells a learner nothing
    if any(m in data for m in TEMPLATE_TYPES):
        return
    html = _static_html(data, site, notes, alt)
    if scripted:
        note = escape(notes["scripted"].format(kind=", ".join(scripted)))
        if not html and "text/plain" in data:
            text = escape(_text(data["text/plain"]))
            html = f'<pre class="lc-output lc-output-text">{text}</pre>'
        html = f'<p class="lc-output-note">{note}</p>{html}'
    if html:
        output["data"] = {LC_HTML: html}


def _static_html(data: dict[str, Any], site: SiteFiles, notes: dict[str, str], alt: str) -> str:
    """Page HTML for a GIF/WebP/BMP image, a PDF or an unknown type; "" when the template can."""
    for mime, ext in IMAGES.items():
        raw = _decode(data[mime]) if mime in data else None
        if raw:
            name = site.add_asset(raw, ext)
            return (f'<div class="lc-output lc-output-image"><img src="{escape(name)}" '
                    f'alt="{escape(alt)}"></div>')
    if "application/pdf" in data:
        raw = _decode(data["application/pdf"])
        if raw:
            name = site.add_asset(raw, "pdf")
            return (f'<p class="lc-output lc-output-pdf"><a href="{escape(name)}" download>'
                    f'{escape(notes["pdf"])} (PDF)</a></p>')
    if "text/plain" in data or "application/json" in data:
        return ""  # the template shows these
    kinds = ", ".join(sorted(data))
    if not kinds:
        return ""
    return f'<p class="lc-output-note">{escape(notes["other"].format(kind=kinds))}</p>'
