"""The message catalogue: schema errors in a lecturer's words (expected, found, an example)."""

from __future__ import annotations

import datetime as dt
import difflib
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeGuard

from pydantic import BaseModel

# What a field holds, in words, where its type alone says too little ("Model.field").
EXPECTED = {
    "Question.answer": "the right answer: a number in digits for a numeric question "
                       "(e.g. 230 or 0.5), or true or false for a true-false question",
    "Question.choices": "a list of choices, each a `- text: …` line "
                        "(with `correct: true` under the right ones)",
    "ModuleMeta.contents": "the list of units in learner order, one `- file` per line",
    "ModuleMeta.prerequisites": "a list of module ids, each optionally followed by a version "
                                "range",
    "Quiz.mastery_score": "the fraction of the points needed to pass, a number from 0 to 1",
}
# What a field holds and a right form, where they depend on a sibling key's value
# ("Model.field", sibling key, its value): a true-false question is not told to write a number.
BY_SIBLING = {
    ("Question.answer", "type", "true-false"): ("true or false", "answer: true"),
    ("Question.answer", "type", "numeric"): (
        "a number in digits (e.g. 230 or 0.5)", "answer: 230"),
}
# A right form to copy, per field ("Model.field") — one line of YAML.
EXAMPLES = {
    "ModuleMeta.id": "id: lc-ai/my-case",
    "ModuleMeta.title": "title: Predictive maintenance in a bakery",
    "ModuleMeta.version": "version: 1.0.0",
    "ModuleMeta.language": "language: nl",
    "ModuleMeta.contents": "contents: [case.md, notebooks/01-analysis.ipynb, quiz.quiz.yml]",
    "ModuleMeta.authors": "authors: [{name: Anna de Vries, affiliation: Hogeschool Utrecht}]",
    "ModuleMeta.prerequisites": "prerequisites: [lc-ai/python-basics >=1.0]",
    "ModuleMeta.learning_objectives": "learning_objectives: [The learner can …]",
    "ModuleMeta.keywords": "keywords: [maintenance, sensors]",
    "ModuleMeta.study_load_hours": "study_load_hours: 4",
    "ModuleMeta.case": "case: {organisation: Bakkerij Jansen, sector: food}",
    "Author.name": "name: Anna de Vries",
    "Quiz.title": "title: Knowledge check",
    "Quiz.mastery_score": "mastery_score: 0.7",
    "Quiz.questions": "questions: [{id: q1, type: true-false, prompt: Is 99 % enough?, "
                      "answer: false}]",
    "Question.id": "id: q1",
    "Question.prompt": "prompt: Which metric fits best?",
    "Question.points": "points: 2",
    "Question.answer": "answer: 230",
    "Question.tolerance": "tolerance: 5",
    "Question.answers": "answers: [recall, sensitivity]",
    "Question.choices": "choices: [{text: Recall, correct: true}, {text: Accuracy}]",
    "Question.items": "items: [collect data, train the model, evaluate]",
    "Choice.text": "text: Recall",
    "Choice.correct": "correct: true",
    "Prerequisite.id": "id: lc-ai/python-basics",
    "ExecuteSettings.timeout": "timeout: 120",
}
# A right form for one item of a list field ("Model.field").
ITEM_EXAMPLES = {
    "ModuleMeta.contents": "- notebooks/01-analysis.ipynb",
    "ModuleMeta.prerequisites": "- lc-ai/python-basics >=1.0",
    "ModuleMeta.learning_objectives": "- The learner can explain …",
    "ModuleMeta.keywords": "- sensors",
    "Question.answers": "- recall",
    "Question.items": "- train the model",
}
# What one item of a model type is called, for "a choice: …".
NAMES = {"Choice": "a choice", "Author": "an author", "Question": "a question",
         "Prerequisite": "a prerequisite", "Case": "the case description"}
# What YAML made of a number that is not finite (1e400 is too large for a float: infinity).
NOT_FINITE = {"nan": ".nan (not a number)",
              "inf": "infinite (.inf, or a number too large to store, such as 1e400)",
              "-inf": "minus infinite (-.inf, or a number too large to store, such as -1e400)"}
LONG = 40


