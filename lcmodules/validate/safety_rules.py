"""Rules that keep a package safe: no outside links, no script URLs, no hidden external loads."""

from __future__ import annotations

import html
from pathlib import Path, PurePosixPath

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.outpath import outside_links
from lcmodules.core.urlpolicy import (
    HTML_ASSETS,
    SCRIPT_ELEMENTS,
    dangerous_url,
    host_accepted,
    tag_findings,
    url_host,
)
from lcmodules.load.references import (
    Reference,
    css_references,
    find_references,
    html_fragments,
    html_references,
    html_tags,
    is_local,
    resolve_reference,
    target_path,
)
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import LcSettings, Module
from lcmodules.validate.output_rules import TRUST_HINT


def check_links(module: Module, diag: Diagnostics) -> None:
    """A symbolic link in the module folder must not point outside it (used or not)."""
    for path, target in outside_links(module.root):
        diag.error(path, None, f"links to a file outside the module ({target})",
                   "copy the file in instead")


def check_content(module: Module, diag: Diagnostics) -> None:
    """What the pages would leave out (scripts, handlers, script URLs: made inert, named in a
    warning) and resources loaded from another host (a warning unless the host is accepted),
    in pages, markdown cells and the HTML files they refer to."""
    settings = module.config.lcmodules
    assets: dict[Path, None] = {}
    for unit in module.units:
        if unit.page is not None:
            check_text(unit.source, unit.page.body, unit.page.body_line, "", settings, diag)
            _collect_assets(unit.source.parent, unit.page.body, module.root, assets)
        if unit.notebook is None:
            continue
        lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
        for number, cell in enumerate(unit.notebook.cells):
            if cell.cell_type == "markdown":
                where = lines[number] if number < len(lines) else None
                check_text(unit.source, cell.source, where, f"cell {number + 1}: ", settings,
                           diag, cell=True)
                _collect_assets(unit.source.parent, cell.source, module.root, assets)
    for asset in sorted(assets):
        check_html_asset(asset, settings, diag)


def check_text(file: Path, text: str, first: int | None, prefix: str, settings: LcSettings,
               diag: Diagnostics, cell: bool = False) -> None:
    """Warnings for what MyST text (a page, a cell, a quiz text) loads or runs: script URLs,
    hosts not accepted, raw HTML the pages leave out; `cell`: every line is `first`."""
    offset = 0 if first is None or cell else first
    for ref in find_references(text, offset):
        line = first if cell else ref.line
        target = html.unescape(ref.target)
        if ref.kind != "html" and dangerous_url(target):
            diag.warning(file, line, f"{prefix}{_what(ref.kind, ref.tag)} points at "
                         f"'{_short(target)}', which would run a script: it is made inert in "
                         "every page", "link to a page or a file instead")
            continue
        host = _loaded_host(ref, target, settings)
        if host and not host_accepted(host, settings.external_hosts):
            _host_warning(file, line, f"{prefix}{_what(ref.kind, ref.tag)}", host, diag)
    for line, fragment in html_fragments(text, offset):
        check_html(file, fragment, first if cell else line, prefix, settings, diag,
                   fixed_line=cell)


def check_html(file: Path, fragment: str, line: int | None, prefix: str, settings: LcSettings,
               diag: Diagnostics, fixed_line: bool = False) -> None:
    """A warning for everything of raw HTML the pages leave out (the policy table,
    core/urlpolicy.py) unless the course trusts it; script URLs are left out always."""
    for tag in html_tags(fragment):
        where = line if fixed_line or line is None else line + tag.line
        for found in tag_findings(tag.tag, tag.attrs):
            if settings.trusted_outputs and not found.always:
                continue
            if found.always:
                diag.warning(file, where, f"{prefix}{found.what} is made inert in every page: "
                             "it would run a script", "link to a page or a file instead")
            else:
                diag.warning(file, where, f"{prefix}{found.what} is left out: LMS pages run no "
                             "author scripts", TRUST_HINT)
    for ref in css_references(fragment, 0):
        host = url_host(html.unescape(ref.target))
        if host and not host_accepted(host, settings.external_hosts):
            where = line if fixed_line or line is None else line + ref.line
            _host_warning(file, where, f"{prefix}CSS of <{ref.tag}>", host, diag)


def check_html_asset(path: Path, settings: LcSettings, diag: Diagnostics) -> None:
    """An HTML or SVG file a module ships, under the same policy as a page: what is left out,
    and every host it loads from, at `file:line` of the asset."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return
    check_html(path, text, 1, "", settings, diag)
    for ref in html_references(text, 1):
        host = _loaded_host(ref, html.unescape(ref.target), settings)
        if host and not host_accepted(host, settings.external_hosts):
            _host_warning(path, ref.line, f"<{ref.tag}>", host, diag)


def _loaded_host(ref: Reference, target: str, settings: LcSettings) -> str | None:
    """The host a page loads `ref` from; None for a link, or a script the pages leave out
    (its own warning says so) — a host is named only when a learner's browser contacts it."""
    if not ref.embeds or (ref.tag in SCRIPT_ELEMENTS and not settings.trusted_outputs):
        return None
    return url_host(target)


def _host_warning(file: Path, line: int | None, what: str, host: str, diag: Diagnostics) -> None:
    diag.warning(file, line, f"{what} loads from {host}: the page needs internet "
                 "and that host sees every learner who opens it",
                 "copy the file into the module, or accept the host in "
                 "`lcmodules.external_hosts` of _config.yml")


def _collect_assets(base: Path, text: str, root: Path, found: dict[Path, None]) -> None:
    """The HTML/SVG files inside the module that a text refers to."""
    for ref in find_references(text):
        if not is_local(ref.target) or PurePosixPath(target_path(ref.target)).suffix.lower() \
                not in HTML_ASSETS:
            continue
        path = resolve_reference(base, ref.target)
        if path.is_file() and path.is_relative_to(root.resolve()):
            found[path] = None


def _what(kind: str, tag: str | None) -> str:
    if kind == "link" and tag in ("figure", "image"):
        return f"the :target: of the {tag}"
    return f"<{tag}>" if tag and kind in ("html", "image") else kind


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"
