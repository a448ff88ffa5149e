"""Rules for knowledge checks: unique ids, a correct answer for every question, sane scores."""

from __future__ import annotations

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.yamlsrc import node_line
from lcmodules.model import Module, Question, Unit

CHOICE_TYPES = ("single", "multiple")


def check_quizzes(module: Module, diag: Diagnostics) -> None:
    for unit in module.quizzes:
        if unit.quiz is not None:
            check_quiz(unit, diag)


def check_quiz(unit: Unit, diag: Diagnostics) -> None:
    quiz = unit.quiz
    assert quiz is not None

    def at(*loc: object) -> tuple[int | None, int | None]:
        return node_line(unit.doc, loc)

    if not 0 <= quiz.mastery_score <= 1:
        line, col = at("mastery_score")
        diag.error(unit.source, line, f"mastery_score {quiz.mastery_score:g} is outside 0..1",
                   "write the fraction of points needed to pass, e.g. 0.7 for 70 %", col)
    seen: dict[str, int] = {}
    for i, q in enumerate(quiz.questions):
        if q.id in seen:
            line, col = at("questions", i, "id")
            diag.error(unit.source, line,
                       f"question id '{q.id}' is used twice (first as question {seen[q.id] + 1})",
                       "give every question its own id", col)
        seen.setdefault(q.id, i)
        if q.points <= 0:
            line, col = at("questions", i, "points")
            diag.error(unit.source, line, f"question '{q.id}': points must be more than 0",
                       "leave `points` out for 1 point", col)
        for line_loc, message, hint in question_problems(q):
            line, col = at("questions", i, *line_loc)
            diag.error(unit.source, line, f"question '{q.id}': {message}", hint, col)


def question_problems(q: Question) -> list[tuple[tuple[object, ...], str, str]]:
    """What is wrong with one question for its type, as (yaml location, message, hint)."""
    out: list[tuple[tuple[object, ...], str, str]] = []
    not_for = {
        "choices": q.choices is not None and q.type not in CHOICE_TYPES,
        "answer": q.answer is not None and q.type not in ("true-false", "numeric"),
        "answers": q.answers is not None and q.type != "text",
        "tolerance": q.tolerance is not None and q.type != "numeric",
    }
    for key, wrong in not_for.items():
        if wrong:
            out.append(((key,), f"'{key}' does not apply to a {q.type} question",
                        "remove it, or change `type`"))
    if q.type in CHOICE_TYPES:
        choices = q.choices or []
        correct = sum(1 for c in choices if c.correct)
        if len(choices) < 2:
            out.append((("choices",), f"a {q.type} question needs at least two choices",
                        "add `choices:` with a `- text: …` line per choice"))
        elif correct == 0:
            out.append((("choices",), "no choice is marked correct",
                        "add `correct: true` under the right choice"))
        elif q.type == "single" and correct > 1:
            out.append((("choices",), f"{correct} choices are marked correct in a single-choice "
                        "question", "keep one `correct: true`, or use `type: multiple`"))
    elif q.type == "true-false":
        if not isinstance(q.answer, bool):
            out.append((("answer",), "a true-false question needs `answer: true` or `answer: false`",
                        "add the answer" if q.answer is None
                        else "write true or false (without quotes) as the answer"))
    elif q.type == "numeric":
        if q.answer is None or isinstance(q.answer, bool):
            out.append((("answer",), "a numeric question needs a number as `answer`",
                        "add e.g. `answer: 230`"))
        if q.tolerance is not None and q.tolerance < 0:
            out.append((("tolerance",), "tolerance may not be negative", "use 0 or more"))
    elif q.type == "text" and (not q.answers or not all(a.strip() for a in q.answers)):
        out.append((("answers",), "a text question needs `answers`: a list of accepted answers",
                    "add e.g. `answers: [random forest]`"))
    return out
