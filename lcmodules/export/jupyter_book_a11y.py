"""Sphinx extension written into exported books: accessibility fixes for the built pages.

Copied as `_ext/lc_a11y.py` into every Jupyter Book lcmodules exports and loaded through
`sphinx: local_extensions:`. docutils writes a bibliography as `<div role="list">` whose
entries are not list items, which axe-core reports as `aria-required-children` (serious);
the role is dropped, the entries stay as they are.
"""

from __future__ import annotations

from typing import Any

CITATION_LIST = '<div role="list" class="citation-list">'


def drop_citation_list_role(app: Any, pagename: str, templatename: str, context: dict[str, Any],
                            doctree: Any) -> None:
    """Rewrite the page body before the theme's template renders it."""
    body = context.get("body")
    if isinstance(body, str) and CITATION_LIST in body:
        context["body"] = body.replace(CITATION_LIST, '<div class="citation-list">')


def setup(app: Any) -> dict[str, Any]:
    app.connect("html-page-context", drop_citation_list_role)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
