"""`lcmodules inspect`: what is in a SCORM package and whether an LMS will accept it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from lcmodules.cli.common import out

if TYPE_CHECKING:
    from lcmodules.inspect.package import Report


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)


def _print(report: Report) -> None:
    """The report of a SCORM package as a person reads it: summary, structure, findings."""
    out.print(f"[bold]{escape(report.path)}[/]")
    out.print(_summary(report))
    if report.organizations:
        out.print(_organizations(report))
    if report.scos:
        out.print(_scos(report))
    colours = {"error": "red", "warning": "yellow", "info": "blue"}
    for f in report.findings:
        hint = f" — {escape(f.hint)}" if f.hint else ""
        out.print(f"[{colours[f.severity]}]{f.severity}[/] [dim]\\[{f.code}][/] {escape(f.message)}{hint}")
    errors = len(report.errors)
    if errors:
        out.print(f"[red bold]{errors} error{'s' if errors != 1 else ''}: an LMS may refuse "
                  "this package.[/]")
    else:
        out.print("[green bold]No errors: the package looks fine for an LMS.[/]")


def _summary(report: Report) -> Table:
    meta = report.metadata
    summary = Table.grid(padding=(0, 2))
    summary.add_column(style="bold")
    summary.add_column()
    rows = [
        ("SCORM version", report.scorm_version or "unknown"),
        ("schemaversion", report.schemaversion or "—"),
        ("identifier", report.identifier or "—"),
        ("version", report.version or "—"),
        ("title", meta.get("title") or "—"),
        ("language", meta.get("language") or "—"),
        ("description", (meta.get("description") or "—")[:300]),
    ]
    if meta.get("keywords"):
        rows.append(("keywords", ", ".join(meta["keywords"])))
    if not report.manifest_only:
        s = report.sizes
        rows.append(("size", f"{_size(s.package)} zip, {_size(s.uncompressed)} unpacked, "
                             f"{s.files} files"))
        if s.largest:
            rows.append(("largest", ", ".join(f"{escape(n)} ({_size(b)})" for n, b in s.largest[:3])))
    schema = report.schema
    if schema.get("checked"):
        rows.append(("schema", "[green]valid[/]" if schema.get("valid") else "[red]invalid[/]"))
    else:
        rows.append(("schema", f"not checked ({escape(schema.get('reason', ''))})"))
    for key, value in rows:
        summary.add_row(key, value if key in ("schema", "largest") else escape(str(value)))
    return summary


def _organizations(report: Report) -> Tree:
    from lcmodules.inspect.package import Item

    tree = Tree("[bold]organizations[/]")

    def add(node: Tree, item: Item) -> None:
        label = escape(item.title or item.identifier)
        extra = f" → {escape(item.launch)}" if item.launch else ""
        if item.mastery:
            extra += f"  [dim](mastery {escape(item.mastery)})[/]"
        child = node.add(f"{label} [dim]{escape(item.identifier)}[/]{extra}")
        for sub in item.children:
            add(child, sub)

    for org in report.organizations:
        branch = tree.add(f"{escape(org.title or org.identifier)} [dim]{escape(org.identifier)}"
                          f"{' (default)' if org.default else ''}[/]")
        for item in org.items:
            add(branch, item)
    return tree


def _scos(report: Report) -> Table:
    table = Table(title=f"{len(report.scos)} SCO(s), {report.resources} resource(s)",
                  title_justify="left")
    table.add_column("resource")
    table.add_column("launch")
    table.add_column("files", justify="right")
    table.add_column("items")
    for sco in report.scos:
        table.add_row(escape(sco.resource), escape(sco.launch), str(sco.files),
                      escape(", ".join(sco.items)))
    return table


@click.command("inspect")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--schemas", "schemas", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with the schemas (scorm12/, scorm2004/, cc11/); "
                   "default: $LCMODULES_SCHEMAS. Without it the schema check is skipped.")
@click.option("--against", "against", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, metavar="OLD.zip",
              help="Compare with the package PACKAGE replaces: exit 1 when an LMS would drop "
                   "learners' records.")
def command(package: Path, as_json: bool, schemas: Path | None, against: Path | None) -> None:
    """Show what a SCORM package (zip, or a lone imsmanifest.xml) or a Common Cartridge
    (.imscc) holds and check it the way an LMS does on import; exit 1 when it has errors."""
    if against is not None:
        from lcmodules.cli.inspect_compare import compare_command

        compare_command(package, against, as_json)
    from lcmodules.inspect.cartridge import is_cartridge
    from lcmodules.inspect.package import inspect_package
    from lcmodules.inspect.schemas import schemas_dir

    if is_cartridge(package):  # a Common Cartridge (docs/common-cartridge.md)
        from lcmodules.cli.cartridge_report import show

        sys.exit(show(package, schemas_dir(schemas), as_json))
    report = inspect_package(package, schemas_dir(schemas))
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        _print(report)
    sys.exit(0 if report.ok else 1)
