"""`numeric`: a number, right within an optional tolerance."""

from __future__ import annotations

from typing import Any, Literal

from lcmodules.questions.base import Check, QuestionBase, ScormVersion, plain_number
from lcmodules.questions.numbers import parse_number

EPSILON = 1e-9  # float rounding: 0.1 + 0.2 is 0.3


def number(value: float | None) -> float | int | None:
    """A number for JSON: whole numbers as int (230, not 230.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else float(value)


class NumericQuestion(QuestionBase):
    """value: the text as typed (read by `parse_number`)."""

    type: Literal["numeric"]
    scorm_type = "numeric"
    qti_profile = "cc.fib.v0p1"
    string_keys = ("answer_hint", "numeric_hint")
    answer: float | None = None
    tolerance: float | None = None

    def checks(self) -> list[Check]:
        out = super().checks()
        if self.answer is None:
            out.append(Check(loc=("answer",), message="a numeric question needs a number as "
                             "`answer`", hint="add e.g. `answer: 230`"))
        if self.tolerance is not None and self.tolerance < 0:
            out.append(Check(loc=("tolerance",), message="tolerance may not be negative",
                             hint="use 0 or more"))
        return out

    def expected(self) -> dict[str, Any]:
        return {"answer": number(self.answer), "tolerance": number(self.tolerance) or 0}

    def is_correct(self, response: Any) -> bool:
        x = parse_number(response)
        if x is None or self.answer is None:
            return False
        slack = abs(self.tolerance or 0) + EPSILON * max(1.0, abs(self.answer))
        return abs(x - self.answer) <= slack

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        x = parse_number(response)
        return None if x is None else plain_number(x)

    def scorm_patterns(self, version: ScormVersion) -> list[str]:
        if self.answer is None:
            return []
        if version == "1.2":
            return [plain_number(self.answer)]
        tol = abs(self.tolerance or 0)
        return [f"{plain_number(self.answer - tol)}[:]{plain_number(self.answer + tol)}"]
