"""Rules across the modules of a course: unique ids, prerequisites that exist, fit and
form no cycle."""

from __future__ import annotations

import difflib
from collections import deque
from dataclasses import dataclass
from typing import Any, NamedTuple

from lcmodules.core.diagnostics import Diagnostics, Problem
from lcmodules.core.versions import RANGE_HINT, VersionError, parse_range
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Course, Module


def check_unique_ids(course: Course, diag: Diagnostics) -> None:
    """No two modules of a course share an `id`."""
    first: dict[str, str] = {}
    for module in course.context:
        first.setdefault(module.meta.id, module.slug)
    for module in course.modules:
        if not module.meta.id:
            continue
        other = first.setdefault(module.meta.id, module.slug)
        if other != module.slug:
            line, col = node_line(module.doc, ("id",))
            diag.error(module.module_file, line,
                       f"module id '{module.meta.id}' is also used by modules/{other}",
                       "every module needs its own id; it never changes between versions", col)


@dataclass
class PrerequisiteStatus:
    """One prerequisite and whether the course meets it (`met` None: not checked)."""

    id: str
    range: str | None
    found: str | None  # the version of that module in the course
    met: bool | None
    reason: str = ""
    problem: Problem | None = None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "range": self.range, "found": self.found, "met": self.met,
                "reason": self.reason or None}


def course_modules(course: Course | None) -> dict[str, Module] | None:
    """Module id -> module of the whole course (also `context`), None for a lone module."""
    if course is None or (not course.has_config_file and len(course.all_modules) <= 1):
        return None
    return {m.meta.id: m for m in course.all_modules}


class _Outcome(NamedTuple):
    met: bool | None
    reason: str = ""
    found: str | None = None
    message: str = ""  # a problem when not empty
    hint: str = ""


def prerequisite_statuses(module: Module, others: dict[str, Module] | None
                          ) -> list[PrerequisiteStatus]:
    """Each prerequisite of `module` checked against the course (`course_modules`): the range
    is valid, the module exists and does not need `module` back, its version is in the range.
    The one check behind `validate` and `status --check`."""
    results: list[PrerequisiteStatus] = []
    for index, (ident, rng) in enumerate(module.meta.prerequisite_specs()):
        line, col = node_line(module.doc, ("prerequisites", index))
        out = _check_one(module, ident, rng, others)
        problem = Problem(module.module_file, line, out.message, out.hint, col) \
            if out.message else None
        results.append(PrerequisiteStatus(ident, rng, out.found, out.met, out.reason, problem))
    return results


def _check_one(module: Module, ident: str, rng: str | None,
               others: dict[str, Module] | None) -> _Outcome:
    try:
        spec = parse_range(rng) if rng else None
    except VersionError as exc:
        return _Outcome(False, "invalid range", None, f"prerequisite '{ident}': {exc}",
                        RANGE_HINT)
    if ident == module.meta.id:
        return _Outcome(False, "the module itself", None,
                        "a module cannot be its own prerequisite", "remove this entry")
    if others is None:
        return _Outcome(None, "no course to check against")
    target = others.get(ident)
    if target is None:
        close = difflib.get_close_matches(ident, list(others), n=1)
        return _Outcome(False, "not in the course", None,
                        f"prerequisite '{ident}' is not a module of this course",
                        f"did you mean '{close[0]}'?" if close
                        else "use the `id` of another module in modules/, or add that module")
    found = target.meta.version
    cycle = _path_back(target, module.meta.id, others)
    if cycle is not None:
        return _Outcome(False, "circular", found,
                        f"circular prerequisites: {' → '.join([module.meta.id, *cycle])}",
                        "a module cannot need itself, also not through others: remove one of "
                        "these prerequisites")
    try:
        met = spec is None or spec.contains(found)
    except VersionError as exc:
        return _Outcome(False, "invalid version", found, f"prerequisite '{ident}': {exc}",
                        f"give modules/{target.slug}/module.yml a version such as 1.0.0")
    if not met:
        return _Outcome(False, "version outside range", found,
                        f"prerequisite '{ident} {rng}' is not met: the course has version {found}",
                        f"widen the range, or release a version of '{ident}' that fits")
    return _Outcome(True, found=found)


def _path_back(start: Module, goal: str, others: dict[str, Module]) -> list[str] | None:
    """The shortest chain of prerequisites from `start` to the module `goal`, both included."""
    paths: dict[str, list[str]] = {start.meta.id: [start.meta.id]}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for ident, _ in current.meta.prerequisite_specs():
            if ident == goal:
                return [*paths[current.meta.id], goal]
            nxt = others.get(ident)
            if nxt is not None and ident not in paths:
                paths[ident] = [*paths[current.meta.id], ident]
                queue.append(nxt)
    return None


def check_prerequisites(course: Course, diag: Diagnostics) -> None:
    """Prerequisites name other modules of the course, with a valid range that they meet,
    and never lead back to the module (see `prerequisite_statuses`)."""
    others = course_modules(course)
    for module in course.modules:
        for status in prerequisite_statuses(module, others):
            if status.problem is not None:
                diag.problems.append(status.problem)
