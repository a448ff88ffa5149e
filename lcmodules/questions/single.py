"""`single`: one choice is right (radio buttons)."""

from __future__ import annotations

from typing import Any, Literal

from lcmodules.questions.base import Check, ScormVersion, choice_ids
from lcmodules.questions.choices import ChoiceQuestion


class SingleQuestion(ChoiceQuestion):
    """value: the chosen index, or None."""

    type: Literal["single"]
    qti_profile = "cc.multiple_choice.v0p1"

    def checks(self) -> list[Check]:
        out = super().checks()
        right = len(self.correct_indices)
        if right > 1:
            out.append(Check(loc=("choices",), message=f"{right} choices are marked correct in a "
                             "single-choice question",
                             hint="keep one `correct: true`, or use `type: multiple`"))
        return out

    def is_correct(self, response: Any) -> bool:
        return self._valid_index(response) and response in self.correct_indices

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        return choice_ids([response], version) if self._valid_index(response) else None
