"""Helpers for the Jupyter Book tests: serve a built book on 127.0.0.1 and run axe-core on it."""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """The folder served on 127.0.0.1 while the block runs; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def book_pages(html_dir: Path) -> list[str]:
    """The content pages of a built book (not the theme's static files, index or search)."""
    return sorted(p.relative_to(html_dir).as_posix() for p in html_dir.rglob("*.html")
                  if "_static" not in p.parts and not p.name.startswith(("genindex", "search")))


def axe_problems(browser, base: str, pages: list[str], outside: list[str]) -> list[tuple]:
    """Serious and critical axe-core violations (WCAG 2.2 A/AA, harness/axe.py) of every
    page; requests that would leave 127.0.0.1 are stopped and listed in `outside`."""
    from axe import violations

    context = browser.new_context(viewport={"width": 1200, "height": 900})

    def route(r) -> None:
        if urlsplit(r.request.url).hostname == "127.0.0.1":
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    problems = []
    try:
        page = context.new_page()
        for name in pages:
            page.goto(f"{base}/{name}")
            problems += [(name, rule, targets) for rule, _, targets in violations(page)]
    finally:
        context.close()
    return problems
