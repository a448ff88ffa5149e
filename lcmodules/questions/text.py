"""`text`: a short answer, compared with the accepted ones ignoring case and spaces."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from lcmodules.questions.base import Check, QuestionBase, ScormVersion

MAX_PATTERNS = {"1.2": 1, "2004": 5}
MAX_LENGTH = {"1.2": 255, "2004": 250}


def normalise(value: str) -> str:
    """NFC, lower case, every space removed: `Random  Forest` matches `randomforest`."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", value).lower())


def fill_in(value: str, version: ScormVersion) -> str:
    """One line, without SCORM 2004 delimiters, not starting with `{`, bounded."""
    text = re.sub(r"\s+", " ", value).strip()
    text = re.sub(r"\[[,.:]\]", " ", text)
    text = "(" + text[1:] if text.startswith("{") else text
    return text[: MAX_LENGTH[version]]


class TextQuestion(QuestionBase):
    """value: the text as typed."""

    type: Literal["text"]
    scorm_type = "fill-in"
    qti_profile = "cc.fib.v0p1"
    string_keys = ("answer_hint",)
    answers: list[str] | None = None

    def checks(self) -> list[Check]:
        if not self.answers or not all(a.strip() for a in self.answers):
            return [*super().checks(), Check(loc=("answers",), message="a text question needs `answers`: a list of "
                          "accepted answers", hint="add e.g. `answers: [random forest]`")]
        return super().checks()

    def expected(self) -> dict[str, Any]:
        return {"answers": list(self.answers or [])}

    def is_correct(self, response: Any) -> bool:
        if not isinstance(response, str):
            return False
        given = normalise(response)
        return given != "" and any(normalise(a) == given for a in self.answers or [])

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        if not isinstance(response, str):
            return None
        return fill_in(response, version) or None

    def scorm_patterns(self, version: ScormVersion) -> list[str]:
        out: list[str] = []
        for answer in self.answers or []:
            pattern = fill_in(answer, version)
            if pattern and pattern not in out and len(out) < MAX_PATTERNS[version]:
                out.append(pattern)
        return out
