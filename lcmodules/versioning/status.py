"""Release status of modules: changed since the last release, version order, prerequisites met."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from lcmodules.core.diagnostics import InputError, Problem
from lcmodules.core.versions import compare
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Course, Module
from lcmodules.validate.course_rules import (
    PrerequisiteStatus,
    course_modules,
    prerequisite_statuses,
)
from lcmodules.versioning.fingerprint import ALGORITHM, FileChanges, Fingerprint, fingerprint_module
from lcmodules.versioning.identities import dropped_items
from lcmodules.versioning.lock import Lock, lock_path, read_lock

State = Literal[
    "never-released",  # no module.lock
    "unchanged",  # same version and fingerprint as the lock
    "changed",  # content changed, version still the released one (a --check failure)
    "version-raised",  # module.yml has a higher version than the lock, not yet released
    "version-lower",  # module.yml has a lower version than the lock (a --check failure)
    "lock-invalid",  # module.lock could not be read (a --check failure)
]

STATE_TEXT = {
    "never-released": "never released",
    "unchanged": "released, unchanged",
    "changed": "changed since release",
    "version-raised": "new version, not released",
    "version-lower": "version lower than released",
    "lock-invalid": "module.lock unreadable",
}


@dataclass
class ModuleStatus:
    """What `lcmodules status` says about one module."""

    module: Module
    fingerprint: Fingerprint
    lock: Lock | None
    state: State
    changes: FileChanges = field(default_factory=FileChanges)
    prerequisites: list[PrerequisiteStatus] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # shown, never failing --check

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        m = self.module
        return {
            "slug": m.slug,
            "id": m.meta.id,
            "path": str(m.root),
            "version": m.meta.version,
            "state": self.state,
            "released": None if self.lock is None else {
                "version": self.lock.version, "date": self.lock.released,
                "fingerprint": self.lock.fingerprint,
            },
            "fingerprint": self.fingerprint.digest,
            "changes": {"added": self.changes.added, "removed": self.changes.removed,
                        "changed": self.changes.changed},
            "prerequisites": [p.to_json() for p in self.prerequisites],
            "problems": [p.to_json() for p in self.problems],
            "warnings": [p.to_json() for p in self.warnings],
        }


def release_hint(module: Module) -> str:
    return (f"release it: `lcmodules release {module.slug} --bump patch|minor|major "
            f"--note \"…\"`, or undo the change")


def _version_problems(module: Module, lock: Lock, fp: Fingerprint,
                      changes: FileChanges) -> tuple[State, list[Problem]]:
    line, col = node_line(module.doc, ("version",))
    file = module.module_file
    current = module.meta.version
    problems: list[Problem] = []
    if lock.id != module.meta.id:
        problems.append(Problem(
            file, node_line(module.doc, ("id",))[0],
            f"module id '{module.meta.id}' differs from '{lock.id}' in module.lock",
            "a module's id never changes between versions: restore it (a new module needs "
            "a new folder without module.lock)"))
    order = compare(current, lock.version)
    if order < 0:
        problems.append(Problem(
            file, line, f"version {current} is lower than the released version {lock.version} "
            "in module.lock", f"versions only go up: set version to {lock.version} or higher", col))
        return "version-lower", problems
    if order > 0:
        return "version-raised", problems
    if lock.algorithm != ALGORITHM:
        problems.append(Problem(
            lock_path(module.root), 1,
            f"module.lock was written with fingerprint rules '{lock.algorithm}', "
            f"this lcmodules uses '{ALGORITHM}'",
            f"record the fingerprint again: `lcmodules release {module.slug} --bump patch "
            "--note \"…\" --force`"))
        return "changed", problems
    if fp.digest == lock.fingerprint:
        return "unchanged", problems
    what = changes.describe() or "file contents"
    problems.append(Problem(
        file, line, f"content changed since release {lock.version} ({what}), "
        f"but the version is still {current}", release_hint(module), col))
    return "changed", problems


def module_status(module: Module, others: dict[str, Module] | None) -> ModuleStatus:
    """The status of one loaded module; `others` from `course_modules`."""
    fp = fingerprint_module(module)
    prereqs = prerequisite_statuses(module, others)
    problems = [p.problem for p in prereqs if p.problem is not None]
    try:
        lock = read_lock(module.root)
    except InputError as exc:
        return ModuleStatus(module, fp, None, "lock-invalid", FileChanges(), prereqs,
                            list(exc.problems) + problems)
    if lock is None:
        return ModuleStatus(module, fp, None, "never-released", FileChanges(), prereqs, problems)
    changes = fp.diff(lock.files)
    state, version_problems = _version_problems(module, lock, fp, changes)
    return ModuleStatus(module, fp, lock, state, changes, prereqs, version_problems + problems,
                        dropped_items(module, lock))


def course_status(courses: list[Course]) -> list[ModuleStatus]:
    """The status of every loaded module, in course order."""
    result: list[ModuleStatus] = []
    for course in courses:
        others = course_modules(course)
        for module in course.modules:
            result.append(module_status(module, others))
    return result
