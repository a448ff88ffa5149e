"""`lcmodules validate`: every problem of a course or module, in one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lcmodules.cli.common import PATHS, console, out, report
from lcmodules.diagnostics import Diagnostics


@click.command("validate")
@PATHS
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
def command(paths: tuple[Path, ...], as_json: bool) -> None:
    """Check courses or modules (default: the current folder); exit 1 on any problem."""
    from lcmodules.load import load_paths
    from lcmodules.validate import validate_courses

    diag = Diagnostics()
    courses = load_paths(list(paths), diag)
    validate_courses(courses, diag)
    problems = diag.sorted()
    modules = sum(len(c.modules) for c in courses)
    if as_json:
        out.print_json(json.dumps({"modules": modules, "problems": [p.to_json() for p in problems]}))
    else:
        report(problems)
    if not diag.ok:
        if not as_json:
            n = len(diag.errors)
            console.print(f"[red]{n} problem{'s' if n != 1 else ''} in {modules} module(s).[/]")
        sys.exit(1)
    if not as_json:
        console.print(f"[green]{modules} module(s) valid.[/]")
