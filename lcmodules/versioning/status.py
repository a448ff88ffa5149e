"""Release status of modules: changed since the last release, version order, prerequisites met."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from lcmodules.diagnostics import InputError, Problem
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Course, Module
from lcmodules.versioning.fingerprint import ALGORITHM, FileChanges, Fingerprint, fingerprint_module
from lcmodules.versioning.identities import dropped_items
from lcmodules.versioning.lock import Lock, lock_path, read_lock
from lcmodules.versioning.semver import compare

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
class PrerequisiteStatus:
    """One prerequisite and whether the course meets it (`met` None: not checked)."""

    id: str
    range: str | None
    found: str | None
    met: bool | None
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "range": self.range, "found": self.found, "met": self.met,
                "reason": self.reason or None}


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


def course_versions(course: Course | None) -> dict[str, str] | None:
    """Module id -> version of every module of the course (None for a lone module).

    When only some modules of a course were asked for, loading kept the others as
    `course.context`, so prerequisites are checked against the whole course.
    """
    if course is None or (not course.has_config_file and len(course.all_modules) <= 1):
        return None
    return {m.meta.id: m.meta.version for m in course.all_modules}


def prerequisite_status(module: Module, versions: dict[str, str] | None
                        ) -> tuple[list[PrerequisiteStatus], list[Problem]]:
    """Each prerequisite's range checked against the course's module versions."""
    results: list[PrerequisiteStatus] = []
    problems: list[Problem] = []
    for index, (ident, rng) in enumerate(module.meta.prerequisite_specs()):
        line, col = node_line(module.doc, ("prerequisites", index))
        spec: SpecifierSet | None = None
        if rng:
            try:
                spec = SpecifierSet(rng.replace(" ", ""))
            except InvalidSpecifier:
                results.append(PrerequisiteStatus(ident, rng, None, False, "invalid range"))
                problems.append(Problem(module.module_file, line,
                                        f"prerequisite '{ident}': '{rng}' is not a version range",
                                        "write e.g. '>=1.0' or '>=1.2,<2'", col))
                continue
        if versions is None:
            results.append(PrerequisiteStatus(ident, rng, None, None, "no course to check against"))
            continue
        found = versions.get(ident)
        if found is None:
            results.append(PrerequisiteStatus(ident, rng, None, False, "not in the course"))
            problems.append(Problem(module.module_file, line,
                                    f"prerequisite '{ident}' is not a module of this course",
                                    "add that module to the course, or correct the id", col))
            continue
        met = True
        if spec is not None:
            try:
                met = spec.contains(Version(found), prereleases=True)
            except InvalidVersion:
                met = False
        if met:
            results.append(PrerequisiteStatus(ident, rng, found, True))
        else:
            results.append(PrerequisiteStatus(ident, rng, found, False, "version outside range"))
            problems.append(Problem(
                module.module_file, line,
                f"prerequisite '{ident} {rng}' is not met: the course has version {found}",
                f"widen the range, or release a version of '{ident}' that fits", col))
    return results, problems


def module_status(module: Module, versions: dict[str, str] | None) -> ModuleStatus:
    """The status of one loaded module; `versions` from `course_versions`."""
    fp = fingerprint_module(module)
    prereqs, problems = prerequisite_status(module, versions)
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
        versions = course_versions(course)
        for module in course.modules:
            result.append(module_status(module, versions))
    return result
