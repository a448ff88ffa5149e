"""Rules that keep a package safe: no outside links, no script URLs, no hidden external loads."""

from __future__ import annotations

import html
from pathlib import Path

from nbformat import NotebookNode

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.outpath import outside_links
from lcmodules.core.urlpolicy import dangerous_url, host_accepted, url_host
from lcmodules.load.references import find_references, html_fragments, html_tags
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import LcSettings, Module

TRUST_HINT = ("remove it, or set `lcmodules.trusted_outputs: true` in _config.yml if every "
              "module of the course is trusted (docs/security.md)")


def check_links(module: Module, diag: Diagnostics) -> None:
    """A symbolic link in the module folder must not point outside it (used or not)."""
    for path, target in outside_links(module.root):
        diag.error(path, None, f"links to a file outside the module ({target})",
                   "copy the file in instead")


def check_content(module: Module, diag: Diagnostics) -> None:
    """Script URLs and raw scripts in pages and markdown cells are errors; resources loaded
    from another host are warnings unless the course accepts the host."""
    settings = module.config.lcmodules
    for unit in module.units:
        if unit.page is not None:
            _check_text(unit.source, unit.page.body, unit.page.body_line, "", settings, diag)
        if unit.notebook is None:
            continue
        lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
        for number, cell in enumerate(unit.notebook.cells):
            where = lines[number] if number < len(lines) else None
            prefix = f"cell {number + 1}: "
            if cell.cell_type == "markdown":
                _check_text(unit.source, cell.source, where, prefix, settings, diag, cell=True)
            elif cell.cell_type == "code" and not settings.trusted_outputs:
                _check_outputs(unit.source, where, prefix, cell, diag)


def _check_text(file: Path, text: str, first: int | None, prefix: str, settings: LcSettings,
                diag: Diagnostics, cell: bool = False) -> None:
    accepted, trusted = settings.external_hosts, settings.trusted_outputs
    offset = 0 if first is None or cell else first
    for ref in find_references(text, offset):
        line = first if cell else ref.line
        target = html.unescape(ref.target)
        what = _what(ref.kind, ref.tag)
        if dangerous_url(target):
            diag.error(file, line, f"{prefix}{what} points at '{_short(target)}', which would run "
                       "a script or open unchecked content", "link to a page or a file instead")
            continue
        host = url_host(target) if ref.embeds else None
        if host and not host_accepted(host, accepted):
            diag.warning(file, line, f"{prefix}{what} loads from {host}: the page needs internet "
                         "and that host sees every learner who opens it",
                         "copy the file into the module, or accept the host in "
                         "`lcmodules.external_hosts` of _config.yml")
    if trusted:
        return
    for line, message in _html_scripts(text, offset):
        diag.error(file, first if cell else line, f"{prefix}{message}", TRUST_HINT)


def _check_outputs(file: Path, line: int | None, prefix: str, cell: NotebookNode,
                   diag: Diagnostics) -> None:
    for output in cell.get("outputs") or []:
        data = output.get("data") or {}
        value = data.get("text/html")
        if value is None:
            continue
        text = "".join(value) if isinstance(value, list) else str(value)
        if _fragment_scripts(text, 0):
            diag.warning(file, line, f"{prefix}an HTML output holds a script or an event handler; "
                         "the built pages leave it out", TRUST_HINT)
            return


def _what(kind: str, tag: str | None) -> str:
    if kind == "link" and tag in ("figure", "image"):
        return f"the :target: of the {tag}"
    return f"<{tag}>" if tag and kind in ("html", "image") else kind


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _html_scripts(text: str, offset: int) -> list[tuple[int, str]]:
    """(line, problem) for every raw HTML script or event handler in MyST text."""
    found: list[tuple[int, str]] = []
    for line, fragment in html_fragments(text, offset):
        found.extend(_fragment_scripts(fragment, line))
    return found


def _fragment_scripts(fragment: str, line: int) -> list[tuple[int, str]]:
    """(line, problem) for each script element and event handler in an HTML fragment."""
    found: list[tuple[int, str]] = []
    for tag in html_tags(fragment):
        if tag.tag == "script":
            found.append((line + tag.line, "raw HTML <script> would run in the LMS page with the "
                                           "learner's login"))
        handlers = sorted(name for name, _ in tag.attrs if name.startswith("on"))
        if handlers:
            found.append((line + tag.line, f"<{tag.tag}> has an event handler "
                                           f"({', '.join(handlers)}) that would run a script"))
    return found
