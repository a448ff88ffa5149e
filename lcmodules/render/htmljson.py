"""JSON inside HTML: the one way every page, quiz, notebook output and the preview write it."""

from __future__ import annotations

import json
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup


def script_json(data: Any, indent: int | None = None) -> Markup:
    """JSON that is safe anywhere in HTML: in a `<script>` element, an attribute or a `<pre>`
    (Jinja's `htmlsafe_json_dumps`: `<`, `>`, `&` and `'` become `\\u003c` …). Keys are sorted,
    so the same data always gives the same bytes."""
    separators = (",", ": ") if indent else (",", ":")
    return htmlsafe_json_dumps(data, dumps=json.dumps, ensure_ascii=False, sort_keys=True,
                               indent=indent, separators=separators)
