"""`lcmodules build`: validate, then export modules in one or more formats, incrementally."""

from __future__ import annotations

import sys
from pathlib import Path

import click

# Only what the no-op fast path needs is imported up here: a build with nothing to do answers
# before the model, the loaders and the exporters are imported.
PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.command("build")
@PATHS
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT",
              help="Output format; repeat for several (default: every format). "
                   "See `lcmodules build --list-formats`.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: `lcmodules.build.out` in _config.yml, else dist).")
@click.option("--edition", type=click.Choice(["learner", "teacher"]), default=None,
              help="Which edition of the notebooks to export (default: learner).")
@click.option("--sco", type=click.Choice(["single", "per-unit"]), default=None,
              help="SCORM: one SCO for the whole module (default) or one per unit.")
@click.option("--html", is_flag=True, help="Jupyter Book: also run `jupyter-book build`.")
@click.option("--execute", is_flag=True,
              help="Run the notebooks (cached) and export them executed; the source files "
                   "are not changed.")
@click.option("--timeout", type=click.IntRange(1), default=None, metavar="SECONDS",
              help="With --execute: seconds a single cell may run "
                   "[default: lcmodules.execute.timeout, else 120].")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Modules built (and, with --execute, notebooks run) in parallel "
                   "[default: min(4, CPU count)].")
@click.option("--no-cache", is_flag=True,
              help="Build every artifact (and run every notebook), even those up to date.")
@click.option("--list-formats", is_flag=True, help="List the available formats and exit.")
def command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path | None,
            edition: str | None, sco: str | None, html: bool, execute: bool,
            timeout: int | None, jobs: int | None, no_cache: bool, list_formats: bool) -> None:
    """Build modules (default: the course in the current folder) into OUT.

    Builds are incremental: an artifact whose sources, settings and lcmodules version are
    unchanged since it was last built into OUT (see OUT/.lcmodules-build.json) is kept as it is.
    """
    from lcmodules.cache import QuickCheck

    if list_formats:
        from lcmodules.export import available_formats

        for name in available_formats():
            click.echo(name)
        return
    arguments = {
        "paths": [str(p.resolve()) for p in paths], "formats": list(formats),
        "out": str(out.resolve()) if out else None, "edition": edition, "sco": sco,
        "html": html, "execute": execute, "timeout": timeout,
    }
    quick = QuickCheck(list(paths), arguments)
    hit = None if no_cache else quick.lookup()
    if hit is not None:
        # Nothing changed since the last successful build with these arguments.
        for warning in hit.warnings:
            click.secho(warning, fg="yellow", err=True)
        for path in hit.artifacts:
            click.echo(click.style("up to date", dim=True) + f" {_rel(path)}", err=True)
        click.secho(f"0 written, {len(hit.artifacts)} up to date.", fg="green", err=True)
        return

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from lcmodules.build import BuildCrashed, default_formats, planned_tasks, run_build
    from lcmodules.cli.common import console, fail
    from lcmodules.diagnostics import InputError
    from lcmodules.export import BuildOptions, available_formats
    from lcmodules.transform.execute import ExecutionFailed, default_jobs

    known = available_formats()
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(known)}",
            param_hint="--format",
        )
    courses, warnings = load_checked(paths)
    settings = courses[0].config.lcmodules.build if courses else None
    base = courses[0].root if courses and courses[0].has_config_file else Path.cwd()
    options = BuildOptions(
        out=(out or (base / settings.out if settings else Path("dist"))).resolve(),
        edition=edition or (settings.edition if settings else "learner"),
        sco=sco or (settings.sco if settings else "single"),
        html=html, execute=execute, jobs=jobs or default_jobs(),
        formats=list(formats) or default_formats(courses),
    )
    warnings += format_checks(courses, options.formats)
    total = planned_tasks(courses, options.formats)
    # No refresh thread: worker processes are forked while this display is live.
    bar = Progress(TextColumn("{task.description}"), BarColumn(),
                   TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                   TextColumn("[cyan]{task.fields[running]}"),
                   console=console, transient=True, auto_refresh=False,
                   disable=not console.is_terminal)
    overall = bar.add_task("building", total=total, running="")
    running: list[str] = []

    def progress(what: str, status: str) -> None:
        if not bar.live.is_started and console.is_terminal:
            bar.start()
        if status == "start":
            running.append(what)
        else:
            if what in running:
                running.remove(what)
            if not what.startswith("execute "):
                bar.advance(overall)
            if status == "failed" and console.is_terminal:
                bar.console.print(f"  [red]✗[/] {what}")
        shown = ", ".join(running[:3]) + (f" (+{len(running) - 3})" if len(running) > 3 else "")
        bar.update(overall, running=shown)
        bar.refresh()

    try:
        result = run_build(courses, options, progress, use_cache=not no_cache,
                           timeout=timeout, execute_jobs=jobs, hasher=quick.hasher)
    except InputError as exc:
        bar.stop()
        fail(exc.problems)
    except ExecutionFailed as exc:
        bar.stop()
        for failure in exc.failures:
            console.print(failure.format(), style="red", markup=False, highlight=False)
        n = len(exc.failures)
        console.print(f"[red]{n} notebook{'s' if n != 1 else ''} failed to run; "
                      "nothing was built.[/]")
        sys.exit(1)
    except BuildCrashed:
        bar.stop()
        raise
    bar.stop()
    if result.record is not None:
        quick.remember(result.record, [e.entry for e in result.entries], warnings)
    for entry in result.entries:
        for path in entry.artifacts:
            if entry.status == "built":
                console.print(f"[green]wrote[/] {_rel(path)}")
            else:
                console.print(f"[dim]up to date[/] {_rel(path)}")
    built = sum(len(e.artifacts) for e in result.built)
    skipped = sum(len(e.artifacts) for e in result.skipped)
    summary = f"{built} written, {skipped} up to date"
    if result.executed:
        ran = sum(r.status == "ran" for r in result.executed)
        summary += f"; {len(result.executed)} notebooks executed ({ran} ran, " \
                   f"{len(result.executed) - ran} from the cache)"
    console.print(f"[green]{summary}.[/]")


def load_checked(paths: tuple[Path, ...]) -> tuple[list, list[str]]:
    """Load and validate (exit 1 on any error); also return the warnings as text."""
    from lcmodules.cli.common import fail, report
    from lcmodules.diagnostics import Diagnostics
    from lcmodules.load import load_paths
    from lcmodules.validate import validate_courses

    diag = Diagnostics()
    courses = load_paths(list(paths), diag)
    validate_courses(courses, diag)
    problems = diag.sorted()
    if not diag.ok:
        fail(problems)
    report(problems)
    return courses, [p.format() for p in problems]


def format_checks(courses: list, formats: list[str]) -> list[str]:
    """What a format cannot hold, reported before building (an exporter's `check_module`,
    e.g. imscc); exit 1 on an error, else return the warnings as text."""
    from lcmodules.cli.common import fail, report
    from lcmodules.diagnostics import Diagnostics
    from lcmodules.export import get_exporter

    diag = Diagnostics()
    for name in formats:
        check = getattr(get_exporter(name), "check_module", None)
        for module in (m for c in courses for m in c.modules) if check else ():
            check(module, diag)
    problems = diag.sorted()
    if not diag.ok:
        fail(problems)
    report(problems)
    return [p.format() for p in problems]


def _rel(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
