"""`multiple`: every right choice and no other (check boxes)."""

from __future__ import annotations

from typing import Any, Literal

from lcmodules.questions.base import Check, ScormVersion, choice_ids
from lcmodules.questions.choices import ChoiceQuestion


class MultipleQuestion(ChoiceQuestion):
    """value: the ticked indexes (any order; a repeated index is malformed)."""

    type: Literal["multiple"]
    qti_profile = "cc.multiple_response.v0p1"

    def checks(self) -> list[Check]:
        out = super().checks()
        if len(self.choices) >= 2 and len(self.correct_indices) == len(self.choices):
            out.append(Check(loc=("choices",), severity="warning",
                             message="every choice is marked correct: ticking all passes "
                                     "without thought",
                             hint="add a choice that is wrong"))
        return out

    def _ticked(self, response: Any) -> list[int] | None:
        if not isinstance(response, list) or not all(self._valid_index(v) for v in response):
            return None
        return sorted(response) if len(set(response)) == len(response) else None

    def is_correct(self, response: Any) -> bool:
        return self._ticked(response) == self.correct_indices

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        ticked = self._ticked(response)
        return choice_ids(ticked, version) if ticked else None
