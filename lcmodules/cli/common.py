"""What the subcommands share: output, loading with problems reported, exit statuses."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from lcmodules.core.diagnostics import Diagnostics, Problem

if TYPE_CHECKING:
    from lcmodules.model import Course

console = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def split_formats(ctx: click.Context | None, param: click.Parameter | None,
                  value: tuple[str, ...]) -> tuple[str, ...]:
    """`--format` values, repeated (`-f scorm12 -f imscc`) or comma-separated
    (`-f scorm12,imscc`), in order, each once (a click callback)."""
    names = (name.strip() for item in value for name in item.split(","))
    return tuple(dict.fromkeys(name for name in names if name))


FORMATS = click.option(
    "--format", "-f", "formats", multiple=True, metavar="FORMAT[,FORMAT…]",
    callback=split_formats,
    help="Output format; repeat (-f scorm12 -f imscc) or separate with commas "
         "(-f scorm12,imscc) for several (default: `lcmodules.build.formats` of "
         "_config.yml, else every format). See `lcmodules build --list-formats`.")


def check_formats(formats: tuple[str, ...]) -> None:
    """Refuse an unknown format name (a usage error, exit 2)."""
    from lcmodules.export.registry import available_formats

    known = available_formats()
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(known)}",
            param_hint="--format",
        )


def report(problems: list[Problem]) -> None:
    """Print every problem as `file:line:col: message — hint`."""
    for problem in problems:
        colour = "red" if problem.severity == "error" else "yellow"
        console.print(f"[bold]{problem.location()}[/]: ", end="", markup=True)
        text = problem.format()[len(problem.location()) + 2:]
        console.print(text, style=colour, markup=False)


def fail(problems: list[Problem]) -> None:
    """Report the problems and exit with status 1."""
    report(problems)
    count = len([p for p in problems if p.severity == "error"])
    console.print(f"[red]{count} problem{'s' if count != 1 else ''} found.[/]")
    sys.exit(1)


def load_valid(paths: tuple[Path, ...] | list[Path], check: bool = True) -> list[Course]:
    """Load and validate; on any error, report every problem and exit 1."""
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import validate_courses

    diag = Diagnostics()
    courses = load_paths(list(paths), diag)
    if check:
        validate_courses(courses, diag)
    problems = diag.sorted()
    if not diag.ok:
        fail(problems)
    report(problems)  # warnings only
    return courses
