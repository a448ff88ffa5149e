"""The checks and SCORM formats the choice types (single, multiple) share."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lcmodules.questions.base import Check, Choice, QuestionBase, ScormVersion, choice_ids, is_int


class ChoiceQuestion(QuestionBase):
    """A question answered by ticking choices (value: choice indexes, 0-based)."""

    scorm_type = "choice"
    choices: list[Choice] = Field(default_factory=list)

    @property
    def correct_indices(self) -> list[int]:
        return [i for i, c in enumerate(self.choices) if c.correct]

    def checks(self) -> list[Check]:
        out = super().checks()
        if len(self.choices) < 2:
            out.append(Check(loc=("choices",), message=f"a {self.type} question needs at least two "
                             "choices", hint="add `choices:` with a `- text: …` line per choice"))
            return out
        seen: dict[str, int] = {}
        for i, choice in enumerate(self.choices):
            if not choice.text.strip():
                out.append(Check(loc=("choices", i, "text"), message=f"choice {i + 1} is empty",
                                 hint="write the choice's text, or remove the choice"))
                continue
            key = " ".join(choice.text.split()).casefold()
            if key in seen:
                out.append(Check(loc=("choices", i, "text"),
                                 message=f"choices {seen[key] + 1} and {i + 1} have the same text "
                                         f"'{choice.text}'",
                                 hint="learners cannot tell them apart: reword or remove one"))
            seen.setdefault(key, i)
        if not self.correct_indices:
            out.append(Check(loc=("choices",), message="no choice is marked correct",
                             hint="add `correct: true` under the right choice"))
        return out

    def texts(self) -> list[tuple[tuple[Any, ...], str]]:
        out = super().texts()
        for i, c in enumerate(self.choices):
            out.append((("choices", i, "text"), c.text))
            if c.feedback:
                out.append((("choices", i, "feedback"), c.feedback))
        return out

    def choice_feedback(self) -> list[str | None]:
        return [c.feedback for c in self.choices]

    def expected(self) -> dict[str, Any]:
        return {"choices": self.correct_indices}

    def scorm_patterns(self, version: ScormVersion) -> list[str]:
        right = self.correct_indices
        return [choice_ids(right, version)] if right else []

    def _valid_index(self, value: Any) -> bool:
        return is_int(value) and 0 <= value < len(self.choices)
