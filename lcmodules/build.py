"""The build pipeline: validated modules through every requested exporter, incrementally."""

from __future__ import annotations

import dataclasses
import inspect
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lcmodules import __version__
from lcmodules.cache import (
    BuildRecord,
    FileHasher,
    cache_dir,
    code_fingerprint,
    dependency_versions,
    sha256_json,
)
from lcmodules.diagnostics import InputError, Problem
from lcmodules.export import BuildOptions, Exporter, available_formats, get_exporter
from lcmodules.model import Course, Module
from lcmodules.outpath import UnsafePathError

# Formats whose exporter reads what the others wrote (the catalogue lists the packages) run last.
RUNS_LAST = ("catalog",)
# BuildOptions fields that do not change what an exporter writes.
NOT_IN_KEY = {"out", "jobs", "formats"}

Progress = Callable[[str, str], None]  # (what, status) -> None
Status = Literal["built", "skipped", "failed"]


@dataclass
class EntryReport:
    """One exporter run over one module (or over the course): what happened and what it wrote."""

    entry: str  # "<format>/<module slug>" or "<format>/course:<course folder>"
    format: str
    module: str | None
    status: Status
    artifacts: list[Path] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class BuildResult:
    artifacts: list[Path] = field(default_factory=list)
    entries: list[EntryReport] = field(default_factory=list)
    executed: list[Any] = field(default_factory=list)  # ExecResult of `--execute`
    record: Path | None = None

    @property
    def built(self) -> list[EntryReport]:
        return [e for e in self.entries if e.status == "built"]

    @property
    def skipped(self) -> list[EntryReport]:
        return [e for e in self.entries if e.status == "skipped"]


def ordered_formats(formats: list[str]) -> list[str]:
    first = [f for f in formats if f not in RUNS_LAST]
    return first + [f for f in RUNS_LAST if f in formats]


def does_modules(exporter: Exporter) -> bool:
    """Whether the exporter writes anything per module (it overrides `export_module`)."""
    return type(exporter).export_module is not Exporter.export_module


def does_course(exporter: Exporter) -> bool:
    return type(exporter).export_course is not Exporter.export_course


def planned_tasks(courses: list[Course], formats: list[str]) -> int:
    """How many exporter runs a build of `formats` makes (for a progress bar)."""
    total = 0
    for name in formats:
        exporter = get_exporter(name)
        for course in courses:
            total += len(course.modules) * does_modules(exporter) + does_course(exporter)
    return total


def default_formats(courses: list[Course]) -> list[str]:
    for course in courses:
        if course.config.lcmodules.build.formats:
            return list(course.config.lcmodules.build.formats)
    return available_formats()


# ---------------------------------------------------------------- keys


class Keys:
    """Computes the build keys: sha256 over everything that decides an artifact's bytes."""

    def __init__(self, courses: list[Course], options: BuildOptions, use_cache: bool,
                 hasher: FileHasher | None = None) -> None:
        self.options = options
        root = courses[0].root if courses else Path.cwd()
        if hasher is None or not use_cache:
            hasher = FileHasher(cache_dir(root) / "file-hashes.json", read=use_cache)
        self.hasher = hasher
        self.skip = [options.out] + [cache_dir(c.root) for c in courses]
        relevant = {k: v for k, v in dataclasses.asdict(options).items() if k not in NOT_IN_KEY}
        self.common = {
            "lcmodules": __version__,
            "code": code_fingerprint(self.hasher),
            "options": {k: str(v) for k, v in sorted(relevant.items())},
            "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH"),
            "dependencies": dependency_versions(),
            "tools": _tool_versions(options),
        }
        self._course: dict[Path, str] = {}
        self._module: dict[Path, str] = {}

    def course_part(self, course: Course) -> str:
        if course.root not in self._course:
            config = course.root / "_config.yml"
            templates = course.templates_dir
            logo = course.logo_file
            self._course[course.root] = sha256_json({
                "config": self.hasher.file(config) if course.has_config_file else None,
                "templates": self.hasher.tree(templates, self.skip) if templates else None,
                "logo": self.hasher.file(logo) if logo else None,
            })
        return self._course[course.root]

    def module_part(self, module: Module) -> str:
        if module.root not in self._module:
            prereqs = []
            if module.course is not None:
                for ident, _ in module.meta.prerequisite_specs():
                    other = module.course.module_by_id(ident)
                    if other is not None:
                        prereqs.append([other.slug, other.meta.id, other.meta.version,
                                        other.meta.title])
            executed = {}
            if self.options.execute:
                executed = {u.rel: sha256_json(u.notebook)
                            for u in module.notebooks if u.notebook is not None}
            self._module[module.root] = sha256_json({
                "files": self.hasher.tree(module.root, self.skip),
                "prerequisites": prereqs,
                "executed": executed,
            })
        return self._module[module.root]

    def exporter_part(self, exporter: Exporter) -> str:
        """Exporters outside lcmodules (plug-ins) are keyed on their own source file."""
        try:
            source = Path(inspect.getfile(type(exporter))).resolve()
        except (TypeError, OSError):
            return ""
        package = Path(__file__).resolve().parent
        return "" if source.is_relative_to(package) else self.hasher.file(source)

    def module_key(self, exporter: Exporter, module: Module) -> str:
        course_part = self.course_part(module.course) if module.course else None
        return sha256_json({**self.common, "format": exporter.name,
                            "exporter": self.exporter_part(exporter), "course": course_part,
                            "module": self.module_part(module)})

    def course_key(self, exporter: Exporter, course: Course) -> str:
        return sha256_json({**self.common, "format": exporter.name,
                            "exporter": self.exporter_part(exporter),
                            "course": self.course_part(course),
                            "modules": [[m.slug, self.module_part(m)] for m in course.modules],
                            # the catalogue lists course-wide artifacts too; the others
                            # would otherwise see their own output in their key
                            "artifacts": self.module_artifacts(
                                course, course_wide=exporter.name in RUNS_LAST)})

    def module_artifacts(self, course: Course, course_wide: bool = False) -> list[list[str]]:
        """Every artifact of the course and its modules now in `out` (`<slug>-<version>-*`,
        `<course slug>-*`), built in this run or before, with its sha256: what a course-level
        export (the catalogue) lists."""
        out = Path(self.options.out)
        prefixes = tuple(f"{m.slug}-{m.meta.version}-" for m in course.modules)
        if course_wide:
            prefixes += (f"{course.slug}-",)
        found: list[list[str]] = []
        if not out.is_dir() or not prefixes:
            return found
        for path in sorted(out.iterdir(), key=lambda p: p.name):
            if not path.name.startswith(prefixes) or path.name.endswith(".tmp"):
                continue
            if path.is_dir():
                found.append([path.name, sha256_json(
                    self.hasher.tree(path, trust=True, everything=True))])
            elif path.is_file():
                found.append([path.name, self.hasher.file(path, trust=True)])
        return found


