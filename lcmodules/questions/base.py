"""What every question type declares, and the parts the types share."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

QUESTION_ID_CHARS = "letters, digits, '_' and '-'"
Severity = Literal["error", "warning"]
ScormVersion = Literal["1.2", "2004"]


class Strict(BaseModel):
    """Base for the YAML schemas: unknown keys are errors, not silently ignored; numbers are
    finite (YAML's .nan and .inf, and 1e400, which it reads as .inf, are errors)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class Check(BaseModel):
    """One content problem of a question: where in its YAML, what, how to fix it."""

    loc: tuple[Any, ...]  # keys and indexes below the question, e.g. ("choices", 1, "text")
    message: str
    hint: str
    severity: Severity = "error"


class Choice(Strict):
    text: str
    correct: bool = False
    feedback: str | None = None


class QuestionBase(Strict):
    """The fields every question has, and the interface each type implements."""

    # the catalogue name load/messages.py words errors under ("Question.points")
    catalogue_name: ClassVar[str] = "Question"
    # SCORM cmi.interactions.n.type (1.2 and 2004 share the names lcmodules uses)
    scorm_type: ClassVar[str]
    # the CC 1.1 QTI profile type, or None with `qti_refusal` saying why
    qti_profile: ClassVar[str | None] = None
    qti_refusal: ClassVar[str] = ""
    # interface strings (render/i18n.py keys) the type's template and lc.js use
    string_keys: ClassVar[tuple[str, ...]] = ()

    id: str
    type: str
    prompt: str = Field(min_length=1)
    points: float = 1
    feedback: str | None = None

    @field_validator("id")
    @classmethod
    def _qid(cls, v: str) -> str:
        if not v or any(not (c.isascii() and (c.isalnum() or c in "_-")) for c in v):
            raise ValueError(f"is not a valid question id: use only {QUESTION_ID_CHARS}")
        return v

    @property
    def template(self) -> str:
        """The Jinja2 template of its inputs (render/templates/questions/<type>.html.j2)."""
        return f"questions/{self.type}.html.j2"

    def checks(self) -> list[Check]:
        """Content problems beyond the schema (validate/quiz_rules.py reports them); a type
        adds its own to these."""
        if self.points <= 0:
            return [Check(loc=("points",), message="points must be more than 0",
                          hint="leave `points` out for 1 point")]
        return []

    def texts(self) -> list[tuple[tuple[Any, ...], str]]:
        """Every Markdown text the question shows, with its place in the YAML (for the
        fingerprint's references and the HTML checks); a type adds its own."""
        out: list[tuple[tuple[Any, ...], str]] = [(("prompt",), self.prompt)]
        if self.feedback:
            out.append((("feedback",), self.feedback))
        return out

    def choice_feedback(self) -> list[str | None]:
        """Feedback per choice, shown when it is chosen (it may reveal the key); [] if none."""
        return []

    def expected(self) -> dict[str, Any]:
        """What counts as correct, in the tracker's `expected` shape (docs/internals.md)."""
        raise NotImplementedError

    def is_correct(self, response: Any) -> bool:
        """Whether a response in the tracker's value shape is right; malformed → False."""
        raise NotImplementedError

    def grade(self, response: Any) -> tuple[float, bool]:
        """(points, correct) for a response in the tracker's value shape; never raises."""
        try:
            correct = bool(self.is_correct(response))
        except (TypeError, ValueError, AttributeError, IndexError):
            correct = False
        return (self.points if correct else 0), correct

    def scorm_response(self, response: Any, version: ScormVersion) -> str | None:
        """The learner_response (2004) / student_response (1.2) for a response; None: none."""
        raise NotImplementedError

    def scorm_patterns(self, version: ScormVersion) -> list[str]:
        """The correct_responses patterns of the interaction."""
        raise NotImplementedError


def choice_ids(indices: list[int], version: ScormVersion) -> str:
    """SCORM choice/sequencing ids: 2004 `0[,]2`; 1.2 single characters `0,2` (base 36)."""
    if version == "2004":
        return "[,]".join(str(i) for i in indices)
    return ",".join(_base36(i) for i in indices)


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return digits[n] if n < 36 else str(n)


def plain_number(value: float) -> str:
    """A decimal without exponent or trailing zeros, to 4 places (lc-scorm.js's `num`)."""
    text = f"{round(value, 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def is_int(value: Any) -> bool:
    """An integer that is not a bool (JSON answers hold no other kind of index)."""
    return isinstance(value, int) and not isinstance(value, bool)