@dataclass
class Field:
    """Where a schema error points: the model holding the field, the field, its type."""

    owner: type[BaseModel] | None
    name: str
    annotation: Any
    path: tuple[Any, ...]  # the keys and indexes in the YAML (branch names dropped)
    item: bool  # the error is about one item of a list field


def _members(annotation: Any) -> list[Any]:
    """The types a field may hold: union branches, each looked through `Annotated`."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [a for m in typing.get_args(annotation) for a in _members(m)
                if a is not type(None)]
    return [annotation]


def catalogue_name(model: type[BaseModel]) -> str:
    """The name a model's fields have in the catalogues (every question type: "Question")."""
    return str(getattr(model, "catalogue_name", model.__name__))


def _is_model(t: Any) -> TypeGuard[type[BaseModel]]:
    return isinstance(t, type) and issubclass(t, BaseModel)


def resolve(model: type[BaseModel], loc: tuple[Any, ...]) -> Field:
    """Follow pydantic's error location through the schema (skipping union branch names)."""
    field = Field(None, "", model, (), False)
    current: Any = model
    for part in loc:
        members = _members(current)
        if isinstance(part, int):
            lists = [m for m in members if typing.get_origin(m) is list]
            if lists:
                current = typing.get_args(lists[0])[0]
                field.path += (part,)
                field.item = True
                field.annotation = current
            continue
        models = [m for m in members if _is_model(m) and part in m.model_fields]
        if models:
            owner = models[0]
            current = owner.model_fields[part].annotation
            field = Field(owner, part, current, field.path + (part,), False)
        elif len(members) > 1:  # a union branch name: look inside that branch only
            branch = [m for m in members if getattr(m, "__name__", "") == part]
            current = branch[0] if branch else current
        else:  # a key the schema does not have
            field = Field(field.owner, part, Any, field.path + (part,), False)
    return field


def dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "(top level)"


def expected(annotation: Any, key: str = "") -> str:
    """What a value of this type looks like, in words."""
    if key in EXPECTED:
        return EXPECTED[key]
    words: list[str] = []
    for member in _members(annotation):
        text = _one(member)
        if text not in words:
            words.append(text)
    return " or ".join(words) or "a value"


def _one(t: Any) -> str:
    origin = typing.get_origin(t)
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(t))
    if origin is list or t is list:
        return "a list, one `- item` per line"
    if origin is dict or t is dict:
        return "a mapping of `key: value` lines"
    if _is_model(t):
        required = [n for n, f in t.model_fields.items() if f.is_required()]
        keys = ", ".join(f"`{n}:`" for n in (required or list(t.model_fields)[:3]))
        return f"{NAMES.get(catalogue_name(t), 'a mapping')} with {keys}"
    return {str: "text", bool: "true or false", int: "a whole number",
            float: "a number"}.get(t, "a value")


