"""Where a path is resolved: the course and module folders a path means (stdlib only)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COURSE_FILE = "_config.yml"
MODULE_FILE = "module.yml"
MODULES_DIR = "modules"
# The hint for a path that is neither a course nor a module.
WHAT_IS_A_COURSE = ("a course is a folder with _config.yml or modules/ (start one with "
                    "`lcmodules init`); a module folder has module.yml")


def is_module(folder: Path) -> bool:
    """A module folder holds a `module.yml`."""
    return (folder / MODULE_FILE).is_file()


def is_course(folder: Path) -> bool:
    """A course folder holds a `_config.yml` or a `modules/` folder."""
    return (folder / COURSE_FILE).is_file() or (folder / MODULES_DIR).is_dir()


def course_of(module_dir: Path) -> Path | None:
    """The course a module folder belongs to (`<course>/modules/<slug>`), else None."""
    parent = module_dir.resolve().parent
    if parent.name == MODULES_DIR and is_course(parent.parent):
        return parent.parent
    return None


def module_of(path: Path) -> Path | None:
    """The module folder `path` is (a folder or its module.yml) or lies in, else None."""
    path = path.resolve()
    start = path if path.is_dir() else path.parent
    return next((p for p in (start, *start.parents) if is_module(p)), None)


def courses_above(path: Path) -> Iterator[Path]:
    """Every course folder that is `path` or lies above it, nearest first."""
    path = path.resolve()
    start = path if path.is_dir() else path.parent
    return (p for p in (start, *start.parents) if is_course(p))


def course_around(path: Path) -> Path | None:
    """The root a path works in: the course of its module, a module alone, else the nearest
    course above it; None outside every course and module."""
    module = module_of(path)
    if module is not None:
        return course_of(module) or module
    return next(courses_above(path), None)


@dataclass(frozen=True)
class Target:
    """What a path given on the command line means."""

    root: Path  # the course root; a module alone is its own root
    modules: tuple[Path, ...] | None  # the module folders meant; None: every module of the course


def locate(path: Path) -> Target | None:
    """The module (a module folder, its module.yml or anything inside it) or the whole course
    (its root or its modules/ folder) that `path` means; None when it means neither."""
    path = path.resolve()
    module = module_of(path)
    if module is not None:
        return Target(course_of(module) or module, (module,))
    if path.is_dir() and is_course(path):
        return Target(path, None)
    if path.name == MODULES_DIR and path.is_dir() and is_course(path.parent):
        return Target(path.parent, None)
    return None


def find_module(name: str, cwd: Path) -> Path | None:
    """The module folder `name` means from `cwd`: a path, else the slug of a module of a
    course in or above `cwd`."""
    path = Path(name) if Path(name).is_absolute() else cwd / name
    target = locate(path) if path.exists() else None
    if target is not None and target.modules:
        return target.modules[0]
    for course in courses_above(cwd):
        candidate = course / MODULES_DIR / name
        if is_module(candidate):
            return candidate.resolve()
    return None


def module_slugs(cwd: Path) -> list[str]:
    """The slugs of the modules of every course in or above `cwd`, sorted."""
    return sorted({p.parent.name for course in courses_above(cwd)
                   for p in (course / MODULES_DIR).glob(f"*/{MODULE_FILE}")})


def closest_slug(name: str, cwd: Path) -> str | None:
    """The slug of a module near `cwd` that `name` is probably a typo of."""
    close = difflib.get_close_matches(name, module_slugs(cwd), n=1)
    return close[0] if close else None
