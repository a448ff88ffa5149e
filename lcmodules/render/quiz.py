"""A knowledge check → an accessible HTML form, its answer key for lc.js, and its tracker info."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from lcmodules.model import Question, Quiz
from lcmodules.questions.numeric import number
from lcmodules.render.htmljson import script_json
from lcmodules.render.i18n import format_number, strings
from lcmodules.render.markdown import Context, MarkdownRenderer, slugify


def quiz_info(quiz: Quiz) -> dict[str, Any]:
    """The quiz as the tracker's `info.quizzes[name]` describes it."""
    return {
        "title": quiz.title,
        "mastery": quiz.mastery_score,
        "maxPoints": number(quiz.total_points),
        "questions": [{"id": q.id, "type": q.type, "points": number(q.points),
                       "interaction": q.scorm_type} for q in quiz.questions],
    }


@dataclass
class QuestionView:
    """One question as its template sees it (`question` is the model, the type's own fields)."""

    number: int
    id: str
    type: str
    template: str
    dom_id: str
    prompt: Markup
    points_label: str
    question: Question


def quiz_key(quiz: Quiz, name: str, ctx: Context, md: MarkdownRenderer,
             answer_key: bool = True) -> dict[str, Any]:
    """Everything lc.js needs to check answers and give feedback (formative: it is in the
    page). Without the answer key: only what the form needs; the server grades."""
    questions = []
    for q in quiz.questions:
        item: dict[str, Any] = {"id": q.id, "type": q.type, "points": number(q.points)}
        if answer_key:
            item["expected"] = q.expected()
            item["feedback"] = md.render_inline(q.feedback, ctx) if q.feedback else ""
            per_choice = q.choice_feedback()
            if per_choice:
                item["choiceFeedback"] = [md.render_inline(f, ctx) if f else "" for f in per_choice]
        questions.append(item)
    return {**quiz_info(quiz), "name": name, "questions": questions, "answerKey": answer_key}


def _points_label(points: float, language: str) -> str:
    table = strings(language)
    return table["point_one"] if points == 1 else table["points_n"].format(n=format_number(points, language))


def question_views(quiz: Quiz, name: str, ctx: Context, md: MarkdownRenderer) -> list[QuestionView]:
    base = f"{ctx.id_prefix}q-{slugify(name) or 'quiz'}"
    return [
        QuestionView(number=number_, id=q.id, type=q.type, template=q.template,
                     dom_id=f"{base}-{slugify(q.id) or number_}",
                     prompt=Markup(md.render_inline(q.prompt, ctx)),
                     points_label=_points_label(q.points, ctx.language), question=q)
        for number_, q in enumerate(quiz.questions, 1)
    ]


def render_quiz(quiz: Quiz, name: str, ctx: Context, md: MarkdownRenderer, env: Environment,
                answer_key: bool = True) -> str:
    """The quiz form followed by its answer key (`<script type="application/json">`); each
    question's inputs come from its type's template (templates/questions/<type>.html.j2)."""
    table = strings(ctx.language)
    template = env.get_template("quiz.html.j2")
    return template.render(
        quiz=quiz, name=name, t=table,
        intro=Markup(md.render(quiz.intro, ctx)) if quiz.intro else "",
        questions=question_views(quiz, name, ctx, md),
        inline=lambda text: Markup(md.render_inline(text, ctx)),
        mastery_text=table["mastery"].format(percent=format_number(round(quiz.mastery_score * 100, 1),
                                                                    ctx.language)),
        key_json=script_json(quiz_key(quiz, name, ctx, md, answer_key)),
        id_base=f"{ctx.id_prefix}q-{slugify(name) or 'quiz'}",
    )


__all__ = ["quiz_info", "quiz_key", "render_quiz", "script_json"]