def found(value: Any) -> str:
    """What the lecturer wrote, in words."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        if not value.strip():
            return "empty text"
        short = value if len(value) <= LONG else value[:LONG] + "…"
        return f"the text '{short}'"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        return "a mapping of `key: value` lines"
    tag = getattr(value, "tag", None)
    if tag is not None and hasattr(value, "value"):  # a YAML tag lcmodules does not read
        return f"'{value.value}' with the YAML tag {getattr(tag, 'value', tag)}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    return f"'{value}'"  # never a class name: the lecturer wrote YAML, not Python


def example(field: Field, value: Any = None) -> str:
    """A right form to copy: from the catalogue, else made from the type (and what was written)."""
    key = f"{catalogue_name(field.owner)}.{field.name}" if field.owner else ""
    members = _members(field.annotation)
    if field.item and key in ITEM_EXAMPLES:
        return ITEM_EXAMPLES[key]
    if field.item:
        model = next((m for m in members if _is_model(m)), None)
        if model is not None and isinstance(value, str | int | float):
            first = next((n for n, f in model.model_fields.items() if f.is_required()),
                         next(iter(model.model_fields)))
            return f"- {first}: {value}"
        if str in members:
            return f"- {value}" if isinstance(value, str) else "- some text"
    if key in EXAMPLES:
        return EXAMPLES[key]
    name = field.name or "key"
    t = members[0] if members else str
    if typing.get_origin(t) is typing.Literal:
        return f"{name}: {typing.get_args(t)[0]}"
    if typing.get_origin(t) is list:
        return f"{name}: [first, second]"
    if _is_model(t):
        first = next(iter(t.model_fields), "key")
        return f"{name}: {{{first}: …}}"
    return {bool: f"{name}: true", int: f"{name}: 120", float: f"{name}: 1.5"}.get(
        t, f"{name}: some text")


def by_sibling(key: str, holder: Any) -> tuple[str, str] | None:
    """What the field holds and a right form, when a sibling key decides them."""
    if not isinstance(holder, dict):
        return None
    return next((v for (k, sib, val), v in BY_SIBLING.items()
                 if k == key and holder.get(sib) == val), None)


def describe(model: type[BaseModel], errors: list[dict[str, Any]],
             holder: Any = None) -> tuple[str, str]:
    """One message and hint for every pydantic error about the same place in the YAML;
    `holder`: the mapping that holds the field (its siblings may decide the hint)."""
    err = errors[0]
    field = resolve(model, tuple(err["loc"]))
    name = dotted(field.path)
    kind = err["type"]
    value = err.get("input")
    key = f"{catalogue_name(field.owner)}.{field.name}" if field.owner and not field.item else ""
    what = expected(field.annotation, key)
    typed = by_sibling(key, holder)
    finite = any(e["type"] == "finite_number" for e in errors)
    if typed is not None and kind != "missing" and not finite:
        return f"'{name}' should be {typed[0]}, but it is {found(value)}", \
            f"write it like `{typed[1]}`"
    if kind == "missing":
        info = field.owner.model_fields[field.name] if field.owner else None
        return f"missing required field '{name}': {info and info.description or what}", \
            f"add a line like `{example(field)}`"
    not_finite = next((e for e in errors if e["type"] == "finite_number"), None)
    if not_finite is not None:  # for `answer`, after the error of the true/false branch
        return f"'{name}' should be a finite number, but it is " \
            f"{NOT_FINITE.get(str(not_finite.get('input')), found(not_finite.get('input')))}", \
            f"write it like `{example(field)}`"
    if kind == "too_short":
        return f"'{name}' is empty: it needs at least one entry", \
            f"write it like `{example(field)}`"
    if kind == "string_too_short":
        return f"'{name}' is empty: write the text", f"e.g. `{example(field)}`"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        limit = next(iter(err.get("ctx", {}).values()), "")
        limit = int(limit) if isinstance(limit, float) and limit.is_integer() else limit
        words = {"greater_than": "more than", "greater_than_equal": "at least",
                 "less_than": "less than", "less_than_equal": "at most"}[kind]
        return f"'{name}' should be {words} {limit}, but it is {value}", \
            f"e.g. `{example(field)}`"
    if kind == "string_type" and isinstance(value, int | float | bool) and not field.item \
            and field.name != "version":
        shown = str(value).lower() if isinstance(value, bool) else value
        return (f"'{name}' should be text, but YAML reads {shown} as "
                f"{'a yes/no value' if isinstance(value, bool) else 'a number'}",
                f"put it in quotes: `{field.name}: \"{shown}\"`")
    if kind == "string_type" and field.name == "version":
        return f"'{name}' should be a semantic version, but it is {found(value)}", \
            "write all three parts, e.g. `version: 1.2.0`"
    hint = f"write it like `{example(field, value)}`"
    choices = [str(a) for m in _members(field.annotation) if typing.get_origin(m) is typing.Literal
               for a in typing.get_args(m)]
    close = difflib.get_close_matches(str(value), choices, n=1, cutoff=0.6) if choices else []
    if close:
        hint = f"did you mean '{close[0]}'?"
    return f"'{name}' should be {what}, but it is {found(value)}", hint


def notebook_format(data: dict[str, Any]) -> tuple[str, str]:
    """Why a JSON object is not a notebook lcmodules reads, and what to do."""
    major = data.get("nbformat")
    if not data:
        return ("the notebook is an empty JSON object `{}`, not a Jupyter notebook",
                "create it in Jupyter (File → New → Notebook) and save it, or remove it from "
                "`contents`")
    if major is None:
        return ("this JSON file has no `nbformat` field, so it is not a Jupyter notebook",
                "open it in Jupyter and save it as a notebook, or remove it from `contents`")
    return (f"notebook format {major} is not supported: lcmodules reads format 4 notebooks",
            "convert it: jupyter nbconvert --to notebook --nbformat 4 --inplace FILE")
