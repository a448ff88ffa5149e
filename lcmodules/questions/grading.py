"""Grading a whole quiz on the server (the LTI tool), the same way lc.js grades in the page."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from lcmodules.questions.base import QuestionBase
from lcmodules.questions.numeric import EPSILON, number


class GradedQuiz(Protocol):
    """What grading reads of a quiz (`lcmodules.model.Quiz` is one)."""

    @property
    def mastery_score(self) -> float: ...
    @property
    def questions(self) -> Sequence[QuestionBase]: ...


@dataclass(frozen=True)
class QuestionResult:
    id: str
    type: str
    points: float
    max_points: float
    correct: bool
    response: Any

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "points": number(self.points),
                "maxPoints": number(self.max_points), "correct": self.correct,
                "response": self.response}


@dataclass(frozen=True)
class QuizResult:
    points: float
    max_points: float
    scaled: float
    passed: bool
    questions: list[QuestionResult] = field(default_factory=list)
    quiz: str = ""

    def to_json(self) -> dict[str, Any]:
        """lc.js's `result` shape (docs/internals.md), without `expected`."""
        return {"quiz": self.quiz, "points": number(self.points),
                "maxPoints": number(self.max_points), "scaled": self.scaled,
                "passed": self.passed, "questions": [q.to_json() for q in self.questions]}


def _json_value(value: Any) -> Any:
    """The response as given, if it is plain JSON data; else None (never kept by reference)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list) and all(v is None or isinstance(v, bool | int | float | str)
                                       for v in value):
        return copy.copy(value)
    return None


def grade_quiz(quiz: GradedQuiz, answers: Mapping[str, Any], name: str = "") -> QuizResult:
    """Grade `answers` (question id → the tracker's value) against `quiz`: unknown ids are
    ignored, a missing id is no answer, a malformed value is incorrect; never raises."""
    if not isinstance(answers, Mapping):
        answers = {}
    results: list[QuestionResult] = []
    for q in quiz.questions:
        response = _json_value(answers.get(q.id))
        points, correct = q.grade(response)
        results.append(QuestionResult(q.id, q.type, points, q.points, correct, response))
    got = sum(r.points for r in results)
    top = sum(r.max_points for r in results)
    scaled = math.floor(got / top * 10000 + 0.5) / 10000 if top > 0 else 0.0  # as lc.js
    return QuizResult(got, top, scaled, scaled + EPSILON >= quiz.mastery_score, results, name)
