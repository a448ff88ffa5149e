"""Where things are written: the one place that turns a source path into an output name."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath


class UnsafePathError(ValueError):
    """An output name or a source file that would take a write or a copy outside its artifact."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


def member_problem(name: str) -> str | None:
    """Why `name` cannot be a file name inside an artifact (folder or zip), or None."""
    if not name or "\x00" in name:
        return "the name is empty or holds a NUL character"
    if "\\" in name:
        return "the name holds a backslash"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "the name is absolute"
    parts = PurePosixPath(name).parts
    if ".." in parts or "." in name.split("/"):
        return "the name climbs with '..' or holds '.' parts"
    return None


def check_member(name: str) -> str:
    """`name` itself when it is a safe artifact member name; UnsafePathError otherwise."""
    problem = member_problem(name)
    if problem:
        raise UnsafePathError(f"refusing to write {name!r}: {problem}")
    return name


def check_dest(target: Path, name: str) -> Path:
    """The file `name` inside folder `target`, refusing anything that would land outside it
    (also through a symbolic link already in the folder)."""
    check_member(name)
    root = Path(target).resolve()
    dest = (root / name)
    if not dest.resolve().is_relative_to(root):
        raise UnsafePathError(f"refusing to write {name!r}: it would land outside {target}")
    return dest


def inside(root: Path, path: Path) -> Path:
    """The resolved `path`, when it (after following every link) lies inside `root`;
    UnsafePathError otherwise."""
    real = Path(path).resolve()
    if not real.is_relative_to(Path(root).resolve()):
        raise UnsafePathError(f"links to a file outside {Path(root).name}/", Path(path))
    return real


def relative_name(root: Path, path: Path) -> str:
    """The output name of source `path` of a module (or course) folder `root`: its resolved
    location relative to the resolved folder, as POSIX text — never the path as written."""
    real = inside(root, path)
    return check_member(real.relative_to(Path(root).resolve()).as_posix())


def outside_links(root: Path) -> list[tuple[Path, str]]:
    """Every symbolic link under `root` (hidden folders included, links not followed) whose
    target lies outside `root`, with what it points at."""
    base = Path(root).resolve()
    found: list[tuple[Path, str]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(folder) / name
            if path.is_symlink() and not path.resolve().is_relative_to(base):
                found.append((path, os.readlink(path)))
    return sorted(found)


def out_clash(out: Path, within: dict[Path, str], exact: dict[Path, str]) -> str | None:
    """Why `out` cannot be a build's output folder, or None: the one rule that keeps outputs
    outside sources. `within`: folders nothing may be written into (a module, `modules/`,
    `templates/`) → what they are; `exact`: paths the output folder may not be (the course
    root, `_config.yml`, the logo). Every path is compared resolved."""
    real = Path(out).resolve()
    for path, what in exact.items():
        if real == Path(path).resolve():
            return f"the output folder is {what}"
    for path, what in within.items():
        if real.is_relative_to(Path(path).resolve()):
            return f"the output folder lies inside {what}"
    return None
