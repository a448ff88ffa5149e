"""`lcmodules build`: validate, then export modules in one or more formats, incrementally."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from lcmodules.cli.common import FORMATS

# Only what the no-op fast path needs is imported up here: a build with nothing to do answers
# before the model, the loaders and the exporters are imported.
PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.command("build")
@PATHS
@FORMATS
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
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              metavar="DIR",
              help="A content-addressed store of artifacts and executed notebooks, shared "
                   "between checkouts and machines: what is stored is restored, not built.")
@click.option("--shard", default=None, metavar="K/N",
              help="Build only shard K of N of the modules (the whole course is still "
                   "checked); a final build over every shard's output makes the catalogue.")
@click.option("--list-formats", is_flag=True, help="List the available formats and exit.")
def command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path | None,
            edition: str | None, sco: str | None, html: bool, execute: bool,
            timeout: int | None, jobs: int | None, no_cache: bool, cache_dir: Path | None,
            shard: str | None, list_formats: bool) -> None:
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
    if shard is not None:
        check_shard(shard)
    arguments = {
        "paths": [str(p.resolve()) for p in paths], "formats": list(formats),
        "out": str(out.resolve()) if out else None, "edition": edition, "sco": sco,
        "html": html, "execute": execute, "timeout": timeout,
        "cache_dir": str(cache_dir.expanduser().resolve()) if cache_dir else None,
        "shard": shard,
    }
    quick = QuickCheck(list(paths), arguments)
    hit = None if no_cache else quick.lookup()
    if hit is not None:  # nothing changed since the last successful build with these arguments
        report_quick_hit(hit)
        return
    from lcmodules.cli.common import check_formats  # only after the no-change check

    check_formats(formats)
    # Without --execute, each module's sources are held only while it is checked and built.
    result = run_with_progress(list(paths), arguments, out, jobs, no_cache=no_cache,
                               timeout=timeout, hasher=quick.hasher)
    warnings = [p.format() for p in result.warnings]
    if result.record is not None:
        quick.remember(result.record, [e.entry for e in result.entries], warnings)
    report_result(result)


def check_shard(value: str) -> None:
    """Refuse a `--shard` that is not K/N with 1 ≤ K ≤ N (exit 1, what is wrong and how)."""
    from lcmodules.cache.shared import ShardError, parse_shard

    try:
        parse_shard(value)
    except ShardError as exc:
        click.secho(f"error: {exc}", fg="red", err=True)
        sys.exit(1)


def report_quick_hit(hit: Any) -> None:
    for warning in hit.warnings:
        click.secho(warning, fg="yellow", err=True)
    for path in hit.artifacts:
        click.echo(click.style("up to date", dim=True) + f" {_rel(path)}", err=True)
    click.secho(f"0 written, {len(hit.artifacts)} up to date.", fg="green", err=True)


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


def run_with_progress(paths: list[Path], arguments: dict[str, Any], out: Path | None,
                      jobs: int | None, *, no_cache: bool, timeout: int | None,
                      hasher: Any) -> Any:
    """`build_paths` with a progress bar, the check's warnings printed before it starts;
    problems and failed notebooks end the command (exit 1)."""
    from lcmodules.build import build_paths, planned_tasks
    from lcmodules.cli.common import console, fail, report
    from lcmodules.core.diagnostics import InputError
    from lcmodules.transform.execute import ExecutionFailed

    bar: ProgressBar | None = None

    def progress(what: str, status: str) -> None:
        if bar is not None:
            bar(what, status)

    def checked(found: Any, options: Any) -> None:
        nonlocal bar
        report([p for p in found.problems if p.severity != "error"])
        bar = ProgressBar(planned_tasks(found.courses, options.formats))

    try:
        return build_paths(paths, arguments, out, jobs, progress, use_cache=not no_cache,
                           timeout=timeout, hasher=hasher, on_checked=checked)
    except InputError as exc:
        if bar is not None:
            bar.stop()
        fail(exc.problems)
    except ExecutionFailed as exc:
        if bar is not None:
            bar.stop()
        for failure in exc.failures:
            console.print(failure.format(), style="red", markup=False, highlight=False)
        n = len(exc.failures)
        console.print(f"[red]{n} notebook{'s' if n != 1 else ''} failed to run; "
                      "nothing was built.[/]")
        sys.exit(1)
    finally:
        if bar is not None:
            bar.stop()


def report_result(result: Any) -> None:
    from lcmodules.cli.common import console, report

    report(result.store_warnings)
    shown = {"built": "[green]wrote[/]", "restored": "[cyan]restored[/]"}
    for entry in result.entries:
        for path in entry.artifacts:
            console.print(f"{shown.get(entry.status, '[dim]up to date[/]')} {_rel(path)}")
    built = sum(len(e.artifacts) for e in result.built)
    skipped = sum(len(e.artifacts) for e in result.skipped)
    summary = f"{built} written, {skipped} up to date"
    if result.restored:
        summary = (f"{built} written, {sum(len(e.artifacts) for e in result.restored)} "
                   f"restored from the shared cache, {skipped} up to date")
    if result.executed:
        ran = sum(r.status == "ran" for r in result.executed)
        summary += (f"; {len(result.executed)} notebooks executed ({ran} ran, "
                    f"{len(result.executed) - ran} from the cache)")
    console.print(f"[green]{summary}.[/]")


def _rel(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
