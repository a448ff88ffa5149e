"""Rendering constructs found in a real Jupyter Book, on small texts of our own."""

from __future__ import annotations

from lcmodules.load.myst import myst_problems
from lcmodules.render.markdown import Context, renderer


def test_kramdown_link_attributes_become_attributes() -> None:
    html = renderer().render('Get [the tool](https://example.org/tool){:target="_blank"} and '
                             '[more](https://example.org/more){:onclick="go()"}.', Context())
    assert '<a href="https://example.org/tool" target="_blank" rel="noopener">the tool</a>' in html
    assert '<a href="https://example.org/more">more</a>' in html
    assert ":target" not in html and "onclick" not in html


def test_admonition_classes_with_commas_and_dropdown() -> None:
    text = ("````{admonition} Look first\n:class: Tip, dropdown\nHidden *text*.\n````\n\n"
            "```{note}\n:class: wide\nOpen.\n```\n")
    html = renderer().render(text, Context())
    assert '<details class="lc-admonition lc-tip dropdown">' in html
    assert '<summary class="lc-admonition-title">Look first</summary>' in html
    assert "Hidden <em>text</em>." in html and "," not in html.split("Hidden")[0]
    assert '<div class="lc-admonition lc-note wide" role="note">' in html


def test_sphinx_inline_tabs_render_as_folds_without_a_warning() -> None:
    text = ("````{tab} Unix *shell*\nList:\n```bash\nls -la\n```\n````\n"
            "````{tab} Windows\nDir.\n````\n")
    html = renderer().render(text, Context())
    assert html.count('<details class="lc-tab-item lc-inline-tab">') == 2
    assert "<summary>Unix <em>shell</em></summary>" in html and "<summary>Windows</summary>" in html
    assert 'data-lang="bash"' in html and "<p>Dir.</p>" in html
    assert myst_problems(text) == []
    assert [p.message for p in myst_problems("```{tabz} X\nY\n```\n")]  # a typo still warns
