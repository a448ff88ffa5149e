"""JSON inside HTML is written one way (render/htmljson.py) and cannot end its element."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
from lxml import html

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_paths
from lcmodules.render.htmljson import script_json
from lcmodules.render.site import SiteOptions, render_site

FIXTURE = Path(__file__).parent / "fixtures" / "render"

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


def test_a_notebook_json_output_is_shown_not_run(tmp_path: Path) -> None:
    """A notebook's application/json output lands in a <pre> as data, never as markup."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE, root)
    path = root / "modules" / "demo-en" / "notebooks" / "analyse.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("display_data", data={"application/json": NASTY})]
    nbformat.write(nb, path)
    diag = Diagnostics()
    module = load_paths([root / "modules" / "demo-en"], diag)[0].modules[0]
    site = render_site(module, SiteOptions(edition="teacher"))
    page = site.files["index.html"]
    page = page.read_bytes() if isinstance(page, Path) else page
    tree = html.fromstring(page)
    shown = tree.xpath("//pre[contains(@class, 'lc-output-json')]")
    assert NASTY in [json.loads(pre.text_content()) for pre in shown]
    assert not tree.xpath("//script[contains(., 'alert')]")
