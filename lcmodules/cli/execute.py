"""`lcmodules execute`: run notebooks (cached by content), optionally writing outputs back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from lcmodules.cli.common import PATHS, console, fail
from lcmodules.core.diagnostics import Diagnostics, display_path


def collect_jobs(paths: list[Path], timeout: int | None, diag: Diagnostics) -> list:
    """The notebooks named by `paths`: notebook files, module folders or whole courses."""
    from lcmodules.core.locate import course_around, module_of
    from lcmodules.load.loader import load_config, load_paths
    from lcmodules.load.units import load_notebook
    from lcmodules.load.yamlsrc import read_text
    from lcmodules.transform.execute import NotebookJob, job_for_unit

    jobs: list[NotebookJob] = []
    folders: list[Path] = []
    for raw in paths or [Path(".")]:
        if raw.suffix.lower() != ".ipynb":
            folders.append(raw)
            continue
        path = raw.resolve()
        if not path.is_file():
            diag.error(raw, None, "no such notebook", "check the path")
            continue
        text = read_text(path, diag)
        nb = load_notebook(path, text, diag) if text is not None else None
        if nb is None:
            continue
        module_root = module_of(path)
        course_root = course_around(path)
        settings = load_config(course_root, diag)[0].lcmodules.execute if course_root else None
        jobs.append(NotebookJob(
            path=path, notebook=nb,
            timeout=timeout or (settings.timeout if settings else 120),
            kernel=settings.kernel if settings else None,
            module_root=module_root or path.parent,
            cache_root=course_root or module_root or path.parent,
        ))
    if folders:
        for course in load_paths(folders, diag):
            for module in course.modules:
                for unit in module.notebooks:
                    if unit.notebook is not None:
                        jobs.append(job_for_unit(unit, module, timeout))
    unique: dict[Path, NotebookJob] = {}
    for job in jobs:
        unique.setdefault(job.path.resolve(), job)
    return list(unique.values())


@click.command("execute")
@PATHS
@click.option("--write", is_flag=True,
              help="Write the outputs back into the source notebooks (only those that ran "
                   "without errors).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None,
              help="Notebooks run at the same time, each in its own kernel "
                   "[default: min(4, CPU count)].")
@click.option("--timeout", type=click.IntRange(1), default=None, metavar="SECONDS",
              help="Seconds a single cell may run [default: lcmodules.execute.timeout in "
                   "_config.yml, else 120].")
@click.option("--no-cache", is_flag=True,
              help="Run every notebook, even when an unchanged one's outputs are cached.")
def command(paths: tuple[Path, ...], write: bool, jobs: int | None, timeout: int | None,
            no_cache: bool) -> None:
    """Run notebooks (default: every notebook of the course in the current folder).

    PATH is a course, a module folder or a notebook. A notebook whose code, kernel and data
    files are unchanged since it last ran is taken from the cache (.lcmodules-cache/) instead of
    being run again. Every failing cell is reported as `notebook:cell N: Error: message`; the
    exit status is then 1.
    """
    from lcmodules.transform.execute import default_jobs, execute_notebooks

    diag = Diagnostics()
    found = collect_jobs(list(paths), timeout, diag)
    if not diag.ok:
        fail(diag.sorted())
    if not found:
        console.print("no notebooks found.")
        return
    parallel = jobs or default_jobs()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        overall = bar.add_task("executing notebooks", total=len(found))
        running: dict[int, TaskID] = {}

        def on_event(job, status: str) -> None:
            if status == "start":
                running[id(job)] = bar.add_task(f"  {display_path(job.path)}", total=None)
                return
            task = running.pop(id(job), None)
            if task is not None:
                bar.remove_task(task)
            bar.advance(overall)

        results = execute_notebooks(found, parallel=parallel, use_cache=not no_cache,
                                    write=write, on_event=on_event)
    failures = [r.failure for r in results if r.failure is not None]
    for r in results:
        where = display_path(r.job.path)
        if r.status == "ran":
            console.print(f"[green]ran[/]     {where} [dim]({r.seconds:.1f} s)[/]")
        elif r.status == "cached":
            console.print(f"[green]cached[/]  {where}")
        if r.written:
            console.print(f"[green]wrote[/]   {where}")
    for failure in failures:
        console.print(failure.format(), style="red", markup=False, highlight=False)
    ran = sum(r.status == "ran" for r in results)
    cached = sum(r.status == "cached" for r in results)
    summary = (f"{len(results)} notebook{'s' if len(results) != 1 else ''}: {ran} ran, "
               f"{cached} from the cache, {len(failures)} failed.")
    if failures:
        if write:
            summary += " Failed notebooks were not written."
        console.print(f"[red]{summary}[/]")
        sys.exit(1)
    console.print(f"[green]{summary}[/]")
