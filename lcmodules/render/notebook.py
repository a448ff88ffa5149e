"""A notebook → the HTML body of its unit, through nbconvert with lcmodules' own template."""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from nbconvert.exporters import TemplateExporter
from nbconvert.filters import ansi2html
from nbformat import NotebookNode
from traitlets import default
from traitlets.config import Config

from lcmodules.render.assets import MEDIA_EXTENSIONS, SiteFiles
from lcmodules.render.i18n import strings
from lcmodules.render.markdown import Context, MarkdownRenderer, highlight_code, mathml, slugify
from lcmodules.render.outputs import LC_HTML, fit_output
from lcmodules.render.sanitize import output_html
from lcmodules.transform.learner import presentation_cells

TEMPLATES = Path(__file__).parent / "templates" / "nbconvert"
TEMPLATE_NAME = "lc"
DISPLAY_PRIORITY = [
    LC_HTML,  # outputs render/outputs.py fitted to the page (GIF, WebP, PDF, scripted ones)
    "text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/latex",
    "application/json", "text/plain",
]
EXTERNAL_TAG = re.compile(
    r"""<(script|link|iframe|img|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?"""
    r"""(?:https?:)?//[^>]*>(?:\s*</\1>)?""",
    re.I | re.S,
)
LATEX_DELIMITERS = (("$$", "$$"), ("\\[", "\\]"), ("\\(", "\\)"), ("$", "$"))
OBJECT_REPR = re.compile(r"^<.*>$", re.S)


def offline_html(text: str) -> str:
    """Output HTML without tags that would load something from another site."""
    return EXTERNAL_TAG.sub("", text)


ANSI_BASE = {
    "black": (0, 0, 0), "red": (205, 0, 0), "green": (0, 205, 0), "yellow": (205, 205, 0),
    "blue": (0, 0, 238), "magenta": (205, 0, 205), "cyan": (0, 205, 205), "white": (229, 229, 229),
}
ANSI_STYLE = re.compile(r'<span(?: class="([^"]*)")? style="([^"]*)">')
ANSI_RGB = re.compile(r"(background-color|color):\s*rgb\((\d+),\s*(\d+),\s*(\d+)\)")


def _nearest_ansi(rgb: tuple[int, int, int]) -> str:
    return min(ANSI_BASE, key=lambda name: sum((a - b) ** 2 for a, b in zip(ANSI_BASE[name], rgb, strict=True)))


def ansi_to_html(text: str) -> str:
    """ANSI colours → HTML with classes only: nbconvert's ansi2html, with its inline styles for
    256-colour and true-colour codes mapped to the nearest of the eight classes lc.css styles
    (so every colour keeps its contrast and no page carries inline styles)."""

    def classes(match: re.Match[str]) -> str:
        names = (match.group(1) or "").split()
        for prop, r, g, b in ANSI_RGB.findall(match.group(2)):
            colour = _nearest_ansi((int(r), int(g), int(b)))
            names.append(f"ansi-{colour}-{'bg' if prop.startswith('background') else 'fg'}")
        return f'<span class="{" ".join(names)}">' if names else "<span>"

    return ANSI_STYLE.sub(classes, ansi2html(text))


def latex_to_html(text: str) -> str:
    """A text/latex output (`$$…$$`, `\\[…\\]`, `$…$` or bare LaTeX) as display MathML."""
    body = text.strip()
    for start, end in LATEX_DELIMITERS:
        if body.startswith(start) and body.endswith(end) and len(body) > len(start) + len(end):
            body = body[len(start): -len(end)]
            break
    return mathml(body, display=True)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _alt(output: NotebookNode, cell: NotebookNode, fallback: str) -> str:
    """An image's alternative text: metadata `alt`, else a meaningful text/plain, else `fallback`."""
    for meta in (output.get("metadata", {}), cell.get("metadata", {})):
        if isinstance(meta.get("alt"), str) and meta["alt"].strip():
            return meta["alt"].strip()
    plain = _text(output.get("data", {}).get("text/plain", "")).strip()
    if plain and not OBJECT_REPR.match(plain) and len(plain) < 300:
        return plain
    return fallback


def prepare(nb: NotebookNode, site: SiteFiles, language: str,
            trusted: bool = False) -> NotebookNode:
    """A render-ready copy: presentation tags applied (transform.learner), images extracted.

    Extraction is like nbconvert's ExtractOutputPreprocessor but names files by their content,
    so the same notebook always gives the same names.
    """
    nb = presentation_cells(nb)
    fallback = strings(language)["figure_output"]
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            fit_output(output, site, language, _alt(output, cell, fallback), trusted)
            _extract_images(output, cell, site, fallback)
    return nb


