"""How `lcmodules inspect` shows a Common Cartridge report (the command is cli/inspect_package.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from lcmodules.cli.common import out
from lcmodules.inspect.cartridge import CartridgeReport, CcItem, inspect_cartridge

COLOURS = {"error": "red", "warning": "yellow", "info": "blue"}


def _print(report: CartridgeReport) -> None:
    out.print(f"[bold]{escape(report.path)}[/]")
    meta = report.metadata
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    s = report.sizes
    schema = report.schema
    state = ("[green]valid (XSD and Schematron)[/]" if schema.get("valid") else "[red]invalid[/]") \
        if schema.get("checked") else f"not checked ({escape(schema.get('reason', ''))})"
    for key, value in [
        ("Common Cartridge", escape(report.cc_version or "unknown")),
        ("identifier", escape(report.identifier or "—")),
        ("title", escape(meta.get("title") or "—")),
        ("language", escape(meta.get("language") or "—")),
        ("size", f"{s.package:,} bytes zip, {s.uncompressed:,} unpacked, {s.files} files"),
        ("schema", state),
    ]:
        summary.add_row(key, value)
    out.print(summary)
    kinds = {r.identifier: r.type for r in report.resources}
    tree = Tree(f"[bold]organisation[/] [dim]({len(report.resources)} resources)[/]")

    def add(node: Tree, item: CcItem) -> None:
        kind = f" [dim]{escape(kinds.get(item.resource or '', ''))}[/]" if item.resource else ""
        child = node.add(f"{escape(item.title or item.identifier)}{kind}")
        for sub in item.children:
            add(child, sub)

    for item in report.items:
        add(tree, item)
    out.print(tree)
    for quiz in report.quizzes:
        table = Table(title=f"quiz {quiz.title} ({quiz.file})", title_justify="left")
        for column in ("question", "type", "weight"):
            table.add_column(column)
        for q in quiz.questions:
            table.add_row(escape(q["title"] or q["ident"]), escape(q["type"]), escape(q["weighting"]))
        out.print(table)
    for f in report.findings:
        hint = f" — {escape(f.hint)}" if f.hint else ""
        out.print(f"[{COLOURS[f.severity]}]{f.severity}[/] [dim]\\[{f.code}][/] "
                  f"{escape(f.message)}{hint}")
    if report.errors:
        n = len(report.errors)
        out.print(f"[red bold]{n} error{'s' if n != 1 else ''}: an LMS may refuse this cartridge.[/]")
    else:
        out.print("[green bold]No errors: the cartridge looks fine for an LMS.[/]")


def show(package: Path, schemas: Path | None, as_json: bool) -> int:
    """Inspect and print a cartridge; the exit status (1 when it has errors)."""
    report = inspect_cartridge(package, schemas)
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(report)
    return 0 if report.ok else 1
