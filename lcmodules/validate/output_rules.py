"""Rules for notebook outputs: the ones a page can only show as text or a note are named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.outputtypes import (
    TEMPLATE_TYPES,
    html_left_out,
    plain_fallback,
    scripted_types,
    text_of,
)
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module

TRUST_HINT = ("it is kept if the course sets `lcmodules.trusted_outputs: true` in _config.yml "
              "(only if every module of the course is trusted, docs/security.md)")


def check_outputs(module: Module, diag: Diagnostics) -> None:
    """A warning for every output that needs a running notebook or script (widgets, Plotly,
    Bokeh, HTML with a `<script>` when the course does not trust its outputs …)."""
    trusted = module.config.lcmodules.trusted_outputs
    for unit in module.notebooks:
        if unit.notebook is None:
            continue
        lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
        for number, cell in enumerate(unit.notebook.cells):
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                data = output.get("data") or {}
                scripted = scripted_types(data, trusted)
                where = lines[number] if number < len(lines) else None
                if not scripted:
                    _html_left_out(unit.source, where, number, data, trusted, diag)
                    continue
                rest = [m for m in data if m not in scripted and m != "text/html"]
                shown = ("its image" if any(m.startswith("image/") for m in rest)
                         else "its text" if plain_fallback(data) else "a note")
                shown = "its HTML" if any(m in TEMPLATE_TYPES for m in rest) and \
                    shown == "a note" else shown
                diag.warning(unit.source, where,
                             f"cell {number + 1}: output of type {_kinds(scripted)} needs a "
                             f"running notebook; the pages show {shown} instead",
                             "save a static image of it as well (e.g. fig.write_image / "
                             "plt.savefig) if learners need to see it")


def _kinds(scripted: list[str]) -> str:
    return ", ".join("text/html with a script (left out: LMS pages run no author scripts)"
                     if m == "text/html" else m for m in scripted)


def _html_left_out(file: Path, line: int | None, number: int, data: dict[str, Any],
                   trusted: bool, diag: Diagnostics) -> None:
    """An HTML output shown without what the policy leaves out: named in a warning."""
    left_out = [] if trusted or "text/html" not in data else html_left_out(text_of(data["text/html"]))
    if left_out:
        diag.warning(file, line, f"cell {number + 1}: the HTML output is shown without "
                     f"{', '.join(left_out)}: LMS pages run no author scripts", TRUST_HINT)
