"""Problems found in a lecturer's sources, reported as `file:line:col: message — hint`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when below it."""
    p = Path(path)
    try:
        # the folder resolved, not the name: a symbolic link is named, not its target
        return (p.parent.resolve() / p.name).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return os.fspath(p)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, with where it is and how to fix it."""

    file: Path
    line: int | None
    message: str
    hint: str = ""
    col: int | None = None
    severity: str = "error"  # "error" fails the run; "warning" is only shown

    def location(self) -> str:
        loc = display_path(self.file)
        if self.line is not None:
            loc += f":{self.line}"
            if self.col is not None:
                loc += f":{self.col}"
        return loc

    def format(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.severity == "warning":
            text = f"{self.location()}: warning: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, str]:
        return (str(self.file), self.line or 0, self.col or 0, self.message)

    def to_json(self) -> dict[str, object]:
        return {
            "file": display_path(self.file),
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }


@dataclass
class Diagnostics:
    """Collects every problem of a run, so the user sees them all at once."""

    problems: list[Problem] = field(default_factory=list)

    def error(
        self, file: Path, line: int | None, message: str, hint: str = "", col: int | None = None
    ) -> None:
        self.problems.append(Problem(Path(file), line, message, hint, col))

    def warning(
        self, file: Path, line: int | None, message: str, hint: str = "", col: int | None = None
    ) -> None:
        self.problems.append(Problem(Path(file), line, message, hint, col, "warning"))

    def extend(self, other: Diagnostics) -> None:
        self.problems.extend(other.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def sorted(self) -> list[Problem]:
        unique = {(p.sort_key(), p.hint, p.severity): p for p in self.problems}
        return [unique[k] for k in sorted(unique)]


class InputError(Exception):
    """Raised to stop a command because the user's input has problems (exit status 1)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems
