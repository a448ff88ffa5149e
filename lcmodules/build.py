"""The build pipeline: validated modules through every requested exporter, incrementally."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from lcmodules.cache.models import ACTIVE, Entry, ModelCache, active
from lcmodules.cache.shared import ArtifactStore, Shard, parse_shard
from lcmodules.cache.store import (
    RECORD_NAME,
    BuildRecord,
    FileHasher,
    cache_dir,
    cache_key,
    models_dir,
    sha256_json,
)
from lcmodules.core.diagnostics import Diagnostics, InputError, Problem
from lcmodules.core.localext import local_extensions
from lcmodules.core.locate import MODULES_DIR
from lcmodules.core.outpath import UnsafePathError, out_clash
from lcmodules.export.registry import (
    Artifact,
    BuildOptions,
    Exporter,
    available_formats,
    get_exporter,
)
from lcmodules.load.links import course_pages, links_still_resolve
from lcmodules.load.loader import load_module, load_paths, module_folders
from lcmodules.model import Course, CoursePage, Module
from lcmodules.transform.learner import course_edition, module_edition
from lcmodules.validate.rules import check_module, validate_courses

# BuildOptions fields that do not change what an exporter writes (the artifacts a consumer
# lists are keyed on their own, by their digests).
NOT_IN_KEY = {"out", "jobs", "formats", "artifacts"}
# What every build key depends on besides its inputs (see `cache_key`).
BUILD_ENVIRONMENT = ("lcmodules", "code", "dependencies", "SOURCE_DATE_EPOCH")

Progress = Callable[[str, str], None]  # (what, status) -> None
Status = Literal["built", "skipped", "restored", "failed"]


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
    warnings: list[Problem] = field(default_factory=list)  # what the check found, not errors
    entries: list[EntryReport] = field(default_factory=list)
    executed: list[Any] = field(default_factory=list)  # ExecResult of `--execute`
    record: Path | None = None
    store_warnings: list[Problem] = field(default_factory=list)  # damaged shared-store entries

    @property
    def built(self) -> list[EntryReport]:
        return [e for e in self.entries if e.status == "built"]

    @property
    def skipped(self) -> list[EntryReport]:
        return [e for e in self.entries if e.status == "skipped"]

    @property
    def restored(self) -> list[EntryReport]:
        """Taken from the shared store (`--cache-dir`) instead of built."""
        return [e for e in self.entries if e.status == "restored"]


def format_phases(formats: list[str]) -> list[list[str]]:
    """The formats in the order they run: every exporter that consumes "artifacts" after
    every exporter that does not (docs/internals.md, "Exporter API")."""
    consumers = [f for f in formats if "artifacts" in get_exporter(f).consumes]
    return [[f for f in formats if f not in consumers], consumers]


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


# ---------------------------------------------------------------- the one check


@dataclass
class Checked:
    """Courses and every problem the check of a build of `formats` found (`check_courses`).
    `run_build` exports a `Checked` without error as it is; anything else it checks first."""

    courses: list[Course]
    formats: list[str]
    problems: list[Problem]  # sorted; errors and warnings

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def require_ok(self) -> Checked:
        """Itself, or InputError with every problem (warnings too) when one is an error."""
        if not self.ok:
            raise InputError(self.problems)
        return self


def exporter_checks(courses: list[Course], formats: Sequence[str], diag: Diagnostics) -> None:
    """What a format cannot hold (each exporter's `check_module`, e.g. imscc's QTI profile),
    for every module and every format of `formats`."""
    for name in formats:
        check = getattr(get_exporter(name), "check_module", None)
        if check is None:
            continue
        for module in (m for c in courses for m in c.modules):
            try:
                whole = with_sources(module)
            except RuntimeError:  # it no longer loads: loading reported why
                continue
            check(whole, diag)


def check_courses(courses: list[Course], formats: Sequence[str] | None = None,
                  diag: Diagnostics | None = None) -> Checked:
    """The one check: every rule `lcmodules build` runs before exporting `formats` (None: the
    courses' default formats) — the validate rules, then each exporter's own check."""
    diag = diag if diag is not None else Diagnostics()
    chosen = list(formats or default_formats(courses))
    validate_courses(courses, diag)
    exporter_checks(courses, chosen, diag)
    return Checked(courses, chosen, diag.sorted())


def model_cache(hasher: FileHasher | None = None, lean: bool = False,
                jobs: int = 1) -> ModelCache:
    """The model cache of a build, in the user's cache folder (never in a course: see
    docs/security.md). `lean`: each module is checked as it loads and its sources released;
    with `jobs` > 1 too, modules not in the cache are loaded `jobs` at a time (`SharedLoad`)."""
    folder = models_dir()
    hasher = hasher or FileHasher(cache_dir(None) / "file-hashes.json")
    if lean and jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
        return SharedLoad(folder, hasher, check_module, jobs, holds=links_still_resolve)
    return ModelCache(folder, hasher, check_module if lean else None, links_still_resolve)


def check_paths(paths: Sequence[Path], formats: Sequence[str] | None = None,
                models: ModelCache | None = None) -> Checked:
    """Load `paths` (courses or modules; none: the current folder) and run the one check
    (`check_courses`). With `models`, unchanged modules are reused from it and the freshly
    loaded ones stored in it (when nothing is an error)."""
    diag = Diagnostics()
    with active(models) if models is not None else contextlib.nullcontext():
        courses = load_paths(list(paths), diag)
        loaded = len(diag.problems)
        validate_courses(courses, diag)
        validated = len(diag.problems)
        chosen = list(formats or default_formats(courses))
        exporter_checks(courses, chosen, diag)
    if models is not None and diag.ok:
        models.store(courses, diag.problems[:loaded], diag.problems[loaded:validated])
    return Checked(courses, chosen, diag.sorted())


def build_options(courses: list[Course], arguments: dict[str, Any], out: Path | None = None,
                  jobs: int | None = None) -> BuildOptions:
    """The run's BuildOptions: `arguments` (the command line: edition, sco, html, execute,
    formats) first, then `lcmodules.build` of _config.yml, then the defaults."""
    from lcmodules.transform.execute import default_jobs

    settings = courses[0].config.lcmodules.build if courses else None
    base = courses[0].root if courses and courses[0].has_config_file else Path.cwd()
    return BuildOptions(
        out=(out or (base / settings.out if settings else Path("dist"))).resolve(),
        edition=arguments.get("edition") or (settings.edition if settings else "learner"),
        sco=arguments.get("sco") or (settings.sco if settings else "single"),
        html=bool(arguments.get("html")), execute=bool(arguments.get("execute")),
        jobs=jobs or default_jobs(), formats=list(arguments.get("formats") or [])
        or default_formats(courses),
    )


def build_paths(paths: Sequence[Path], arguments: dict[str, Any], out: Path | None = None,
                jobs: int | None = None, progress: Progress | None = None, *,
                use_cache: bool = True, timeout: int | None = None,
                hasher: FileHasher | None = None,
                on_checked: Callable[[Checked, BuildOptions], None] | None = None,
                ) -> BuildResult:
    """`lcmodules build` as a library call: load, the one check (InputError with every
    problem on an error), the options, then `run_build`. `result.warnings` holds what the
    check warned about; `on_checked` is told the check passed, before anything is exported.
    Without `execute`, memory holds one module's sources at a time (per worker).
    `arguments["cache_dir"]` names the shared store, `arguments["shard"]` ("K/N") the shard to
    build alone (`sharded`; ShardError when it is not K/N)."""
    from lcmodules.transform.execute import default_jobs

    shard = parse_shard(arguments["shard"]) if arguments.get("shard") else None
    models = model_cache(hasher, lean=not arguments.get("execute"), jobs=jobs or default_jobs())
    with active(models):
        checked = check_paths(paths, arguments.get("formats"), models).require_ok()
        options = build_options(checked.courses, arguments, out, jobs)
        if shard is not None:
            checked, options = sharded(checked, options, shard)
        if on_checked is not None:
            on_checked(checked, options)
        store = ArtifactStore(arguments["cache_dir"]) if arguments.get("cache_dir") else None
        result = run_build(checked, options, progress, use_cache=use_cache, timeout=timeout,
                           execute_jobs=jobs, hasher=models.hasher, store=store,
                           record_name=shard.record_name if shard else RECORD_NAME)
    result.warnings = [p for p in checked.problems if p.severity != "error"]
    return result


# ---------------------------------------------------------------- loading on every core


class SharedLoad(ModelCache):
    """The model cache of a lean build with `jobs` > 1. The first time loading asks it for a
    module of a course, the course's modules it does not hold yet are loaded and checked in
    forked workers, `jobs` at a time, and stored (`load_in_workers`); loading then takes each
    of them as the worker left it, released (metadata only): this process never reads their
    sources. The problems are those loading one by one finds."""

    def __init__(self, folder: Path, hasher: FileHasher,
                 check: Callable[[Module, Diagnostics], None], jobs: int,
                 holds: Callable[[Module, Course | None], bool] | None = None) -> None:
        super().__init__(folder, hasher, check, holds)
        self.jobs = jobs
        self.courses: set[Path] = set()
        self.ready: dict[Path, Loaded] = {}

    def reuse(self, module_dir: Path, diag: Diagnostics, course: Course | None) -> Module | None:
        if course is not None and self.jobs > 1 and course.root not in self.courses:
            self.courses.add(course.root)
            self.ready.update(load_in_workers(self, course))
        found = self.ready.pop(module_dir, None)
        if found is None:
            return super().reuse(module_dir, diag, course)
        module = dataclasses.replace(found.module, course=course)
        self.reused[id(module)] = Entry(module, found.loaded, found.checked)
        diag.problems.extend(found.loaded)
        return module

    def stored(self, module_dir: Path, course: Course) -> bool:
        return self._path(self.key(module_dir, course)).is_file()


@dataclass
class Loaded:
    """A module a worker loaded and checked (released), with the problems of each step."""

    module: Module
    loaded: list[Problem]
    checked: list[Problem]


def load_in_workers(models: SharedLoad, course: Course) -> dict[Path, Loaded]:
    """Load and check, in forked workers, every module folder of `course` the cache does not
    hold (at most 2 × jobs in flight); nothing when fewer than two need it."""
    folders = [f.resolve() for f in module_folders(course, Diagnostics())]
    todo = [f for f in folders if (f / "module.yml").is_file() and not models.stored(f, course)]
    if len(todo) < 2:
        return {}
    bare = dataclasses.replace(course, modules=[], context=[])
    found: dict[Path, Loaded] = {}
    pool = ProcessPoolExecutor(max_workers=models.jobs, initializer=adopt, initargs=(models,),
                               mp_context=multiprocessing.get_context("fork"))
    try:
        queue = list(reversed(todo))
        running: set[Future[tuple[Path, Loaded | None]]] = set()
        while queue or running:
            while queue and len(running) < 2 * models.jobs:
                running.add(pool.submit(load_checked, queue.pop(), bare))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                folder, loaded = future.result()
                if loaded is not None:
                    found[folder] = loaded
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return found


def load_checked(folder: Path, course: Course) -> tuple[Path, Loaded | None]:
    """In a worker: what loading and the module rules make of one module folder, kept in the
    model cache and released (None when it does not load: this process then reports why)."""
    models = ACTIVE.get()
    diag = Diagnostics()
    module = load_module(folder, diag, course)
    if module is None or models is None:
        return folder, None
    before = len(diag.problems)
    models.loaded(module, diag, True)
    released = dataclasses.replace(module, course=None)
    return folder, Loaded(released, diag.problems[:before], diag.problems[before:])


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
            "options": {k: str(v) for k, v in sorted(relevant.items())},
            "tools": _tool_versions(options),
        }
        self._course: dict[Path, str] = {}
        self._module: dict[Path, str] = {}
        self._ids: dict[Path, dict[str, Module]] = {}
        self._titles: dict[Path, str] = {}

    def course_part(self, course: Course) -> str:
        if course.root not in self._course:
            config = course.root / "_config.yml"
            templates = course.templates_dir
            logo = course.logo_file
            self._course[course.root] = sha256_json({
                "config": self.hasher.file(config) if course.has_config_file else None,
                "templates": self.hasher.tree(templates, self.skip) if templates else None,
                "logo": self.hasher.file(logo) if logo else None,
                "extensions": {rel: self.hasher.file(path)  # the course's own, for --html
                               for ext in local_extensions(course.config.sphinx, course.root)
                               for rel, path in ext.files().items()},
            })
        return self._course[course.root]

    def titles_part(self, course: Course | None) -> str:
        """The course's modules' folder names and titles, hashed once per course: a link into
        another module is rendered naming its title ("(Module Title)"), so renaming a module
        rebuilds the pages that link to it."""
        if course is None:
            return ""
        if course.root not in self._titles:
            self._titles[course.root] = sha256_json(sorted(
                [m.slug, m.meta.title] for m in course.all_modules))
        return self._titles[course.root]

    def module_part(self, module: Module) -> str:
        if module.root not in self._module:
            prereqs = []
            if module.course is not None:
                for ident, _ in module.meta.prerequisite_specs():
                    other = self.module_by_id(module.course, ident)
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
                "titles": self.titles_part(module.course),
            })
        return self._module[module.root]

    def module_by_id(self, course: Course, ident: str) -> Module | None:
        """`course.module_by_id`, through an index made once per course (a course of N
        modules with prerequisites is keyed in O(N), not O(N²))."""
        index = self._ids.get(course.root)
        if index is None:
            index = self._ids[course.root] = {}
            for module in course.all_modules:
                index.setdefault(module.meta.id, module)  # the first, as module_by_id
        return index.get(ident)

    def exporter_part(self, exporter: Exporter) -> str:
        """Exporters outside lcmodules (plug-ins) are keyed on their own source file."""
        try:
            source = Path(inspect.getfile(type(exporter))).resolve()
        except (TypeError, OSError):
            return ""
        package = Path(__file__).resolve().parent
        return "" if source.is_relative_to(package) else self.hasher.file(source)

    def key(self, inputs: dict[str, Any]) -> str:
        """A build key (`cache_key`): the artifact's own inputs, the options, and lcmodules'
        code, version and dependencies."""
        return cache_key("build", {**self.common, **inputs}, BUILD_ENVIRONMENT, self.hasher)

    def module_key(self, exporter: Exporter, module: Module) -> str:
        course_part = self.course_part(module.course) if module.course else None
        return self.key({"format": exporter.name, "exporter": self.exporter_part(exporter),
                         "course": course_part, "module": self.module_part(module)})

    def course_key(self, exporter: Exporter, course: Course,
                   artifacts: Sequence[Artifact] = ()) -> str:
        return self.key({"format": exporter.name, "exporter": self.exporter_part(exporter),
                         "course": self.course_part(course),
                         "modules": [[m.slug, self.module_part(m)] for m in course.modules],
                         "artifacts": [[a.format, a.module, a.path.name,
                                        self.artifact_digest(a.path)] for a in artifacts]})

    def artifact_digest(self, path: Path) -> str | None:
        if path.is_dir():
            return sha256_json(self.hasher.tree(path, trust=True, everything=True))
        return self.hasher.file(path, trust=True) if path.is_file() else None


def _tool_versions(options: BuildOptions) -> dict[str, str]:
    if not options.html:
        return {}
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {"jupyter-book": version("jupyter-book")}
    except PackageNotFoundError:
        return {}


# ---------------------------------------------------------------- running exporters


@dataclass
class Outcome:
    paths: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    crash: str | None = None  # the traceback of a bug, as text
    seconds: float = 0.0


def export_one(name: str, subject: Module | Course, options: BuildOptions) -> Outcome:
    """Run one exporter over one module or course edition, catching what it raises."""
    started = time.perf_counter()
    outcome = Outcome()
    try:
        exporter = get_exporter(name)
        if isinstance(subject, Course):
            paths = exporter.export_course(subject, options)
        else:
            paths = exporter.export_module(subject, options)
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


def build_module(module: Module, formats: list[str], options: BuildOptions) -> dict[str, Outcome]:
    """The module's edition, made once, through every format of `formats` (in this process or
    in a worker; `module` comes detached from its course's other modules). An exporter that
    consumes "sources" gets the loaded module instead. Stops after a crash (a bug)."""
    edition = module_edition(module, options.edition)
    outcomes: dict[str, Outcome] = {}
    for name in formats:
        subject = module if "sources" in get_exporter(name).consumes else edition
        outcomes[name] = outcome = export_one(name, subject, options)
        if outcome.crash:
            break
    return outcomes


def build_released(module: Module, formats: list[str], options: BuildOptions
                   ) -> dict[str, Outcome]:
    """`build_module` in a worker: the module's sources re-acquired here (`with_sources`), its
    course's pages taken from what the worker inherited (`Runner`)."""
    course = module.course
    if course is not None and course.pages is None and course.root in INHERITED_PAGES:
        module = dataclasses.replace(module, course=dataclasses.replace(
            course, pages=INHERITED_PAGES[course.root]))
    return build_module(with_sources(module), formats, options)


