"""Importing into an earlier import: what the lecturer changed since, and the three-way update."""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

HEADING = "## Files written (sha256)"
ENTRY = re.compile(r"^- `([0-9a-f]{64})` `(.+)`$")
SHOWN = 20  # changed files listed before "and N more"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(folder: Path, report: str) -> dict[str, str]:
    """Every file below `folder` but the report, as course path → sha256."""
    return {p.relative_to(folder).as_posix(): sha256(p) for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() != report}


def hash_section(written: dict[str, str]) -> list[str]:
    """The report's record of what the import wrote (the base of the next `--update`)."""
    return [HEADING, "", *[f"- `{digest}` `{path}`" for path, digest in sorted(written.items())]]


def recorded(report: Path) -> dict[str, str] | None:
    """What the earlier import wrote, from its report; None when it recorded no hashes."""
    text = report.read_text(encoding="utf-8", errors="replace") if report.is_file() else ""
    if HEADING not in text:
        return None
    result = {}
    for line in text.split(HEADING, 1)[1].splitlines():
        match = ENTRY.match(line)
        if match:
            result[match.group(2)] = match.group(1)
    return result


def changed_since(base: dict[str, str], ours: dict[str, str]) -> list[str]:
    """Course files edited, added or deleted since the import that wrote `base`."""
    return sorted(p for p in base.keys() | ours.keys() if base.get(p) != ours.get(p))


def listing(paths: list[str]) -> str:
    shown = ", ".join(paths[:SHOWN])
    return shown + (f" and {len(paths) - SHOWN} more" if len(paths) > SHOWN else "")


def first_difference(ours: Path, theirs: Path) -> tuple[int, str]:
    """The first line (1-based) where two files differ, and the new import's text there."""
    a = ours.read_text(encoding="utf-8", errors="replace").splitlines()
    b = theirs.read_text(encoding="utf-8", errors="replace").splitlines()
    for n, (x, y) in enumerate(zip(a, b, strict=False), start=1):
        if x != y:
            return n, y
    n = min(len(a), len(b)) + 1
    return n, b[n - 1] if n <= len(b) else "(the book's version ends here)"


@dataclass
class Update:
    """What `--update` did, per course path."""

    taken: list[str] = field(default_factory=list)  # the book's change brought in
    kept: list[str] = field(default_factory=list)  # the lecturer's change kept
    conflicts: list[str] = field(default_factory=list)  # `path:line: …`, the lecturer's kept


def merge(base: dict[str, str], course: Path, new: Path, report: str) -> Update:
    """Fold the lecturer's changes to `course` into the fresh import in `new` (three-way per
    file: base = what the last import wrote, ours = the course now, theirs = the new import)."""
    ours, theirs, update = files(course, report), files(new, report), Update()
    for path in sorted(base.keys() | ours.keys() | theirs.keys()):
        b, o, t = base.get(path), ours.get(path), theirs.get(path)
        if o in (b, t):  # the lecturer left it alone, or made the book's change too
            if t != o:
                update.taken.append(path)
            continue
        if t != b:
            update.conflicts.append(_conflict(course, new, path, o, t))
        else:
            update.kept.append(path)
        _take_ours(course / path, new / path, o is not None)
    return update


def _conflict(course: Path, new: Path, path: str, o: str | None, t: str | None) -> str:
    if o is None:
        return f"{path}:1: deleted here but changed in the book; left deleted"
    if t is None:
        return f"{path}:1: changed here but gone from the book's import; kept as you had it"
    line, text = first_difference(course / path, new / path)
    return (f"{path}:{line}: changed here and in the book since the last import; kept as you "
            f"had it — the book's version of line {line}: {text.strip()[:120]}")


def _take_ours(ours: Path, target: Path, exists: bool) -> None:
    if exists:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ours, target)
    elif target.is_file():
        target.unlink()


def update_section(update: Update) -> list[str]:
    """The report's account of an `--update`."""
    lines = ["## Update", "", f"Brought in from the book: {len(update.taken)} file(s); "
             f"your changes kept: {len(update.kept)}; conflicts: {len(update.conflicts)}.", ""]
    lines += [f"- kept yours: `{p}`" for p in update.kept]
    lines += [f"- conflict: {c}" for c in update.conflicts]
    return lines + [""]
