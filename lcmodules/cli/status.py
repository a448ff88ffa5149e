"""`lcmodules status`: which modules changed since their last release, and are prerequisites met."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.table import Table

from lcmodules.cli.common import PATHS, console, load_valid, out, report


@click.command("status")
@PATHS
@click.option("--check", is_flag=True,
              help="Exit 1 when a module changed without a new version, a version went down, "
                   "or a prerequisite is not met (for CI).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def command(paths: tuple[Path, ...], check: bool, as_json: bool) -> None:
    """Show each module's version and what changed since its last release."""
    from lcmodules.versioning.status import STATE_TEXT, course_status

    courses = load_valid(paths, check=False)
    statuses = course_status(courses)
    problems = sorted((p for s in statuses for p in s.problems), key=lambda p: p.sort_key())
    # An unreadable module.lock is always a problem; the rest only fail with --check.
    fatal = [p for s in statuses if s.state == "lock-invalid" for p in s.problems]
    failing = problems if check else fatal
    if as_json:
        out.print_json(json.dumps({"modules": [s.to_json() for s in statuses],
                                   "ok": not problems}, ensure_ascii=False))
    else:
        table = Table("module", "version", "last release", "status", "changes", "prerequisites")
        for s in statuses:
            released = f"{s.lock.version} ({s.lock.released})" if s.lock else "—"
            style = {"changed": "red", "version-lower": "red", "lock-invalid": "red",
                     "version-raised": "yellow", "never-released": "yellow"}.get(s.state, "green")
            prereqs = ", ".join(
                f"{p.id}{' ' + p.range if p.range else ''} "
                f"{'✓' if p.met else '✗' if p.met is False else '?'}"
                for p in s.prerequisites) or "—"
            table.add_row(s.module.slug, s.module.meta.version, released,
                          f"[{style}]{STATE_TEXT[s.state]}[/]",
                          s.changes.describe() or "—", prereqs)
        out.print(table)
        report(sorted((w for s in statuses for w in s.warnings), key=lambda p: p.sort_key()))
        if check or fatal:
            report(failing)
    if failing:
        if not as_json:
            n = len(failing)
            console.print(f"[red]{n} problem{'s' if n != 1 else ''} found.[/]")
        sys.exit(1)
    if check and not as_json:
        console.print(f"[green]{len(statuses)} module(s) OK.[/]")
