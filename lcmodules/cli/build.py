"""`lcmodules build`: validate, then export modules in one or more formats."""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from lcmodules.cli.common import PATHS, console, fail, load_valid
from lcmodules.diagnostics import InputError


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
@click.option("--execute", is_flag=True, help="Run the notebooks before exporting them.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Modules built in parallel.")
@click.option("--list-formats", is_flag=True, help="List the available formats and exit.")
def command(paths: tuple[Path, ...], formats: tuple[str, ...], out: Path | None,
            edition: str | None, sco: str | None, html: bool, execute: bool, jobs: int,
            list_formats: bool) -> None:
    """Build modules (default: the course in the current folder) into OUT."""
    from lcmodules.build import default_formats, run_build
    from lcmodules.export import BuildOptions, available_formats

    known = available_formats()
    if list_formats:
        for name in known:
            click.echo(name)
        return
    unknown = [f for f in formats if f not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown)}; choose from {', '.join(known)}",
            param_hint="--format",
        )
    courses = load_valid(paths)
    settings = courses[0].config.lcmodules.build if courses else None
    base = courses[0].root if courses and courses[0].has_config_file else Path.cwd()
    options = BuildOptions(
        out=(out or (base / settings.out if settings else Path("dist"))).resolve(),
        edition=edition or (settings.edition if settings else "learner"),
        sco=sco or (settings.sco if settings else "single"),
        html=html, execute=execute, jobs=jobs,
        formats=list(formats) or default_formats(courses),
    )
    total = sum(len(c.modules) for c in courses) * len(options.formats)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True,
                  disable=not console.is_terminal) as bar:
        task = bar.add_task("building", total=total)

        def progress(what: str, status: str) -> None:
            if status == "start":
                bar.update(task, description=what)
            elif "course" not in what:
                bar.advance(task)

        try:
            result = run_build(courses, options, progress)
        except InputError as exc:
            fail(exc.problems)
    for path in result.artifacts:
        console.print(f"[green]wrote[/] {_rel(path)}")


def _rel(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)

