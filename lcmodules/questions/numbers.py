"""How a typed number is read: the one rule lc.js's `parseNumber` follows (tested against it)."""

from __future__ import annotations

import math
import re

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.ASCII | re.IGNORECASE)


def parse_number(raw: object) -> float | None:
    """A learner's number: spaces ignored, `−` for minus, a decimal comma or point; when both
    appear the last one is the decimal separator and the other groups thousands (`1.234,5`);
    `+5` and `2.5e1` are numbers. Anything else (or infinity) is None."""
    if not isinstance(raw, str):
        return None
    s = re.sub(r"\s+", "", raw.replace("\u2212", "-"))
    if "," in s and "." in s:
        last = max(s.rfind(","), s.rfind("."))
        s = re.sub(r"[.,]", "", s[:last]) + "." + s[last + 1:]
    else:
        s = s.replace(",", ".", 1)
    if not NUMBER.fullmatch(s):
        return None
    value = float(s)
    return value if math.isfinite(value) else None