# In a forked build worker: course root → every page of the course (`load.links.course_pages`),
# as the build's process held them when it started its workers. Sent with each job instead,
# a course of N modules would pickle N pages N times (40 ms a job at 1,000 modules).
INHERITED_PAGES: dict[Path, dict[Path, CoursePage]] = {}


def adopt(cache: ModelCache | None, pages: dict[Path, dict[Path, CoursePage]] | None = None
          ) -> None:
    """A forked worker's start: the build's model cache is its active one (no worker starts
    workers of its own); `pages` are the courses' pages it inherits (fork: never pickled)."""
    if cache is not None:
        if isinstance(cache, SharedLoad):
            cache.jobs = 1
        ACTIVE.set(cache)
    if pages is not None:
        INHERITED_PAGES.clear()
        INHERITED_PAGES.update(pages)


def detached(module: Module, inherited: Collection[Path] = ()) -> Module:
    """The module with a course that holds no modules: what a worker needs of it (the course's
    config, root, templates and logo, the other modules' page names for links into them),
    without pickling the whole course along. The pages stay out (None) when the worker
    inherited them: its course's root is in `inherited`."""
    if module.course is None:
        return module
    pages = None if module.course.root in inherited else course_pages(module.course)
    course = dataclasses.replace(module.course, modules=[], context=[], pages=pages)
    return dataclasses.replace(module, course=course)