def _extract_images(output: NotebookNode, cell: NotebookNode, site: SiteFiles, fallback: str) -> None:
    data = output.get("data")
    if not data:
        return
    filenames: dict[str, str] = {}
    for mime, ext in MEDIA_EXTENSIONS.items():
        if mime not in data:
            continue
        value = _text(data[mime])
        if mime == "image/svg+xml":
            raw = value.encode("utf-8")
        else:
            try:
                raw = base64.b64decode(value.encode("ascii"), validate=False)
            except ValueError:
                continue
        filenames[mime] = site.add_asset(raw, ext)
    if filenames:
        output.setdefault("metadata", {})["filenames"] = filenames
        output["metadata"]["lc_alt"] = _alt(output, cell, fallback)


class NotebookBodyExporter(TemplateExporter):
    """nbconvert's template exporter with lcmodules' template and HTML as its output type.

    Not nbconvert's HTMLExporter: that one re-serialises the whole result through
    BeautifulSoup and adds resources (MathJax, require.js URLs) a self-contained site never uses.
    """

    output_mimetype = "text/html"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".html"  # nbconvert then looks for the template `index.html.j2`


@functools.lru_cache(maxsize=8)
def _exporter(template_dirs: tuple[Path, ...], trusted: bool = False) -> NotebookBodyExporter:
    """One exporter per template folder set, so its templates are compiled once per process;
    the per-notebook filters are registered again before every render. Only a trusted course
    shows application/javascript outputs (as scripts)."""
    priority = ["application/javascript", *DISPLAY_PRIORITY] if trusted else DISPLAY_PRIORITY
    # optimistic validation: the notebook is validated once after nbconvert's (disabled)
    # preprocessors, not after each of the eleven (a tenth of a cold build; same output)
    config = Config({"NbConvertBase": {"display_data_priority": priority},
                     "Exporter": {"optimistic_validation": True}})
    return NotebookBodyExporter(
        config=config,
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(p) for p in [*template_dirs, TEMPLATES]],
    )


def render_notebook(nb: NotebookNode, ctx: Context, site: SiteFiles, md: MarkdownRenderer,
                    template_dirs: Sequence[Path] = (), trusted: bool = False) -> str:
    """The HTML of a notebook's cells and outputs (the edition given; nothing is removed here
    except what the presentation tags say). HTML outputs are sanitised unless `trusted`
    (docs/security.md)."""
    ready = prepare(nb, site, ctx.language, trusted)
    language = str(nb.metadata.get("kernelspec", {}).get("language")
                   or nb.metadata.get("language_info", {}).get("name") or "python")
    exporter = _exporter(tuple(template_dirs), trusted)
    counter = {"cell": 0}

    def markdown_cell(source: str, cell: NotebookNode) -> Markup:
        counter["cell"] += 1
        aliases = dict(ctx.aliases)
        for name, bundle in (cell.get("attachments") or {}).items():
            for mime, value in bundle.items():
                if mime in MEDIA_EXTENSIONS:
                    raw = value.encode() if mime == "image/svg+xml" else base64.b64decode(value)
                    aliases[f"attachment:{name}"] = site.add_asset(raw, MEDIA_EXTENSIONS[mime])
                    break
        cell_ctx = replace(ctx, aliases=aliases, doc_id=f"{ctx.doc_id}-{counter['cell']}")
        return Markup(md.render(source, cell_ctx))

    filters: dict[str, Any] = {
        "lc_highlight": lambda source: Markup(highlight_code(source, language)),
        "lc_markdown": lambda source: Markup(md.render(_text(source), replace(ctx, doc_id=f"{ctx.doc_id}-out"))),
        "lc_markdown_cell": markdown_cell,
        "lc_latex": lambda source: Markup(latex_to_html(_text(source))),
        "lc_json": lambda value: Markup(html.escape(  # text: `</pre><script>` stays inert
            json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True), quote=False)),
        "lc_output_html": lambda source: Markup(output_html(offline_html(_text(source)), trusted)),
        "lc_javascript": lambda source: Markup(_text(source).replace("</", "<\\/")),
        "lc_class": slugify,
        "ansi2html": lambda source: Markup(ansi_to_html(_text(source))),
    }
    for name, function in filters.items():
        exporter.register_filter(name, function)
    resources = {"lc": {"strings": strings(ctx.language)}}
    body, _ = exporter.from_notebook_node(ready, resources=resources)
    return body.strip() + "\n"
