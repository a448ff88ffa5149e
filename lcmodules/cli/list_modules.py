"""`lcmodules list`: the modules of a course at a glance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.table import Column, Table

from lcmodules.cli.common import PATHS, load_valid, out
from lcmodules.cli.tables import print_table


@click.command("list")
@PATHS
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
def command(paths: tuple[Path, ...], as_json: bool) -> None:
    """Show each module's id, version, language, units and study load."""
    courses = load_valid(paths, check=False)
    rows: list[dict[str, Any]] = []
    for course in courses:
        for m in course.modules:
            rows.append({
                "slug": m.slug, "id": m.meta.id, "title": m.meta.title, "version": m.meta.version,
                "language": m.meta.language, "units": len(m.units),
                "study_load_hours": m.meta.study_load_hours,
            })
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("version", "language", "units", "study load", "title")
    table.columns.insert(0, Column("id", no_wrap=True))
    for r in rows:
        load = f"{r['study_load_hours']:g} h" if r["study_load_hours"] else "—"
        table.add_row(r["id"], r["version"], r["language"], str(r["units"]), load, r["title"])
    print_table(table)
