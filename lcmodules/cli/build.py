"""`lcmodules build`: validate, then export modules in one or more formats, incrementally."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

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
    from lcmodules.cache.store import QuickCheck

    if list_formats:
        from lcmodules.export.registry import available_formats

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
    if hit is not None:  # nothing changed since the last successful build with these arguments
        report_quick_hit(hit)
        return
    from lcmodules.cache.models import active  # after the no-change check: it imports the model

    check_formats(formats)
    # Without --execute, each module's sources are held only while it is checked and built.
    courses, warnings, models = load_checked(paths, quick, lean=not execute)
    with active(models):
        options = build_options(courses, arguments, out, jobs)
        warnings += format_checks(courses, options.formats)
        result = run_with_progress(courses, options, no_cache=no_cache, timeout=timeout,
                                   jobs=jobs, hasher=quick.hasher)
    if result.record is not None:
        quick.remember(result.record, [e.entry for e in result.entries], warnings)
    report_result(result)


def report_quick_hit(hit: Any) -> None:
    for warning in hit.warnings:
        click.secho(warning, fg="yellow", err=True)
    for path in hit.artifacts:
        click.echo(click.style("up to date", dim=True) + f" {_rel(path)}", err=True)
    click.secho(f"0 written, {len(hit.artifacts)} up to date.", fg="green", err=True)


def check_formats(formats: tuple[str, ...]) -> None:
    from lcmodules.export.registry import available_formats

    known = available_formats()
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(known)}",
            param_hint="--format",
        )


def build_options(courses: list, arguments: dict[str, Any], out: Path | None,
                  jobs: int | None) -> Any:
    """The run's BuildOptions: the command line first, then `lcmodules.build` of _config.yml."""
    from lcmodules.build import default_formats
    from lcmodules.export.registry import BuildOptions
    from lcmodules.transform.execute import default_jobs

    settings = courses[0].config.lcmodules.build if courses else None
    base = courses[0].root if courses and courses[0].has_config_file else Path.cwd()
    return BuildOptions(
        out=(out or (base / settings.out if settings else Path("dist"))).resolve(),
        edition=arguments["edition"] or (settings.edition if settings else "learner"),
        sco=arguments["sco"] or (settings.sco if settings else "single"),
        html=arguments["html"], execute=arguments["execute"], jobs=jobs or default_jobs(),
        formats=arguments["formats"] or default_formats(courses),
    )


class ProgressBar:
    """The live progress line of a build (only on a terminal): done/total and what runs now.
    It has no refresh thread: worker processes are forked while it is live."""

    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        from lcmodules.cli.common import console

        self.console = console
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                            TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                            TextColumn("[cyan]{task.fields[running]}"),
                            console=console, transient=True, auto_refresh=False,
                            disable=not console.is_terminal)
        self.overall = self.bar.add_task("building", total=total, running="")
        self.running: list[str] = []

    def __call__(self, what: str, status: str) -> None:
        terminal = self.console.is_terminal
        if not self.bar.live.is_started and terminal:
            self.bar.start()
        if status == "start":
            self.running.append(what)
        else:
            if what in self.running:
                self.running.remove(what)
            if not what.startswith("execute "):
                self.bar.advance(self.overall)
            if status == "failed" and terminal:
                self.bar.console.print(f"  [red]✗[/] {what}")
        more = len(self.running) - 3
        shown = ", ".join(self.running[:3]) + (f" (+{more})" if more > 0 else "")
        self.bar.update(self.overall, running=shown)
        self.bar.refresh()

    def stop(self) -> None:
        self.bar.stop()


def run_with_progress(courses: list, options: Any, *, no_cache: bool, timeout: int | None,
                      jobs: int | None, hasher: Any) -> Any:
    """run_build with a progress bar; problems and failed notebooks end the command (exit 1)."""
    from lcmodules.build import planned_tasks, run_build
    from lcmodules.cli.common import console, fail
    from lcmodules.core.diagnostics import InputError
    from lcmodules.transform.execute import ExecutionFailed

    bar = ProgressBar(planned_tasks(courses, options.formats))
    try:
        return run_build(courses, options, bar, use_cache=not no_cache, timeout=timeout,
                         execute_jobs=jobs, hasher=hasher)
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
    finally:
        bar.stop()


def report_result(result: Any) -> None:
    from lcmodules.cli.common import console

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
        summary += (f"; {len(result.executed)} notebooks executed ({ran} ran, "
                    f"{len(result.executed) - ran} from the cache)")
    console.print(f"[green]{summary}.[/]")


def load_checked(paths: tuple[Path, ...], quick: Any = None,
                 lean: bool = False) -> tuple[list, list[str], Any]:
    """Load and validate (exit 1 on any error), reusing the modules an earlier build loaded
    and checked that are unchanged since; also return the warnings as text and the model
    cache. `lean`: check each module as it loads and release its sources (see modelcache)."""
    from lcmodules.cache.models import ModelCache, active
    from lcmodules.cache.store import FileHasher, cache_dir
    from lcmodules.cli.common import fail, report
    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import check_module, validate_courses

    folder = getattr(quick, "cache", None) or cache_dir(None)
    hasher = getattr(quick, "hasher", None) or FileHasher(folder / "file-hashes.json")
    models = ModelCache(folder / "models", hasher, check_module if lean else None)
    diag = Diagnostics()
    with active(models):
        courses = load_paths(list(paths), diag)
        loaded = len(diag.problems)
        validate_courses(courses, diag)
    problems = diag.sorted()
    if not diag.ok:
        fail(problems)
    models.store(courses, diag.problems[:loaded], diag.problems[loaded:])
    report(problems)
    return courses, [p.format() for p in problems], models


def format_checks(courses: list, formats: list[str]) -> list[str]:
    """What a format cannot hold, reported before building (an exporter's `check_module`,
    e.g. imscc); exit 1 on an error, else return the warnings as text."""
    from lcmodules.build import with_sources
    from lcmodules.cli.common import fail, report
    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.export.registry import get_exporter

    diag = Diagnostics()
    for name in formats:
        check = getattr(get_exporter(name), "check_module", None)
        if not check:
            continue
        for module in (m for c in courses for m in c.modules):
            check(with_sources(module), diag)
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
