"""Notebook output MIME types: which ones pages show as such (shared by validate/ and render/)."""

from __future__ import annotations

from typing import Any

# The types lcmodules' notebook template renders on its own.
TEMPLATE_TYPES = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg",
                  "text/latex")
# Types only a browser running the output's scripts can show (a static page cannot).
SCRIPTED_PREFIXES = ("application/javascript", "application/vnd.jupyter.widget",
                     "application/vnd.plotly", "application/vnd.bokehjs", "application/vnd.vega",
                     "application/vnd.holoviews", "application/vdom")


def scripted_types(data: dict[str, Any]) -> list[str]:
    """The MIME types of an output that only a browser running its scripts can show."""
    return sorted(m for m in data if m.startswith(SCRIPTED_PREFIXES))
