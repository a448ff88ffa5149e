"""JSON inside HTML is written one way (render/htmljson.py) and cannot end its element."""

from __future__ import annotations

import json

from lxml import html

from lcmodules.render.htmljson import script_json

NASTY = {"b": "</script><script>alert('x')</script>", "a": "<!-- & é", "n": [1, 2.5, None]}


def test_script_json_round_trips_and_never_closes_the_element() -> None:
    for indent in (None, 2):
        text = str(script_json(NASTY, indent))
        assert "<" not in text and ">" not in text and "&" not in text and "'" not in text
        assert json.loads(text) == NASTY
        page = html.fromstring(f'<div><script type="application/json">{text}</script></div>')
        assert [e.tag for e in page] == ["script"]
        assert json.loads(page[0].text) == NASTY


def test_script_json_is_reproducible() -> None:
    assert script_json(NASTY) == script_json(dict(reversed(NASTY.items())))
    assert str(script_json({"k": "é"})) == '{"k":"é"}'
    assert "\n  " in str(script_json(NASTY, indent=2))
