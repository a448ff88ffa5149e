"""A small quiz of every question type and a table of responses, shared by the Python and
the browser grading tests (each row: question id, response in the tracker's value shape)."""

from __future__ import annotations

from typing import Any

QUIZ_YAML = """\
title: Every type
mastery_score: 0.6
questions:
  - id: keuze
    type: single
    prompt: Which *metric*?
    choices:
      - text: Accuracy
        feedback: Not for rare failures.
      - text: Recall
        correct: true
      - text: Precision
  - id: meer
    type: multiple
    prompt: Which two?
    points: 2
    choices:
      - text: a
        correct: true
      - text: b
      - text: c
        correct: true
  - id: waar
    type: true-false
    prompt: Is 99 % accuracy enough?
    answer: false
  - id: getal
    type: numeric
    prompt: How many hours?
    answer: 1234.5
    tolerance: 0.5
  - id: klein
    type: numeric
    prompt: How much?
    answer: 1.5
  - id: plus
    type: numeric
    prompt: And now?
    answer: 25
  - id: woord
    type: text
    prompt: Which model?
    answers: [random forest, Random-Forest]
  - id: volgorde
    type: ordering
    prompt: Put the steps in order.
    points: 3
    items: [collect data, clean data, train the model, evaluate]
"""

RESPONSES: list[tuple[str, Any]] = [
    ("keuze", 1), ("keuze", 0), ("keuze", None), ("keuze", 7), ("keuze", -1), ("keuze", "1"),
    ("keuze", True), ("keuze", [1]),
    ("meer", [0, 2]), ("meer", [2, 0]), ("meer", [0]), ("meer", [0, 1, 2]), ("meer", []),
    ("meer", [0, 2, 2]), ("meer", None), ("meer", "0,2"), ("meer", [0, 9]),
    ("waar", False), ("waar", True), ("waar", None), ("waar", "false"), ("waar", 0),
    ("getal", "1.234,5"), ("getal", "1,234.5"), ("getal", "1234,9"), ("getal", "1234.0"),
    ("getal", "1235,1"), ("getal", " 1234.5 "), ("getal", "abc"), ("getal", ""),
    ("getal", None), ("getal", 1234.5), ("getal", "1.2.3"), ("getal", "\u22121234.5"),
    ("klein", "1,5"), ("klein", "1.5"), ("klein", ",5e1"), ("klein", "15e-1"), ("klein", "1,50"),
    ("klein", "1 , 5"), ("klein", "1,5,0"), ("klein", "1e400"), ("klein", "Infinity"),
    ("plus", "+25"), ("plus", "2.5e1"), ("plus", "2,5E1"), ("plus", " 25 "), ("plus", "25abc"),
    ("plus", "0x19"), ("plus", "-25"), ("plus", "2 5"),
    ("woord", "random forest"), ("woord", "  Random   Forest "), ("woord", "randomforest"),
    ("woord", "random-forest"), ("woord", "forest"), ("woord", ""), ("woord", "   "),
    ("woord", None), ("woord", 5),
    ("volgorde", "CORRECT"), ("volgorde", "SHOWN"), ("volgorde", "REVERSED"),
    ("volgorde", [0, 1, 2, 3]), ("volgorde", [0, 0, 0, 0]), ("volgorde", []),
    ("volgorde", None), ("volgorde", [0, 1, 2]), ("volgorde", "0,1,2,3"),
    ("volgorde", [None, 1, 2, 3]),
]


def concrete(question: Any, response: Any) -> Any:
    """Ordering rows name their response: the right order, the shown one, or it reversed."""
    if question.type != "ordering" or not isinstance(response, str):
        return response
    right = question.expected()["order"]
    return {"CORRECT": right, "SHOWN": list(range(len(right))),
            "REVERSED": right[::-1]}.get(response, response)