def _tool_versions(options: BuildOptions) -> dict[str, str]:
    if not options.html:
        return {}
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"jupyter-book": version("jupyter-book")}
    except PackageNotFoundError:
        return {}


# ---------------------------------------------------------------- running exporters


# The courses being built; worker processes inherit them when they are forked.
_COURSES: list[Course] = []


@dataclass
class Task:
    entry: str
    format: str
    course: int
    module: int  # -1 for the course-level export
    key: str


@dataclass
class Outcome:
    paths: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    crash: str | None = None  # the traceback of a bug, as text
    seconds: float = 0.0


def _run_task(task: Task, options: BuildOptions) -> Outcome:
    """Run one exporter over one module or course (in this process or a worker)."""
    started = time.perf_counter()
    outcome = Outcome()
    try:
        exporter = get_exporter(task.format)
        course = _COURSES[task.course]
        if task.module < 0:
            paths = exporter.export_course(course, options)
        else:
            paths = exporter.export_module(course.modules[task.module], options)
        outcome.paths = [Path(p) for p in paths or []]
    except InputError as exc:
        outcome.problems = list(exc.problems)
    except UnsafePathError as exc:  # a link or a name that would leave the artifact
        outcome.problems = [Problem(exc.path or Path("."), None, str(exc),
                                    "copy the file into the module instead of linking to it")]
    except Exception:
        outcome.crash = traceback.format_exc()
    outcome.seconds = time.perf_counter() - started
    return outcome


def _warm_up() -> int:
    return os.getpid()


class Runner:
    """Runs tasks one by one, or `jobs` at a time in forked worker processes."""

    def __init__(self, jobs: int) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            self.pool = ProcessPoolExecutor(max_workers=jobs,
                                            mp_context=multiprocessing.get_context("fork"))
        self.jobs = jobs

    def run(self, tasks: list[Task], options: BuildOptions, note: Progress,
            what: Callable[[Task], str]) -> dict[str, Outcome]:
        """Run `tasks`; after a crash (a bug) no further task is started."""
        results: dict[str, Outcome] = {}
        if self.pool is None or len(tasks) <= 1:
            for task in tasks:
                note(what(task), "start")
                results[task.entry] = outcome = _run_task(task, options)
                note(what(task), "failed" if outcome.problems or outcome.crash else "built")
                if outcome.crash:
                    break
            return results
        queue = list(reversed(tasks))
        running: dict[Future[Outcome], Task] = {}
        crashed = False
        while (queue and not crashed) or running:
            while queue and not crashed and len(running) < self.jobs:
                task = queue.pop()
                note(what(task), "start")
                running[self.pool.submit(_run_task, task, options)] = task
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                task = running.pop(future)
                results[task.entry] = outcome = future.result()
                note(what(task), "failed" if outcome.problems or outcome.crash else "built")
                crashed = crashed or outcome.crash is not None
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class BuildCrashed(RuntimeError):
    """An exporter raised an unexpected exception (a bug, not a problem in the sources)."""


