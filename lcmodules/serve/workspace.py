"""Serve: a module or course re-loaded, re-validated and re-rendered in memory as its sources change."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from lcmodules.core.diagnostics import Diagnostics, Problem
from lcmodules.model import Module
from lcmodules.render.site import Site, SiteOptions, render_site

Edition = Literal["learner", "teacher"]
EDITIONS: tuple[Edition, ...] = ("learner", "teacher")
# folders that are never sources: outputs, caches, tools' own state
SKIP_DIRS = {"node_modules", "__pycache__", "dist", "build", "_build", ".ipynb_checkpoints"}

__all__ = ["Edition", "EDITIONS", "Workspace", "Snapshot", "ModuleEntry", "snapshot"]

Snapshot = dict[str, tuple[int, int]]  # path relative to the root → (mtime_ns, size)


def snapshot(root: Path) -> Snapshot:
    """Every source file under `root` with its modification time and size."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in files:
            if name.startswith(".") or name.endswith("~"):
                continue
            path = os.path.join(folder, name)
            try:
                stat = os.stat(path)
            except OSError:  # removed while we looked
                continue
            found[os.path.relpath(path, root).replace(os.sep, "/")] = (stat.st_mtime_ns, stat.st_size)
    return found


@dataclass
class ModuleEntry:
    """One module folder being served: what loaded, its problems, its rendered editions."""

    slug: str
    folder: Path
    module: Module | None = None
    problems: list[Problem] = field(default_factory=list)
    signature: str = ""
    sites: dict[Edition, tuple[str, Site]] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.module.meta.title if self.module else self.slug

    @property
    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    @property
    def warnings(self) -> int:
        return sum(p.severity == "warning" for p in self.problems)


class Workspace:
    """The served folder (a course or one module); `refresh()` picks up saved sources."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.is_module = (self.root / "module.yml").is_file()
        self.generation = 0
        self.last_load_seconds = 0.0
        self.entries: dict[str, ModuleEntry] = {}
        self.course_problems: list[Problem] = []
        self._snapshot: Snapshot | None = None
        self._lock = threading.RLock()
        self.changed = threading.Condition()

    # ------------------------------------------------------------ loading

    def module_folders(self) -> list[Path]:
        if self.is_module:
            return [self.root]
        modules = self.root / "modules"
        if not modules.is_dir():
            return []
        return sorted(p for p in modules.iterdir()
                      if (p / "module.yml").is_file() and not p.name.startswith((".", "_")))

    def refresh(self) -> bool:
        """Reload if any source changed since the last look; True when it did."""
        current = snapshot(self.root)
        if current == self._snapshot:
            return False
        with self._lock:
            try:
                self._reload(current)
            except Exception as exc:  # a bug in lcmodules: show it in the page, keep watching
                self._snapshot = current
                self.course_problems = [Problem(self.root, None, "lcmodules could not load "
                                                f"this folder ({type(exc).__name__}: {exc})",
                                                "please report it")]
        with self.changed:
            self.generation += 1
            self.changed.notify_all()
        return True

    def _reload(self, current: Snapshot) -> None:
        from lcmodules.load.loader import load_paths
        from lcmodules.validate.rules import validate_courses

        started = time.perf_counter()
        diag = Diagnostics()
        courses = load_paths([self.root], diag)
        validate_courses(courses, diag)
        loaded = {m.root.resolve(): m for c in courses for m in c.modules}
        folders = self.module_folders()
        owned = {f: self._signature(current, f) for f in folders}
        entries: dict[str, ModuleEntry] = {}
        for folder in folders:
            old = self.entries.get(folder.name)
            entry = ModuleEntry(folder.name, folder, loaded.get(folder), signature=owned[folder])
            if old is not None and old.signature == entry.signature:
                entry.sites = old.sites  # unchanged sources: keep the rendered editions
            entries[folder.name] = entry
        self.course_problems = []
        for problem in diag.sorted():
            owner = next((e for e in entries.values() if _below(problem.file, e.folder)), None)
            (owner.problems if owner else self.course_problems).append(problem)
        self.entries = entries
        self._snapshot = current
        self.last_load_seconds = time.perf_counter() - started

    def _signature(self, current: Snapshot, folder: Path) -> str:
        """A hash of the module folder's files and of the course files outside every module."""
        rel = "" if folder == self.root else folder.relative_to(self.root).as_posix() + "/"
        others = [f.relative_to(self.root).as_posix() + "/" for f in self.module_folders()
                  if f != folder and f != self.root]
        digest = hashlib.sha256()
        for name, stamp in sorted(current.items()):
            if name.startswith(rel) and not any(name.startswith(o) for o in others):
                digest.update(f"{name}\0{stamp}\n".encode())
        return digest.hexdigest()

    # ------------------------------------------------------------ rendering

    def site(self, slug: str, edition: Edition) -> tuple[ModuleEntry, Site | None, str]:
        """The module's site in that edition (rendered on first use, then kept until a source
        of it changes), or None and why when it cannot be shown."""
        with self._lock:
            entry = self.entries[slug]
            if entry.module is None:
                return entry, None, "the module could not be loaded"
            kept = entry.sites.get(edition)
            if kept is not None and kept[0] == entry.signature:
                return entry, kept[1], ""
            try:
                site = render_site(entry.module, SiteOptions(edition=edition, layout="per-unit"))
            except Exception as exc:  # a module with errors may not render; say so in the page
                return entry, None, f"the module could not be rendered ({type(exc).__name__}: {exc})"
            entry.sites[edition] = (entry.signature, site)
            return entry, site, ""

    def wait_for_change(self, generation: int, timeout: float) -> int:
        """Block until the generation differs from `generation` (or the timeout passes)."""
        with self.changed:
            self.changed.wait_for(lambda: self.generation != generation, timeout=timeout)
            return self.generation

    def watch(self, stop: threading.Event, interval: float = 0.1) -> None:
        """Poll the sources until `stop` is set (run in a thread)."""
        while not stop.wait(interval):
            self.refresh()

    def all_problems(self) -> Iterator[Problem]:
        yield from self.course_problems
        for entry in self.entries.values():
            yield from entry.problems


def _below(file: Path, folder: Path) -> bool:
    try:
        return Path(file).resolve().is_relative_to(folder)
    except OSError:
        return False
