"""Tables on standard output: the terminal's width on a terminal, the data's width elsewhere."""

from __future__ import annotations

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from lcmodules.cli.common import out


def print_table(table: Table) -> None:
    """Print `table`; in a pipe or a log nothing is cut or wrapped to fit 80 columns."""
    if out.is_terminal:
        out.print(table)
        return
    wide = Console(width=1_000_000, highlight=False, file=out.file, color_system=None)
    width = Measurement.get(wide, wide.options, table).maximum
    Console(width=max(width, 1), highlight=False, soft_wrap=False, file=out.file,
            color_system=None).print(table)