def run_build(courses: list[Course], options: BuildOptions, progress: Progress | None = None,
              *, use_cache: bool = True, timeout: int | None = None,
              execute_jobs: int | None = None, hasher: FileHasher | None = None) -> BuildResult:
    """Export every module of every course in every format of `options.formats`.

    An artifact whose build key (see docs/execution.md) matches the one recorded in
    `<out>/.lcmodules-build.json`, and which is still in `out` unchanged, is not built again;
    `use_cache=False` builds everything. With `options.execute` the notebooks are run first
    (`timeout` overrides the per-cell limit; `execute_jobs` kernels at a time) and the executed
    notebooks are exported; the source files are not touched. `hasher` shares a file-hash
    memo already in use (the CLI's no-op check).
    """
    global _COURSES
    note = progress or (lambda what, status: None)
    result = BuildResult()
    if options.execute:
        result.executed = _execute(courses, options, note, use_cache, timeout, execute_jobs)

    options.out.mkdir(parents=True, exist_ok=True)
    keys = Keys(courses, options, use_cache, hasher)
    record = BuildRecord(options.out, keys.hasher)
    exporters = {name: get_exporter(name) for name in ordered_formats(options.formats)}
    names = list(exporters)
    phases = [[n for n in names if n not in RUNS_LAST], [n for n in names if n in RUNS_LAST]]
    reports: dict[str, EntryReport] = {}
    problems: list[Problem] = []
    crashes: list[str] = []
    _COURSES = courses
    runner = Runner(options.jobs)

    def settle(tasks: list[Task], outcomes: dict[str, Outcome]) -> None:
        for task in tasks:
            outcome = outcomes.get(task.entry)
            if outcome is None:  # not run: an earlier task crashed
                continue
            module = (None if task.module < 0
                      else courses[task.course].modules[task.module].slug)
            if outcome.problems or outcome.crash:
                problems.extend(outcome.problems)
                if outcome.crash:
                    crashes.append(f"{task.entry}:\n{outcome.crash}")
                record.forget(task.entry)
                reports[task.entry] = EntryReport(task.entry, task.format, module, "failed",
                                                  seconds=outcome.seconds)
                continue
            record.store(task.entry, task.key, outcome.paths)
            reports[task.entry] = EntryReport(task.entry, task.format, module, "built",
                                              outcome.paths, outcome.seconds)

    def plan(task: Task, what: str) -> Task | None:
        found = record.lookup(task.entry, task.key) if use_cache else None
        if found is None:
            return task
        module = None if task.module < 0 else courses[task.course].modules[task.module].slug
        reports[task.entry] = EntryReport(task.entry, task.format, module, "skipped", found)
        note(what, "skipped")
        return None

    def describe(task: Task) -> str:
        if task.module < 0:
            return f"course → {task.format}"
        return f"{courses[task.course].modules[task.module].slug} → {task.format}"

    try:
        for phase in phases:
            todo: list[Task] = []
            for name in phase:
                if not does_modules(exporters[name]):
                    continue
                for ci, course in enumerate(courses):
                    for mi, module in enumerate(course.modules):
                        task = Task(f"{name}/{module.slug}", name, ci, mi,
                                    keys.module_key(exporters[name], module))
                        if plan(task, describe(task)) is not None:
                            todo.append(task)
            settle(todo, runner.run(todo, options, note, describe))
            if crashes:
                break
            for name in phase:
                if not does_course(exporters[name]):
                    continue
                for ci, course in enumerate(courses):
                    task = Task(f"{name}/course:{course.root.name}", name, ci, -1,
                                keys.course_key(exporters[name], course))
                    if plan(task, describe(task)) is not None:
                        note(describe(task), "start")
                        outcome = _run_task(task, options)
                        settle([task], {task.entry: outcome})
                        note(describe(task), reports[task.entry].status)
    finally:
        runner.close()
        _COURSES = []
        record.save()
        keys.hasher.save()
    result.record = record.path

    for name in names:
        for course in courses:
            entries = [f"{name}/{m.slug}" for m in course.modules]
            entries.append(f"{name}/course:{course.root.name}")
            for entry in entries:
                report = reports.get(entry)
                if report is not None:
                    result.entries.append(report)
                    result.artifacts.extend(report.artifacts)
    if crashes:
        raise BuildCrashed("an exporter failed:\n" + "\n".join(crashes))
    if problems:
        raise InputError(problems)
    return result


def _execute(courses: list[Course], options: BuildOptions, note: Progress, use_cache: bool,
             timeout: int | None, parallel: int | None) -> list[Any]:
    """Run every notebook of the build (cached) and put the executed ones in the model."""
    from lcmodules.transform.execute import ExecutionFailed, execute_notebooks, job_for_unit

    jobs, units = [], []
    for course in courses:
        for module in course.modules:
            for unit in module.notebooks:
                if unit.notebook is not None:
                    jobs.append(job_for_unit(unit, module, timeout))
                    units.append(unit)

    def on_event(job: Any, status: str) -> None:
        what = f"execute {job.path.name}"
        note(what, {"start": "start", "failed": "failed", "cached": "skipped"}.get(status, "built"))

    results = execute_notebooks(jobs, parallel=parallel, use_cache=use_cache, on_event=on_event)
    failures = [r.failure for r in results if r.failure is not None]
    if failures:
        raise ExecutionFailed(failures)
    for unit, res in zip(units, results, strict=True):
        unit.notebook = res.notebook
    return results

