"""Serve: a module or course kept loaded, checked and rendered in memory, following saved files."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lcmodules.core.diagnostics import Diagnostics, Problem
from lcmodules.core.locate import locate
from lcmodules.core.strings import N_
from lcmodules.model import Course, CourseConfig, Module, ModuleMeta, Unit
from lcmodules.render.site import Site, SiteOptions, render_site

Edition = Literal["learner", "teacher"]
EDITIONS: tuple[Edition, ...] = ("learner", "teacher")
# folders that are never sources: outputs, caches, tools' own state
SKIP_DIRS = {"node_modules", "__pycache__", "dist", "build", "_build", ".ipynb_checkpoints"}
STEP_MS = 30  # a save shows once the files were quiet this long (an editor writes in steps)
WAKE_MS = 200  # the watcher looks at `stop` this often

__all__ = ["Edition", "EDITIONS", "Workspace", "ModuleEntry", "is_source", "broken_title"]


def is_source(path: Path, root: Path) -> bool:
    """Whether a change to `path` (below `root`) can change what serve shows: not an output,
    cache, hidden file or editor backup."""
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return False
    if not parts or parts[-1].endswith("~"):
        return False
    return not any(p in SKIP_DIRS or p.startswith(".") for p in parts)


Reason = tuple[str, dict[str, str]]  # why a page cannot be shown: a msgid and its {fields}


@dataclass
class ModuleEntry:
    """One module folder being served: its metadata, once opened or checked its full model and
    problems, and its rendered editions."""

    slug: str
    folder: Path
    stub: Module | None = None  # metadata (units' sources left out): the rules across modules
    module: Module | None = None  # every unit loaded: a module that is shown (None otherwise)
    checked: bool = False  # `own` is up to date
    opened: bool = False  # `module` is up to date (None when it could not be loaded)
    own: list[Problem] = field(default_factory=list)  # loading and the module rules
    across: list[Problem] = field(default_factory=list)  # the course rules, about this module
    version: int = 0  # moves on with every change to the folder
    sites: dict[Edition, tuple[int, Site]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        known = self.module or self.stub
        return known.meta.title if known is not None and known.meta.title else self.slug

    @property
    def problems(self) -> list[Problem]:
        return self.own + self.across

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)

    def changed(self) -> None:
        """A file of the module changed: what was loaded and rendered is out of date."""
        self.version += 1
        self.module, self.checked, self.opened, self.own, self.sites = None, False, False, [], {}


class Workspace:
    """The served folder (a course or one module). `refresh()` reads it; `watch()` follows the
    operating system's file events and reloads only the modules whose files changed; a module
    is loaded and checked in full when its page is asked for or by `check_all()`."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.is_module = (self.root / "module.yml").is_file()
        target = locate(self.root) if self.is_module else None
        self.course_root = target.root if target is not None else self.root
        self.generation = 0
        self.last_load_seconds = 0.0
        self.entries: dict[str, ModuleEntry] = {}
        self.course_problems: list[Problem] = []
        self._config_problems: list[Problem] = []  # what reading `_config.yml` found
        self.course = Course(root=self.course_root, config=CourseConfig())
        self._context: list[Module] = []  # a served module's course neighbours (metadata)
        self._lock = threading.RLock()
        self.changed = threading.Condition()
        self.watching = threading.Event()

    # ------------------------------------------------------------ what is there

    def module_folders(self) -> list[Path]:
        if self.is_module:
            return [self.root]
        return _module_folders(self.root)

    def refresh(self) -> bool:
        """Read the course again from scratch: its configuration, every module's metadata, the
        rules across modules; a served module folder is loaded and checked in full."""
        with self._lock:
            started = time.perf_counter()
            try:
                self._read_course()
            except Exception as exc:  # a bug in lcmodules: show it in the page, keep watching
                self._report_bug(exc)
            self.last_load_seconds = time.perf_counter() - started
        self._announce()
        return True

    def _read_course(self) -> None:
        from lcmodules.load.loader import load_config

        diag = Diagnostics()
        config, _ = load_config(self.course_root, diag)
        self.course = Course(root=self.course_root, config=config,
                             has_config_file=(self.course_root / "_config.yml").is_file())
        self._config_problems = diag.sorted()
        old = self.entries
        self.entries = {f.name: ModuleEntry(f.name, f, version=old[f.name].version + 1
                                            if f.name in old else 0)
                        for f in self.module_folders()}
        for entry in self.entries.values():
            entry.stub = _read_stub(entry.folder, self.course)
        self._context = [] if not self.is_module or self.course_root == self.root else [
            m for m in (_read_stub(f, self.course) for f in _module_folders(self.course_root)
                        if f.resolve() != self.root) if m is not None]
        if self.is_module:
            self._load(self.entries[self.root.name], keep=True)
        self._course_rules()

    def _report_bug(self, exc: Exception) -> None:
        self.course_problems = [Problem(self.root, None, "lcmodules could not load this folder "
                                        f"({type(exc).__name__}: {exc})", "please report it")]

    def _announce(self) -> None:
        with self.changed:
            self.generation += 1
            self.changed.notify_all()

    # ------------------------------------------------------------ loading one module

    def _load(self, entry: ModuleEntry, keep: bool) -> None:
        """Load and check one module in full (under the lock); with `keep` the model stays for
        its pages, else only its metadata and problems do (memory stays flat as a course
        grows, and so does the cost of every later load)."""
        from lcmodules.cache.models import release
        from lcmodules.load.loader import load_module
        from lcmodules.validate.rules import check_module

        diag = Diagnostics()
        module = load_module(entry.folder, diag, self.course)
        if module is not None:
            check_module(module, diag)
            entry.stub = dataclasses.replace(module)
            release(entry.stub)
        entry.module, entry.opened = (module, True) if keep else (None, entry.opened)
        entry.checked, entry.own = True, diag.sorted()

    def _course_rules(self) -> None:
        """The rules across modules (unique ids, prerequisites, the course's configuration),
        run over every module's metadata — cheap, so after every change."""
        from lcmodules.validate.rules import COURSE_RULES

        entries = list(self.entries.values())
        self.course.modules = [e.stub for e in entries if e.stub is not None]
        self.course.context = self._context
        diag = Diagnostics()
        for rule in COURSE_RULES:
            rule(self.course, diag)
        for entry in entries:
            entry.across = []
        self.course_problems = list(self._config_problems)
        for problem in diag.sorted():
            owner = next((e for e in entries if _below(problem.file, e.folder)), None)
            if owner is not None:
                owner.across.append(problem)
            elif problem not in self.course_problems:
                self.course_problems.append(problem)

    def entry(self, slug: str) -> ModuleEntry:
        """The module `slug`, loaded and checked in full if it was not yet."""
        with self._lock:
            entry = self.entries[slug]
            if not entry.opened:
                self._load(entry, keep=True)
                self._course_rules()
            return entry

    def check_all(self, stop: threading.Event, done: Callable[[float], None] | None = None
                  ) -> None:
        """Load and check, one at a time, the modules nobody opened yet, so every problem of
        the course shows (run in a thread after start-up); announce once if any was found."""
        started = time.perf_counter()
        found = False
        for slug in list(self.entries):
            if stop.is_set():
                return
            with self._lock:
                entry = self.entries.get(slug)
                if entry is None or entry.checked:
                    continue
                self._load(entry, keep=False)
                self._course_rules()
                found = found or bool(entry.own)
            time.sleep(0)  # let a request that waits for the lock in
        if found:
            self._announce()
        if done is not None:
            done(time.perf_counter() - started)

    # ------------------------------------------------------------ following changes

    def apply(self, paths: Iterable[Path]) -> bool:
        """Bring the workspace up to date with changes to `paths`; True when any mattered."""
        changed = {Path(p) for p in paths if is_source(Path(p), self.root)}
        if not changed:
            return False
        started = time.perf_counter()
        with self._lock:
            try:
                self._apply(changed)
            except Exception as exc:  # a bug in lcmodules: show it in the page, keep watching
                self._report_bug(exc)
            self.last_load_seconds = time.perf_counter() - started
        self._announce()
        return True

    def _apply(self, changed: set[Path]) -> None:
        slugs: set[str] = set()
        for path in changed:
            slug = self._slug_of(path)
            if slug is None:  # the course's own files (configuration, templates): read all
                self._read_course()
                return
            slugs.add(slug)
        if not self.is_module and [f.name for f in self.module_folders()] != list(self.entries):
            self._read_course()  # a module was added or removed
            return
        for slug in sorted(slugs):
            entry = self.entries.get(slug)
            if entry is None:
                continue
            shown, checked = entry.opened, entry.checked
            entry.changed()
            entry.stub = _read_stub(entry.folder, self.course)
            if shown or checked:  # the page of the edited module before it is asked for
                self._load(entry, keep=shown)
        self._course_rules()  # the course now holds the edited modules' metadata
        if self._recheck_links_into(slugs):
            self._course_rules()

    def _recheck_links_into(self, slugs: set[str]) -> bool:
        """Check again every other checked module whose links into another module no longer
        find what they found (a page of an edited module removed, renamed or added); True
        when any was."""
        from lcmodules.load.links import links_still_resolve

        stale = [e for e in self.entries.values() if e.slug not in slugs and e.checked
                 and e.stub is not None and not links_still_resolve(e.stub, self.course)]
        for entry in stale:
            shown = entry.opened
            entry.changed()
            self._load(entry, keep=shown)
        return bool(stale)

    def _slug_of(self, path: Path) -> str | None:
        """The module a changed path belongs to; None for the course's own files."""
        if self.is_module:
            return self.root.name
        parts = path.relative_to(self.root).parts
        return parts[1] if len(parts) > 2 and parts[0] == "modules" else None

    def watch(self, stop: threading.Event) -> None:
        """Follow the operating system's file events until `stop` is set (run in a thread);
        `watching` is set once changes are being seen. Where the system refuses more watches
        (its limit reached), the folder is polled instead."""
        try:
            self._follow(stop, polling=False)
        except OSError:
            self._follow(stop, polling=True)

    def _follow(self, stop: threading.Event, polling: bool) -> None:
        from watchfiles import watch

        for changes in watch(self.root, watch_filter=lambda _, p: is_source(Path(p), self.root),
                             stop_event=stop, step=STEP_MS, rust_timeout=WAKE_MS,
                             yield_on_timeout=True, raise_interrupt=False,
                             force_polling=polling or None):
            self.watching.set()
            if changes:
                self.apply(Path(p) for _, p in changes)

    # ------------------------------------------------------------ rendering

    def site(self, slug: str, edition: Edition) -> tuple[ModuleEntry, Site | None, Reason]:
        """The module's site in that edition (rendered on first use, then kept until a source
        of it changes), or None and why when it cannot be shown (a msgid and its fields)."""
        with self._lock:
            entry = self.entry(slug)
            if entry.module is None:
                return entry, None, (N_("the module could not be loaded"), {})
            kept = entry.sites.get(edition)
            if kept is not None and kept[0] == entry.version:
                return entry, kept[1], ("", {})
            try:
                site = render_site(entry.module, SiteOptions(edition=edition, layout="per-unit"))
            except Exception as exc:  # a module with errors may not render; say so in the page
                return entry, None, (N_("the module could not be rendered ({error})"),
                                     {"error": f"{type(exc).__name__}: {exc}"})
            entry.sites[edition] = (entry.version, site)
            return entry, site, ("", {})

    def wait_for_change(self, generation: int, timeout: float) -> int:
        """Block until the generation differs from `generation` (or the timeout passes)."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout=timeout)
            return self.generation

    def all_problems(self) -> Iterator[Problem]:
        yield from self.course_problems
        for entry in self.entries.values():
            yield from entry.problems

    @property
    def unchecked(self) -> int:
        """How many modules were not loaded and checked in full yet."""
        return sum(not e.checked for e in self.entries.values())


def broken_title(unit: Unit) -> str | None:
    """For a unit whose source did not load (a quiz with a YAML or schema error, an unreadable
    notebook or page): the title to show — the file's own `title:` if it could be read, else
    its file name made readable (`02-knowledge-check.quiz.yml` → "Knowledge check"). None for
    a unit that loaded."""
    if {"page": unit.page, "notebook": unit.notebook, "quiz": unit.quiz}.get(unit.kind) is not None:
        return None
    title = unit.doc.get("title") if isinstance(unit.doc, dict) else None
    if isinstance(title, str) and title.strip():
        return title.strip()
    words = Path(unit.rel).name.split(".")[0].replace("_", " ").replace("-", " ").split()
    while len(words) > 1 and words[0].isdigit():
        words.pop(0)
    text = " ".join(words) or unit.rel
    return text[:1].upper() + text[1:]


def _module_folders(course_root: Path) -> list[Path]:
    modules = course_root / "modules"
    if not modules.is_dir():
        return []
    return sorted(p for p in modules.iterdir()
                  if (p / "module.yml").is_file() and not p.name.startswith((".", "_")))


def _read_stub(folder: Path, course: Course) -> Module | None:
    """The module's `module.yml` alone (no units), for its title and the rules across modules;
    its problems are reported when the module is loaded in full."""
    from lcmodules.load.yamlsrc import check_model, parse_yaml, read_text

    diag = Diagnostics()
    path = folder / "module.yml"
    text = read_text(path, diag) if path.is_file() else None
    doc = parse_yaml(text, path, diag) if text and text.strip() else None
    meta = check_model(ModuleMeta, doc, path, diag, what="module file") if doc is not None else None
    if meta is None:
        return None
    return Module(root=folder.resolve(), slug=folder.name, meta=meta, units=[], course=course,
                  doc=doc)


def _below(file: Path, folder: Path) -> bool:
    try:
        return Path(file).resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
