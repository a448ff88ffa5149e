"""`lcmodules inspect NEW --against OLD`: does replacing OLD with NEW keep learners' records?"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from lcmodules.cli.common import out


def compare_command(new: Path, old: Path, as_json: bool) -> None:
    """Print the comparison (or its JSON) and exit 0 when every record is kept, else 1."""
    from lcmodules.inspect.compare import compare_packages, package_format

    result = compare_packages(new, old)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        sys.exit(0 if result.ok else 1)
    table = Table("", "OLD", "NEW", title="replacing OLD with NEW", title_justify="left")
    for label, key in (("file", "path"), ("identifier", "identifier"), ("version", "version")):
        table.add_row(label, escape(str(getattr(result.old, key, None) or "—")),
                      escape(str(getattr(result.new, key, None) or "—")))
    table.add_row("format", escape(package_format(result.old) or "—"),
                  escape(package_format(result.new) or "—"))
    out.print(table)
    for label, names in (("kept", result.kept), ("removed", result.removed),
                         ("added", result.added)):
        shown = ", ".join(names) if names else "—"
        out.print(f"[bold]items {label}[/] ({len(names)}): {escape(shown)}")
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    for f in result.findings:
        hint = f" — {escape(f.hint)}" if f.hint else ""
        out.print(f"[{colours[f.severity]}]{f.severity}[/] [dim]\\[{f.code}][/] "
                  f"{escape(f.message)}{hint}")
    if result.ok:
        out.print("[green bold]Replacing OLD with NEW keeps every learner record.[/]")
    else:
        out.print("[red bold]Replacing OLD with NEW would lose learners' records "
                  "(see the errors above).[/]")
    sys.exit(0 if result.ok else 1)
