"""axe-core from npm (the version package.json pins) run in a Playwright page, with the
WCAG 2.0/2.1/2.2 A and AA rules."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
SERIOUS = ("serious", "critical")


@functools.cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} not found: run `npm ci` (make test does)")
    return AXE_JS.read_text(encoding="utf-8")


def inject(page: Any) -> None:
    """Put axe into the page and every frame of it (through the debugger: a page's
    Content-Security-Policy does not stop it)."""
    for frame in page.frames:
        if not frame.evaluate("typeof window.axe !== 'undefined'"):
            frame.evaluate(axe_source())


def run(page: Any, context: Any = None) -> dict[str, Any]:
    """axe's results for the page as it is now (frames included), with the WCAG A/AA tags."""
    inject(page)
    options = {"runOnly": {"type": "tag", "values": list(TAGS)}}
    return page.evaluate("([ctx, opts]) => axe.run(ctx || document, opts)", [context, options])


def violations(page: Any, impacts: tuple[str, ...] = SERIOUS,
               context: Any = None) -> list[tuple[str, str, list[Any]]]:
    """(rule id, help, first targets) of every violation of these impacts."""
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
            for v in run(page, context)["violations"] if v["impact"] in impacts]


def version() -> str:
    """The version of axe-core the harness runs (from its package.json)."""
    import json

    return json.loads((AXE_JS.parent / "package.json").read_text())["version"]