def with_sources(module: Module) -> Module:
    """The module with its sources: itself, or (when loading released them to keep memory
    flat) as the active model cache stored it, else loaded again."""
    if not module.released:
        return module
    cache = ACTIVE.get()
    found = cache.sources(module) if cache is not None else None
    if found is None:
        found = load_module(module.root, Diagnostics(), module.course)
        if cache is not None and found is not None:
            cache.reused.pop(id(found), None)
    if found is None or found.released:
        raise RuntimeError(f"the sources of module '{module.slug}' could not be loaded again")
    return found


def whole_course(course: Course) -> Course:
    """The course with every module, also those not asked for (in the course's own order)."""
    if not course.context:
        return course
    listed = course.config.lcmodules.modules or []
    order = {slug: i for i, slug in enumerate(listed)}

    def position(module: Module) -> tuple[int, str]:
        return order.get(module.slug, len(order)), module.root.name

    return dataclasses.replace(course, modules=sorted(course.all_modules, key=position),
                               context=[])


@dataclass
class ModuleJob:
    """Every format one module is built in, one worker call."""

    module: Module
    tasks: dict[str, str]  # format -> entry


class Runner:
    """Runs module jobs one by one, or `jobs` at a time in forked worker processes (each gets
    what it needs as arguments, except the course's pages, which the workers inherit: a
    released module's sources are re-acquired in the worker, so this process never holds
    them)."""

    def __init__(self, jobs: int) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.parallel = jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
        self.inherited: dict[Path, dict[Path, CoursePage]] = {}  # what the workers hold
        self.jobs = jobs

    def started(self, work: list[ModuleJob]) -> ProcessPoolExecutor:
        """The worker pool, started at the first parallel job: the workers fork holding the
        pages of the courses of `work` (`INHERITED_PAGES`), made here once per course."""
        if self.pool is None:
            for job in work:
                course = job.module.course
                if course is not None and course.root not in self.inherited:
                    self.inherited[course.root] = course_pages(course)
            self.pool = ProcessPoolExecutor(max_workers=self.jobs,
                                            mp_context=multiprocessing.get_context("fork"),
                                            initializer=adopt,
                                            initargs=(ACTIVE.get(), self.inherited))
        return self.pool

    def run(self, work: list[ModuleJob], options: BuildOptions,
            note: Progress) -> list[tuple[ModuleJob, dict[str, Outcome]]]:
        """Run `work`; after a crash (a bug) no further job is started."""
        results: list[tuple[ModuleJob, dict[str, Outcome]]] = []
        queue = list(reversed(work))
        running: dict[Future[dict[str, Outcome]], ModuleJob] = {}
        crashed = False
        while (queue and not crashed) or running:
            while queue and not crashed and (len(running) < self.jobs or not running):
                job = queue.pop()
                for name in job.tasks:
                    note(f"{job.module.slug} → {name}", "start")
                if not self.parallel or len(work) <= 1:
                    done: Future[dict[str, Outcome]] = Future()
                    done.set_result(build_module(with_sources(job.module), list(job.tasks),
                                                 options))
                else:
                    done = self.started(work).submit(
                        build_released, detached(job.module, self.inherited),
                        list(job.tasks), options)
                running[done] = job
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                job = running.pop(future)
                outcomes = future.result()
                for name, outcome in outcomes.items():
                    failed = outcome.problems or outcome.crash
                    note(f"{job.module.slug} → {name}", "failed" if failed else "built")
                results.append((job, outcomes))
                crashed = crashed or any(o.crash for o in outcomes.values())
        return results

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


