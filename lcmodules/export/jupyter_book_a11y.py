"""Sphinx extension written into exported books: accessibility fixes for the built pages.

Copied as `_ext/lc_a11y.py` into every Jupyter Book lcmodules exports and loaded through
`sphinx: local_extensions:`. Each fix names the axe-core rule (WCAG 2.2 A/AA) it answers:

- docutils writes a bibliography as `<div role="list">` whose entries are not list items
  (`aria-required-children`): the role is dropped, the entries stay as they are.
- a collapsed cell's `<summary>` is labelled "Toggle hidden content" while it shows
  "Show code cell" (`label-content-name-mismatch`, WCAG 2.5.3): the label is dropped, so its
  name is the text it shows.
- the theme's colour-mode button is labelled "Color mode" while its icons carry the titles
  "Light", "Dark", "System Settings", which Font Awesome turns into visible names
  (`label-content-name-mismatch`): the icons lose their titles (Font Awesome then hides them
  from assistive technology), the button keeps its label and tooltip.
"""

from __future__ import annotations

import re
from typing import Any

CITATION_LIST = '<div role="list" class="citation-list">'
TOGGLE_SUMMARY = '<summary aria-label="Toggle hidden content">'
THEME_ICON_TITLE = re.compile(r'(<i class="theme-switch [^"]*"[^>]*?)\s+title="[^"]*"')


def fix_body(app: Any, pagename: str, templatename: str, context: dict[str, Any],
             doctree: Any) -> None:
    """Rewrite the page body before the theme's template renders it."""
    body = context.get("body")
    if isinstance(body, str):
        body = body.replace(CITATION_LIST, '<div class="citation-list">')
        context["body"] = body.replace(TOGGLE_SUMMARY, "<summary>")


def fix_page(html: str) -> str:
    """The fixes of what the theme's templates write around the body."""
    return THEME_ICON_TITLE.sub(r"\1", html)


def wrap_renderer(app: Any) -> None:
    """Pass every page the HTML builder renders through `fix_page`."""
    templates = getattr(app.builder, "templates", None)
    if templates is None or getattr(templates, "_lc_a11y", False):
        return
    render = templates.render

    def fixed(template: str, context: dict[str, Any]) -> str:
        return fix_page(render(template, context))

    templates.render = fixed
    templates._lc_a11y = True


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", wrap_renderer)
    app.connect("html-page-context", fix_body)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
