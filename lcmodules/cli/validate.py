"""`lcmodules validate`: every problem of a course or module, in one run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lcmodules.cli.common import FORMATS, PATHS, check_formats, console, out, report
from lcmodules.core.diagnostics import Problem


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(problems: list[Problem], modules: int) -> str:
    """The closing line: '2 errors, 5 warnings in 3 modules'."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    return (f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')} "
            f"in {_plural(modules, 'module')}")


@click.command("validate")
@PATHS
@FORMATS
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--strict", is_flag=True,
              help="Fail (exit 1) on warnings too, e.g. in a course's CI.")
def command(paths: tuple[Path, ...], formats: tuple[str, ...], as_json: bool,
            strict: bool) -> None:
    """Check courses or modules (default: the current folder) with every rule `lcmodules
    build` runs for the formats; exit 1 on any error (with --strict, on any warning too)."""
    from lcmodules.build import check_paths, model_cache
    from lcmodules.transform.execute import default_jobs

    check_formats(formats)
    # the build's own model cache and loading: every core, unchanged modules not read again
    checked = check_paths(list(paths), formats, model_cache(lean=True, jobs=default_jobs()))
    problems = checked.problems
    modules = sum(len(c.modules) for c in checked.courses)
    failed = not checked.ok or (strict and bool(problems))
    if as_json:
        errors = sum(p.severity == "error" for p in problems)
        out.print_json(json.dumps({
            "modules": modules, "errors": errors, "warnings": len(problems) - errors,
            "strict": strict, "ok": not failed, "problems": [p.to_json() for p in problems],
        }))
    else:
        report(problems)
        colour = "red" if failed else "yellow" if problems else "green"
        line = summary(problems, modules) if problems else f"{modules} module(s) valid."
        if strict and problems and checked.ok:
            line += " (--strict: warnings fail)"
        console.print(f"[{colour}]{line}[/]")
    if failed:
        sys.exit(1)