class BuildCrashed(RuntimeError):
    """An exporter raised an unexpected exception (a bug, not a problem in the sources)."""


def source_paths(courses: list[Course]) -> tuple[dict[Path, str], dict[Path, str]]:
    """What a build may never write into (`within`) or be (`exact`): see `out_clash`."""
    within: dict[Path, str] = {}
    exact: dict[Path, str] = {}
    for course in courses:
        for module in course.all_modules:
            within[module.root] = f"the sources of module '{module.slug}'"
        if course.has_config_file or (course.root / MODULES_DIR).is_dir():
            within[course.root / MODULES_DIR] = f"the course's {MODULES_DIR}/ folder"
            within[course.root / course.config.lcmodules.templates] = \
                "the course's templates folder"
            exact[course.root] = "the course folder itself (its _config.yml, modules/ …)"
            exact[course.root / "_config.yml"] = "the course's _config.yml"
            if course.logo_file is not None:
                exact[course.logo_file] = "the course's logo"
    return within, exact


def check_out(out: Path, courses: list[Course]) -> None:
    """Refuse an output folder that is a file, cannot be written, or lies among the sources
    (a build never writes among the author's files: `out_clash`), before writing anything."""
    out = Path(out).resolve()
    problem = None
    clash = out_clash(out, *source_paths(courses))
    if clash is not None:
        problem = (clash, "choose a folder outside every module and the course's own "
                          "files, e.g. dist/ in the course (--out or lcmodules.build.out)")
    elif out.exists() and not out.is_dir():
        problem = ("the output folder is a file", "name a folder with --out")
    if problem is None:
        existing = next(p for p in [out, *out.parents] if p.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            problem = (f"the output folder cannot be written ({existing} is not writable)",
                       "choose a folder you may write to with --out")
    if problem is None:
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = (f"the output folder cannot be created: {exc.strerror}",
                       "choose a folder you may write to with --out")
    if problem is not None:
        raise InputError([Problem(out, None, *problem)])


class Build:
    """One run of the pipeline over `courses`: plans every entry, runs what is not up to date,
    and records what it wrote."""

    def __init__(self, courses: list[Course], options: BuildOptions, note: Progress,
                 use_cache: bool, hasher: FileHasher | None,
                 store: ArtifactStore | None = None, record_name: str = RECORD_NAME) -> None:
        self.courses, self.options, self.note, self.use_cache = courses, options, note, use_cache
        self.keys = Keys(courses, options, use_cache, hasher)
        self.record = BuildRecord(options.out, self.keys.hasher, record_name)
        self.store = store
        self.reports: dict[str, EntryReport] = {}
        self.problems: list[Problem] = []
        self.crashes: list[str] = []

    def up_to_date(self, entry: str, key: str, fmt: str, module: str | None, what: str) -> bool:
        found = self.record.lookup(entry, key) if self.use_cache else None
        status: Status = "skipped"
        if found is None:
            found, status = self.restore(entry, key), "restored"
        if found is None:
            return False
        self.reports[entry] = EntryReport(entry, fmt, module, status, found)
        self.note(what, status)
        return True

    def restore(self, entry: str, key: str) -> list[Path] | None:
        """The entry's artifacts from the shared store, written into the output folder and
        recorded; None when the store has no (undamaged) entry of this key."""
        if self.store is None or not self.use_cache:
            return None
        found = self.store.restore(key, self.options.out)
        if found is not None:
            self.record.store(entry, key, found)
        return found

    def settle(self, entry: str, key: str, fmt: str, module: str | None, outcome: Outcome) -> None:
        if outcome.problems or outcome.crash:
            self.problems.extend(outcome.problems)
            if outcome.crash:
                self.crashes.append(f"{entry}:\n{outcome.crash}")
            self.record.forget(entry)
            self.reports[entry] = EntryReport(entry, fmt, module, "failed",
                                              seconds=outcome.seconds)
            return
        self.record.store(entry, key, outcome.paths)
        if self.store is not None:
            self.store.put(key, self.options.out, outcome.paths)
        self.reports[entry] = EntryReport(entry, fmt, module, "built", outcome.paths,
                                          outcome.seconds)

    def module_phase(self, names: list[str], options: BuildOptions, runner: Runner) -> None:
        """Every module in every module format of `names`, one job per module."""
        work: list[ModuleJob] = []
        keys: dict[str, str] = {}
        for course in self.courses:
            for module in course.modules:
                job = ModuleJob(module, {})
                for name in names:
                    exporter = get_exporter(name)
                    if not does_modules(exporter):
                        continue
                    entry = f"{name}/{module.slug}"
                    keys[entry] = self.keys.module_key(exporter, module)
                    if not self.up_to_date(entry, keys[entry], name, module.slug,
                                           f"{module.slug} → {name}"):
                        job.tasks[name] = entry
                if job.tasks:
                    work.append(job)
        for job, outcomes in runner.run(work, options, self.note):
            for name, outcome in outcomes.items():
                entry = job.tasks[name]
                self.settle(entry, keys[entry], name, job.module.slug, outcome)

    def course_phase(self, names: list[str], consumers: bool) -> None:
        """Every course-wide export of `names`. A build of some of a course's modules leaves
        the course-wide artifacts untouched, except those of consumers of "artifacts" (the
        catalogue), which are made from the whole course and the build record."""
        for course in self.courses:
            whole = whole_course(course)
            edition: Course | None = None
            for name in names:
                exporter = get_exporter(name)
                if not does_course(exporter) or (course.context and not consumers):
                    continue
                options = self.options
                if consumers:
                    artifacts = self.recorded_artifacts(whole)
                    options = dataclasses.replace(options, artifacts=artifacts)
                entry, what = f"{name}/course:{course.root.name}", f"course → {name}"
                key = self.keys.course_key(exporter, whole, options.artifacts)
                if self.up_to_date(entry, key, name, None, what):
                    continue
                if any(m.released for m in whole.modules):
                    whole = dataclasses.replace(whole, modules=[
                        with_sources(m) for m in whole.modules])
                if "sources" in exporter.consumes:
                    subject = whole
                else:
                    edition = edition or course_edition(whole, self.options.edition)
                    subject = edition
                self.note(what, "start")
                self.settle(entry, key, name, None, export_one(name, subject, options))
                self.note(what, self.reports[entry].status)

    def recorded_artifacts(self, course: Course) -> list[Artifact]:
        """What the build record holds, up to date, for `course` (the whole course) in every
        format that does not itself consume artifacts."""
        known = set(available_formats())
        formats = sorted({e.split("/", 1)[0] for e in self.record.names()} & known)
        found: list[Artifact] = []
        for name in formats:
            try:
                exporter = get_exporter(name)
            except Exception:  # a plug-in that no longer loads: its artifacts are not listed
                continue
            if "artifacts" in exporter.consumes:
                continue
            for module in course.modules if does_modules(exporter) else []:
                key = self.keys.module_key(exporter, module)
                for path in self.record.lookup(f"{name}/{module.slug}", key) or []:
                    found.append(Artifact(name, module.slug, path))
            if does_course(exporter):
                key = self.keys.course_key(exporter, course)
                for path in self.record.lookup(f"{name}/course:{course.root.name}", key) or []:
                    found.append(Artifact(name, None, path))
        return found

    def run(self, runner: Runner) -> None:
        for phase, consumers in zip(format_phases(self.options.formats), (False, True),
                                    strict=True):
            self.module_phase(phase, self.options, runner)
            if self.crashes:
                return
            self.course_phase(phase, consumers)

    def result(self) -> BuildResult:
        result = BuildResult(record=self.record.path)
        for name in self.options.formats:
            for course in self.courses:
                entries = [f"{name}/{m.slug}" for m in course.modules]
                entries.append(f"{name}/course:{course.root.name}")
                for report in filter(None, map(self.reports.get, entries)):
                    result.entries.append(report)
                    result.artifacts.extend(report.artifacts)
        return result


def run_build(courses: list[Course] | Checked, options: BuildOptions,
              progress: Progress | None = None,
              *, use_cache: bool = True, timeout: int | None = None,
              execute_jobs: int | None = None, hasher: FileHasher | None = None,
              store: ArtifactStore | None = None, record_name: str = RECORD_NAME,
              ) -> BuildResult:
    """Export every module of every course in every format of `options.formats`.

    Each module's edition (`options.edition`) is made once, before its exporters run; they
    never see the loaded sources (docs/internals.md). An artifact whose build key (see
    docs/execution.md) matches the one recorded in `<out>/.lcmodules-build.json`, and which is
    still in `out` unchanged, is not built again; `use_cache=False` builds everything. With
    `options.execute` the notebooks are run first (`timeout` overrides the per-cell limit;
    `execute_jobs` kernels at a time) and the executed notebooks are exported; the source
    files are not touched. `hasher` shares a file-hash memo already in use (the CLI's no-op
    check). Nothing is exported before the one check (`check_courses`) passed: `courses` that
    are not a `Checked` of these formats are checked first (InputError with every problem).
    `store`: the shared store artifacts are restored from and put into (docs/execution.md);
    `record_name`: the build record's file name in `out` (a shard's own).
    """
    if not (isinstance(courses, Checked) and courses.ok
            and set(options.formats) <= set(courses.formats)):
        listed = courses.courses if isinstance(courses, Checked) else courses
        courses = check_courses(listed, options.formats).require_ok()
    warnings = [p for p in courses.problems if p.severity != "error"]
    courses = courses.courses
    note = progress or (lambda what, status: None)
    check_out(options.out, courses)
    executed = _execute(courses, options, note, use_cache, timeout, execute_jobs,
                        store) if options.execute else []
    build = Build(courses, options, note, use_cache, hasher, store, record_name)
    runner = Runner(options.jobs)
    try:
        build.run(runner)
    finally:
        runner.close()
        build.record.save()
        build.keys.hasher.save()
    result = build.result()
    result.executed, result.warnings = executed, warnings
    result.store_warnings = store_problems(store)
    if build.crashes:
        raise BuildCrashed("an exporter failed:\n" + "\n".join(build.crashes))
    if build.problems:
        raise InputError(build.problems)
    return result


def _execute(courses: list[Course], options: BuildOptions, note: Progress, use_cache: bool,
             timeout: int | None, parallel: int | None,
             store: ArtifactStore | None = None) -> list[Any]:
    """Run every notebook of the build (cached; in the shared store when there is one) and put
    the executed ones in the model."""
    from lcmodules.transform.execute import (
        ExecutionFailed,
        as_cached,
        execute_notebooks,
        job_for_unit,
    )

    jobs, units = [], []
    for course in courses:
        for module in course.modules:
            for unit in module.notebooks:
                if unit.notebook is not None:
                    job = job_for_unit(unit, module, timeout)
                    jobs.append(dataclasses.replace(job, store=store.folder if store else None))
                    units.append(unit)

    results = execute_notebooks(jobs, parallel=parallel, use_cache=use_cache,
                                on_event=functools.partial(_note_execution, note))
    failures = [r.failure for r in results if r.failure is not None]
    if failures:
        raise ExecutionFailed(failures)
    for unit, res in zip(units, results, strict=True):
        if res.status == "ran" and res.notebook is not None:
            unit.notebook = as_cached(res.job, res.notebook)
        else:
            unit.notebook = res.notebook
    return results


def _note_execution(note: Progress, job: Any, status: str) -> None:
    what = f"execute {job.path.name}"
    note(what, {"start": "start", "failed": "failed", "cached": "skipped"}.get(status, "built"))


# ---------------------------------------------------------------- shards and the shared store


def sharded(checked: Checked, options: BuildOptions, shard: Shard) -> tuple[Checked, BuildOptions]:
    """A build of `shard` alone: the courses hold only its modules (the others, checked with
    them, stay as context, as when some modules are named), and the formats that consume
    artifacts (the catalogue) are left to the final build over every shard's output."""
    courses = []
    for course in checked.courses:
        mine = [m for m in course.modules if shard.holds(m.meta.id)]
        others = [m for m in course.modules if not shard.holds(m.meta.id)]
        courses.append(dataclasses.replace(course, modules=mine,
                                           context=course.context + others))
    formats = [f for f in options.formats if "artifacts" not in get_exporter(f).consumes]
    return (dataclasses.replace(checked, courses=courses),
            dataclasses.replace(options, formats=formats))


def store_problems(store: ArtifactStore | None) -> list[Problem]:
    """The damaged entries the store ignored, as warnings (their artifacts were rebuilt)."""
    return [Problem(w.path, None, f"shared cache entry ignored, {w.reason}",
                    "its artifacts were built again and stored afresh", severity="warning")
            for w in (store.warnings if store is not None else [])]
