"""Rules across the modules of a course: unique ids, prerequisites that exist and fit."""

from __future__ import annotations

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from lcmodules.diagnostics import Diagnostics
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Course


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


def check_prerequisites(course: Course, diag: Diagnostics) -> None:
    """Prerequisites name modules of the course, with a valid version range that they meet."""
    ids = {m.meta.id: m for m in course.all_modules}
    for module in course.modules:
        for index, (ident, rng) in enumerate(module.meta.prerequisite_specs()):
            line, col = node_line(module.doc, ("prerequisites", index))
            spec = None
            if rng:
                try:
                    spec = SpecifierSet(rng.replace(" ", ""))
                except InvalidSpecifier:
                    diag.error(module.module_file, line,
                               f"prerequisite '{ident}': '{rng}' is not a version range",
                               "write e.g. '>=1.0' or '>=1.2,<2'", col)
                    continue
            target = ids.get(ident)
            if target is None:
                if course.has_config_file or len(course.all_modules) > 1:
                    import difflib

                    close = difflib.get_close_matches(ident, list(ids), n=1)
                    diag.error(module.module_file, line,
                               f"prerequisite '{ident}' is not a module of this course",
                               f"did you mean '{close[0]}'?" if close
                               else "use the `id` of another module in modules/", col)
                continue
            if target is module:
                diag.error(module.module_file, line, "a module cannot be its own prerequisite",
                           "remove this entry", col)
            elif spec is not None:
                try:
                    ok = Version(target.meta.version) in spec
                except InvalidVersion:
                    continue
                if not ok:
                    diag.error(module.module_file, line,
                               f"prerequisite '{ident}' is at version {target.meta.version}, "
                               f"outside '{rng}'",
                               "widen the range or update the other module", col)
