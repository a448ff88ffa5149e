"""`ordering`: learners put items in the right order (one select box per position)."""

from __future__ import annotations

import random
from typing import Any, Literal

from lcmodules.questions.base import Check, QuestionBase, ScormVersion, choice_ids, is_int


class OrderingQuestion(QuestionBase):
    """`items` in the right order; the page shows them shuffled (the same way every build).

    value: the shown items' indexes (0-based, in the order shown) in the order the learner
    put them, one per position; None for a position left open.
    """

    type: Literal["ordering"]
    scorm_type = "sequencing"
    qti_refusal = ("the Common Cartridge 1.1 QTI profile has no ordering question type, so "
                   "an LMS could not import it")
    string_keys = ("position_n", "choose_item")
    items: list[str] = []

    def checks(self) -> list[Check]:
        out = super().checks()
        if len(self.items) < 2:
            out.append(Check(loc=("items",), message="an ordering question needs at least two "
                             "`items`", hint="list the items in the right order: "
                             "`items: [collect data, train, evaluate]`"))
        seen: dict[str, int] = {}
        for i, item in enumerate(self.items):
            key = " ".join(item.split()).casefold()
            if not key:
                out.append(Check(loc=("items", i), message=f"item {i + 1} is empty",
                                 hint="write the item's text, or remove it"))
            elif key in seen:
                out.append(Check(loc=("items", i), message=f"items {seen[key] + 1} and {i + 1} "
                                 f"have the same text '{item}'",
                                 hint="the order could not be told: reword or remove one"))
            seen.setdefault(key, i)
        return out

    def texts(self) -> list[tuple[tuple[Any, ...], str]]:
        return super().texts() + [(("items", i), item) for i, item in enumerate(self.items)]

    def shown(self) -> list[int]:
        """The items' indexes in the order the page shows them: shuffled by the question id,
        never already in the right order."""
        order = list(range(len(self.items)))
        random.Random(f"lcmodules-ordering:{self.id}").shuffle(order)
        if order == sorted(order) and len(order) > 1:
            order = order[1:] + order[:1]
        return order

    def expected(self) -> dict[str, Any]:
        shown = self.shown()
        return {"order": [shown.index(i) for i in range(len(self.items))]}

    def is_correct(self, response: Any) -> bool:
        return isinstance(response, list) and all(is_int(v) for v in response) \
            and response == self.expected()["order"]

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        if not isinstance(response, list) or not response:
            return None
        if not all(is_int(v) and 0 <= v < len(self.items) for v in response):
            return None
        return choice_ids(response, version)

    def scorm_patterns(self, version: ScormVersion) -> list[str]:
        return [choice_ids(self.expected()["order"], version)] if len(self.items) > 1 else []
