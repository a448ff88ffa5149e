"""`true-false`: a statement that is true or false."""

from __future__ import annotations

from typing import Any, Literal

from lcmodules.questions.base import Check, QuestionBase, ScormVersion


class TrueFalseQuestion(QuestionBase):
    """value: True, False or None."""

    type: Literal["true-false"]
    scorm_type = "true-false"
    qti_profile = "cc.true_false.v0p1"
    string_keys = ("true", "false")
    answer: bool | None = None

    def checks(self) -> list[Check]:
        if self.answer is None:
            return [*super().checks(), Check(loc=("answer",), message="a true-false question needs `answer: true` "
                          "or `answer: false`", hint="add the answer")]
        return super().checks()

    def expected(self) -> dict[str, Any]:
        return {"answer": bool(self.answer), "tolerance": 0}

    def is_correct(self, response: Any) -> bool:
        return isinstance(response, bool) and response == self.answer

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        if not isinstance(response, bool):
            return None
        return ("true" if response else "false") if version == "2004" else ("t" if response else "f")

    def scorm_patterns(self, version: ScormVersion) -> list[str]:
        return [] if self.answer is None else [self.scorm_response(self.answer, version) or ""]
