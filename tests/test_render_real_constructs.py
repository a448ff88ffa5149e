"""Rendering constructs found in a real Jupyter Book, on small texts of our own."""

from __future__ import annotations

from lcmodules.render.markdown import Context, renderer


def test_kramdown_link_attributes_become_attributes() -> None:
    html = renderer().render('Get [the tool](https://example.org/tool){:target="_blank"} and '
                             '[more](https://example.org/more){:onclick="go()"}.', Context())
    assert '<a href="https://example.org/tool" target="_blank" rel="noopener">the tool</a>' in html
    assert '<a href="https://example.org/more">more</a>' in html
    assert ":target" not in html and "onclick" not in html
