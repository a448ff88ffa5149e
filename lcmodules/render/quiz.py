"""A knowledge check → an accessible HTML form, its answer key for lc.js, and its tracker info."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from lcmodules.model import Question, Quiz
from lcmodules.render.htmljson import script_json
from lcmodules.render.i18n import format_number, strings
from lcmodules.render.markdown import Context, MarkdownRenderer, slugify


def _number(value: float | bool | None) -> float | int | None:
    if value is None or isinstance(value, bool):
        return None
    return int(value) if float(value).is_integer() else float(value)


def expected(question: Question) -> dict[str, Any]:
    """What counts as correct, in the tracker's `expected` shape."""
    if question.type in ("single", "multiple"):
        return {"choices": [i for i, c in enumerate(question.choices or []) if c.correct]}
    if question.type == "true-false":
        return {"answer": bool(question.answer), "tolerance": 0}
    if question.type == "numeric":
        return {"answer": _number(question.answer), "tolerance": _number(question.tolerance) or 0}
    return {"answers": list(question.answers or [])}


def quiz_info(quiz: Quiz) -> dict[str, Any]:
    """The quiz as the tracker's `info.quizzes[name]` describes it."""
    return {
        "title": quiz.title,
        "mastery": quiz.mastery_score,
        "maxPoints": _number(quiz.total_points),
        "questions": [{"id": q.id, "type": q.type, "points": _number(q.points)} for q in quiz.questions],
    }


@dataclass
class ChoiceView:
    index: int
    value: str
    id: str
    html: Markup


@dataclass
class QuestionView:
    number: int
    id: str
    type: str
    dom_id: str
    prompt: Markup
    points: float
    points_label: str
    input_type: str  # radio | checkbox | text
    choices: list[ChoiceView] = field(default_factory=list)
    hint: str = ""


def quiz_key(quiz: Quiz, name: str, ctx: Context, md: MarkdownRenderer) -> dict[str, Any]:
    """Everything lc.js needs to check answers and give feedback (formative: it is in the page)."""
    questions = []
    for q in quiz.questions:
        item: dict[str, Any] = {
            "id": q.id, "type": q.type, "points": _number(q.points), "expected": expected(q),
            "feedback": md.render_inline(q.feedback, ctx) if q.feedback else "",
        }
        if q.choices:
            item["choiceFeedback"] = [md.render_inline(c.feedback, ctx) if c.feedback else ""
                                      for c in q.choices]
        questions.append(item)
    return {**quiz_info(quiz), "name": name, "questions": questions}


def _points_label(points: float, language: str) -> str:
    table = strings(language)
    return table["point_one"] if points == 1 else table["points_n"].format(n=format_number(points, language))


def question_views(quiz: Quiz, name: str, ctx: Context, md: MarkdownRenderer) -> list[QuestionView]:
    table = strings(ctx.language)
    base = f"{ctx.id_prefix}q-{slugify(name) or 'quiz'}"
    views = []
    for number, q in enumerate(quiz.questions, 1):
        dom_id = f"{base}-{slugify(q.id) or number}"
        view = QuestionView(
            number=number, id=q.id, type=q.type, dom_id=dom_id,
            prompt=Markup(md.render_inline(q.prompt, ctx)), points=q.points,
            points_label=_points_label(q.points, ctx.language),
            input_type={"single": "radio", "multiple": "checkbox", "true-false": "radio"}.get(q.type, "text"),
        )
        if q.type in ("single", "multiple"):
            view.choices = [
                ChoiceView(i, str(i), f"{dom_id}-{i}", Markup(md.render_inline(c.text, ctx)))
                for i, c in enumerate(q.choices or [])
            ]
        elif q.type == "true-false":
            view.choices = [
                ChoiceView(0, "true", f"{dom_id}-true", Markup(table["true"])),
                ChoiceView(1, "false", f"{dom_id}-false", Markup(table["false"])),
            ]
        elif q.type == "numeric":
            view.hint = table["numeric_hint"]
        views.append(view)
    return views


def render_quiz(quiz: Quiz, name: str, ctx: Context, md: MarkdownRenderer, env: Environment) -> str:
    """The quiz form followed by its answer key (`<script type="application/json">`)."""
    table = strings(ctx.language)
    template = env.get_template("quiz.html.j2")
    return template.render(
        quiz=quiz, name=name, t=table,
        intro=Markup(md.render(quiz.intro, ctx)) if quiz.intro else "",
        questions=question_views(quiz, name, ctx, md),
        mastery_text=table["mastery"].format(percent=format_number(round(quiz.mastery_score * 100, 1),
                                                                    ctx.language)),
        key_json=script_json(quiz_key(quiz, name, ctx, md)),
        id_base=f"{ctx.id_prefix}q-{slugify(name) or 'quiz'}",
    )
