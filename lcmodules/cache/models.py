"""Loaded and checked modules kept between builds, reused while none of their files changed."""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path

from lcmodules.cache.store import FileHasher, cache_key, ensure_cache_dir
from lcmodules.core.diagnostics import Diagnostics, Problem
from lcmodules.core.fsutil import write_bytes_atomic
from lcmodules.model import Course, Module

# The cache of the running build; unset, loading and validation do everything themselves.
ACTIVE: contextvars.ContextVar[ModelCache | None] = contextvars.ContextVar("lcmodules_models",
                                                                           default=None)


@dataclasses.dataclass
class Entry:
    """One module as loading and the module rules left it: the model and its problems."""

    module: Module  # without its course
    loaded: list[Problem]
    checked: list[Problem]


class ModelCache:
    """`<cache>/models/`: each module's loaded model and the problems loading and the module
    rules found, keyed by the module folder's place and the sha256 of every file in it, the
    course's `_config.yml` and lcmodules itself (the model holds absolute paths). A module whose key is stored is neither read nor
    checked again; the rules across modules (ids, prerequisites) always run."""

    def __init__(self, folder: Path, hasher: FileHasher,
                 check: Callable[[Module, Diagnostics], None] | None = None,
                 holds: Callable[[Module, Course | None], bool] | None = None) -> None:
        """With `check` (the module rules), each module is checked as soon as it is loaded,
        kept, and its sources released (`loaded`): memory holds one module's sources at a
        time, and the build re-acquires them (`sources`). `holds` tells whether what a
        stored module's checks found outside its folder (links into other modules) still
        holds; when not, it is loaded and checked again."""
        self.folder = folder
        self.hasher = hasher
        self.check = check
        self.holds = holds
        self.reused: dict[int, Entry] = {}  # id(module) -> what it was reused from
        self.done: set[int] = set()  # id(module): checked and kept by `loaded`
        self.keys: dict[Path, str] = {}

    def key(self, module_dir: Path, course: Course | None) -> str:
        if module_dir not in self.keys:
            config = course.root / "_config.yml" if course is not None else None
            self.keys[module_dir] = cache_key("model", {
                "folder": str(module_dir),
                "files": self.hasher.tree(module_dir, [self.folder.parent]),
                "config": self.hasher.file(config) if config and config.is_file() else None,
            }, ("lcmodules", "code", "python"), self.hasher)
        return self.keys[module_dir]

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pickle"

    def reuse(self, module_dir: Path, diag: Diagnostics, course: Course | None) -> Module | None:
        """The stored module (attached to `course`), its loading problems added to `diag`."""
        try:
            entry = pickle.loads(self._path(self.key(module_dir, course)).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(entry, Entry) or entry.module.root != module_dir \
                or (self.holds is not None and not self.holds(entry.module, course)):
            return None
        module = dataclasses.replace(entry.module, course=course)
        self.reused[id(module)] = entry
        diag.problems.extend(entry.loaded)
        return module

    def sources(self, module: Module) -> Module | None:
        """The stored module with its sources, attached to `module`'s course (not kept here)."""
        try:
            entry = pickle.loads(self._path(self.key(module.root, module.course)).read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            return None
        if not isinstance(entry, Entry) or entry.module.root != module.root:
            return None
        return dataclasses.replace(entry.module, course=module.course)

    def loaded(self, module: Module, diag: Diagnostics, selected: bool) -> None:
        """Right after loading: a selected module is checked (or its stored checks reused)
        and kept; then every module's sources are released."""
        if self.check is None:
            return
        if selected and not self.checked(module, diag):
            before = len(diag.problems)
            self.check(module, diag)
            root = module.root.resolve()
            own = [p for p in diag.problems[:before] if Path(p.file).resolve().is_relative_to(root)]
            self._keep(module, own, diag.problems[before:])
        if selected:
            self.done.add(id(module))
        self.reused.pop(id(module), None)
        release(module)

    def checked(self, module: Module, diag: Diagnostics) -> bool:
        """Whether the module rules already ran on this module (their problems added)."""
        if id(module) in self.done:
            return True
        entry = self.reused.get(id(module))
        if entry is None:
            return False
        diag.problems.extend(entry.checked)
        return True

    def store(self, courses: list[Course], loaded: list[Problem], checked: list[Problem]) -> None:
        """Keep every freshly loaded module without errors, with its own problems."""
        for course in courses:
            for module in course.modules:  # not the context: the module rules did not run
                if id(module) in self.reused or id(module) in self.done:
                    continue
                self._keep(module, loaded, checked)

    def _keep(self, module: Module, loaded: list[Problem], checked: list[Problem]) -> None:
        """Store `module` with those of the problems that are its own, unless one is an error."""
        root = module.root.resolve()
        own = [[p for p in found if Path(p.file).resolve().is_relative_to(root)]
               for found in (loaded, checked)]
        if module.released or any(p.severity == "error" for found in own for p in found):
            return
        entry = Entry(dataclasses.replace(module, course=None), *own)
        with contextlib.suppress(OSError, pickle.PicklingError, TypeError):
            data = pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
            ensure_cache_dir(self.folder.parent)
            write_bytes_atomic(self._path(self.key(module.root, module.course)), data)


def release(module: Module) -> None:
    """Drop the units' sources (pages, notebooks, quizzes, bytes), keeping what the course
    rules and the build plan read (metadata, unit names and kinds)."""
    module.units = [dataclasses.replace(u, page=None, notebook=None, quiz=None, raw=b"",
                                        doc=None, documents={}) for u in module.units]
    module.pulled = {}
    module.released = True


@contextlib.contextmanager
def active(cache: ModelCache) -> Iterator[ModelCache]:
    """Make `cache` the one loading and validation consult, for the `with` block."""
    token = ACTIVE.set(cache)
    try:
        yield cache
    finally:
        ACTIVE.reset(token)


def loaded_module(module: Module, diag: Diagnostics, selected: bool) -> None:
    """For load: hand a just-loaded module to the active cache (see `ModelCache.loaded`)."""
    cache = ACTIVE.get()
    if cache is not None:
        cache.loaded(module, diag, selected)


def reuse_module(module_dir: Path, diag: Diagnostics, course: Course | None) -> Module | None:
    """For load: the module as stored, if a build's cache is active and holds it."""
    cache = ACTIVE.get()
    return cache.reuse(module_dir, diag, course) if cache is not None else None


def reused_checks(module: Module, diag: Diagnostics) -> bool:
    """For validate: True (and the stored problems added) when the module rules need not run."""
    cache = ACTIVE.get()
    return cache is not None and cache.checked(module, diag)
