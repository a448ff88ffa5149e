"""Rules for sizes: notebook outputs that repeat the same lines, and pages too large for an LMS."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.units import notebook_cell_lines
from lcmodules.model import Module, Unit

# An output's text over this many bytes whose lines are mostly one line repeated (a warning
# printed in a loop, a progress bar) is named: it bloats every page and package.
REPEAT_MIN_BYTES = 64 * 1024
REPEAT_SHARE = 0.5  # … when its most frequent line makes up at least half of its lines
# A unit whose text (page source, or a notebook's cells and text outputs, images left out as
# they become files of their own) is over this becomes a page an LMS frame loads slowly.
PAGE_MAX_BYTES = 5 * 1024**2


def output_text(output: dict[str, Any]) -> str:
    """The text a notebook output shows: a stream, an error's traceback, text/plain or HTML."""
    def joined(value: Any) -> str:
        return "".join(value) if isinstance(value, list) else str(value or "")

    if output.get("output_type") == "stream":
        return joined(output.get("text"))
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback") or [])
    data = output.get("data") or {}
    return "".join(joined(data.get(m)) for m in ("text/plain", "text/html", "text/markdown")
                   if m in data)


def repeated(text: str) -> tuple[str, int] | None:
    """The line that makes up most of a long output, and how often it occurs; else None."""
    if len(text.encode("utf-8", "replace")) < REPEAT_MIN_BYTES:
        return None
    lines = text.splitlines()
    line, count = Counter(lines).most_common(1)[0]
    return (line, count) if count >= REPEAT_SHARE * len(lines) and count > 1 else None


def unit_text_size(unit: Unit) -> int:
    """About the bytes of text a unit's page will hold."""
    if unit.notebook is None:
        return len(unit.raw)
    size = 0
    for cell in unit.notebook.cells:
        size += len(str(cell.get("source", "")).encode("utf-8", "replace"))
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            size += len(output_text(output).encode("utf-8", "replace"))
    return size


def check_sizes(module: Module, diag: Diagnostics) -> None:
    """A warning for every long repetitive output (at its cell) and every oversized page."""
    for unit in module.units:
        if unit.kind == "quiz" or (unit.notebook is None and unit.page is None):
            continue
        size = unit_text_size(unit)
        if size > PAGE_MAX_BYTES:
            diag.warning(unit.source, None,
                         f"this unit makes a page of about {size / 1024**2:.1f} MB (more than "
                         f"{PAGE_MAX_BYTES // 1024**2} MB loads slowly in an LMS)",
                         "split it into several units, or clear long outputs")
        if unit.notebook is not None:
            _check_outputs(unit, diag)


def _check_outputs(unit: Unit, diag: Diagnostics) -> None:
    lines = notebook_cell_lines(unit.raw.decode("utf-8", "replace"))
    for number, cell in enumerate(unit.notebook.cells if unit.notebook else []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            text = output_text(output)
            found = repeated(text)
            if found is None:
                continue
            line, count = found
            shown = line.strip()[:80] or "(an empty line)"
            diag.warning(unit.source, lines[number] if number < len(lines) else None,
                         f"cell {number + 1}: an output of {len(text) // 1024:,} KB repeats one "
                         f"line {count:,} times ({shown!r})",
                         "silence it where it is printed (e.g. warnings.filterwarnings, a "
                         "quieter progress bar), or clear the output before publishing")
