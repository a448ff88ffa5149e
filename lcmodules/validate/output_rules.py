"""Rules for notebook outputs: the ones a page can only show as text or a note are named."""

from __future__ import annotations

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.outputtypes import TEMPLATE_TYPES, scripted_types
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module


def check_outputs(module: Module, diag: Diagnostics) -> None:
    """A warning for every output that needs a running notebook (widgets, Plotly, Bokeh …)."""
    for unit in module.notebooks:
        if unit.notebook is None:
            continue
        lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
        for number, cell in enumerate(unit.notebook.cells):
            for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
                data = output.get("data") or {}
                scripted = scripted_types(data)
                if not scripted:
                    continue
                rest = [m for m in data if m not in scripted and m != "text/html"]
                shown = ("its image" if any(m.startswith("image/") for m in rest)
                         else "its text" if "text/plain" in rest else "a note")
                shown = "its HTML" if any(m in TEMPLATE_TYPES for m in rest) and \
                    shown == "a note" else shown
                diag.warning(unit.source, lines[number] if number < len(lines) else None,
                             f"cell {number + 1}: output of type {', '.join(scripted)} needs a "
                             f"running notebook; the pages show {shown} instead",
                             "save a static image of it as well (e.g. fig.write_image / "
                             "plt.savefig) if learners need to see it")
