"""What an import could not carry, at `file:line` in the book: the import report."""

from __future__ import annotations

from dataclasses import dataclass, field


def yaml_error_line(exc: Exception) -> int | None:
    """The 1-based line a YAML error points at, when it says."""
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else None


def yaml_problem(exc: Exception) -> str:
    """What a YAML error says is wrong, in one line."""
    return str(getattr(exc, "problem", None) or str(exc).splitlines()[0])


@dataclass(frozen=True)
class Note:
    """One thing about the book: `file` is relative to the book folder."""

    file: str
    line: int | None
    message: str
    hint: str = ""
    severity: str = "warning"  # "error" stops the import

    def format(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        text = f"{where}: {self.message}"
        return text + (f" — {self.hint}" if self.hint else "")


@dataclass
class Notes:
    """The notes of one import, kept in the order they were found, without repeats."""

    items: list[Note] = field(default_factory=list)

    def warn(self, file: str, line: int | None, message: str, hint: str = "") -> None:
        note = Note(file, line, message, hint)
        if note not in self.items:
            self.items.append(note)

    def error(self, file: str, line: int | None, message: str, hint: str = "") -> None:
        self.items.append(Note(file, line, message, hint, "error"))

    @property
    def errors(self) -> list[Note]:
        return [n for n in self.items if n.severity == "error"]

    def sorted(self) -> list[Note]:
        return sorted(self.items, key=lambda n: (n.file, n.line or 0, n.message))
