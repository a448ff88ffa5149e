"""The one error of the LTI tool's commands and pages: what is wrong — how to fix it."""

from __future__ import annotations


class LtiError(Exception):
    """Bad input or a refused request, with a hint; `status` is the HTTP status a page answers."""

    def __init__(self, message: str, hint: str = "", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message
