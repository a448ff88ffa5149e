"""The question types lcmodules knows, and `Question`: a YAML question read as its type."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Tag, WithJsonSchema

from lcmodules.questions.base import QuestionBase
from lcmodules.questions.multiple import MultipleQuestion
from lcmodules.questions.numeric import NumericQuestion
from lcmodules.questions.ordering import OrderingQuestion
from lcmodules.questions.single import SingleQuestion
from lcmodules.questions.text import TextQuestion
from lcmodules.questions.truefalse import TrueFalseQuestion

# Adding a type: its module here, its template in render/templates/questions/, its strings.
TYPES: dict[str, type[QuestionBase]] = {
    "single": SingleQuestion,
    "multiple": MultipleQuestion,
    "true-false": TrueFalseQuestion,
    "numeric": NumericQuestion,
    "text": TextQuestion,
    "ordering": OrderingQuestion,
}
QuestionType = Literal["single", "multiple", "true-false", "numeric", "text", "ordering"]


class UnknownQuestion(QuestionBase):
    """Where a question without a known `type` is read: only its `type` is reported."""

    model_config = ConfigDict(extra="allow")
    type: QuestionType


def _branch(value: Any) -> str:
    """The class that reads a question (pydantic names the error location after it)."""
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    cls = TYPES.get(kind) if isinstance(kind, str) else None
    return (cls or UnknownQuestion).__name__


Question = Annotated[
    Annotated[SingleQuestion, Tag("SingleQuestion")]
    | Annotated[MultipleQuestion, Tag("MultipleQuestion")]
    | Annotated[TrueFalseQuestion, Tag("TrueFalseQuestion")]
    | Annotated[NumericQuestion, Tag("NumericQuestion")]
    | Annotated[TextQuestion, Tag("TextQuestion")]
    | Annotated[OrderingQuestion, Tag("OrderingQuestion")]
    # only for error messages: the JSON schema (`lcmodules schema quiz`) lists the real types
    | Annotated[UnknownQuestion, Tag("UnknownQuestion"), WithJsonSchema({"not": {}})],
    Discriminator(_branch),
]
