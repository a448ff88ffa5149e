"""The HTTP side of `lcmodules serve`: pages from memory, the panel, reload events, on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import mimetypes
import posixpath
import re
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from lcmodules.core.diagnostics import Problem
from lcmodules.core.localserver import LocalServer
from lcmodules.core.strings import N_, interface_language, most_used_language, translator
from lcmodules.render.site import Site
from lcmodules.serve.workspace import EDITIONS, ModuleEntry, Workspace, broken_title

BODY_OPEN = re.compile(rb"<body\b[^>]*>", re.I)


def with_bar(page: bytes, bar: bytes) -> bytes:
    """The page with serve's bar first in its body, in the flow of the page: a bar that stays
    on screen over the page would cover what lies under it (WCAG 2.5.8, target size)."""
    found = BODY_OPEN.search(page)
    if found is None:
        return bar + page
    return page[:found.end()] + bar + page[found.end():]

HERE = Path(__file__).resolve().parent
STATIC = {"serve.js": "text/javascript; charset=utf-8", "serve.css": "text/css; charset=utf-8"}


@functools.cache
def _environment(language: str) -> Environment:
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(translator(language))  # type: ignore[attr-defined]
    return env


def environment(language: str) -> Environment:
    """The templates of serve's bar, panel and pages, speaking `language` (`_()`, `ngettext()`)."""
    return _environment(interface_language(language))
HEARTBEAT = 15.0  # seconds between keep-alive comments on the event stream


def problem_view(problem: Problem, root: Path) -> dict[str, Any]:
    """A problem for the panel, its file shown relative to the served folder."""
    try:
        where = Path(problem.file).resolve().relative_to(root).as_posix() or "."
    except ValueError:
        where = str(problem.file)
    if problem.line is not None:
        where += f":{problem.line}"
    return {"where": where, "severity": problem.severity, "message": problem.message,
            "hint": problem.hint}


class ServeServer(LocalServer):
    """Serves the workspace's sites; `stopping` ends the event streams."""

    def __init__(self, workspace: Workspace, host: str = "127.0.0.1", port: int = 0) -> None:
        self.workspace = workspace
        self.stopping = threading.Event()
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):  # typeshed allows it; an AF_INET server's host is a str
            host = host.decode()
        return f"http://{host}:{port}/"

    def panel(self, entry: ModuleEntry | None, edition: str = "learner", page: str = "") -> str:
        ws = self.workspace
        problems = list(ws.course_problems) + (entry.problems if entry else
                                               [p for p in ws.all_problems()
                                                if p not in ws.course_problems])
        views = [problem_view(p, ws.root) for p in problems]
        return environment(self.language(entry)).get_template("panel.html.j2").render(
            generation=ws.generation, title="lcmodules serve" if ws.is_module else None,
            slug=entry.slug if entry else "", edition=edition, page=page, problems=views,
            errors=sum(v["severity"] == "error" for v in views),
            warnings=sum(v["severity"] == "warning" for v in views))

    def language(self, entry: ModuleEntry | None) -> str:
        """The language serve speaks: the module's, else the one most modules use, else English."""
        stubs = [entry.stub] if entry is not None else \
            [e.stub for e in self.workspace.entries.values()]
        return most_used_language(s.meta.language for s in stubs if s is not None)

    def standalone(self, heading: str | None, panel: str, reason: str = "",
                   modules: list[ModuleEntry] | None = None,
                   problems: list[Problem] | None = None,
                   entry: ModuleEntry | None = None) -> bytes:
        """A page of serve's own (`heading` None: the list of modules)."""
        views = [problem_view(p, self.workspace.root) for p in problems or []]
        language = self.language(entry)
        return environment(language).get_template("page.html.j2").render(
            heading=heading, reason=reason, modules=modules, panel=Markup(panel),
            problems=views, language=language).encode("utf-8")

    def gettext(self, entry: ModuleEntry | None, message: str) -> str:
        return translator(self.language(entry)).gettext(message)

    def broken_unit(self, entry: ModuleEntry, site: Site, edition: str, rel: str) -> bytes | None:
        """The page of a unit that did not load: its title and its problems, in the page
        (None when the page `rel` shows a unit that loaded)."""
        index = next((i for i, name in site.unit_pages.items() if name == rel), None)
        units = entry.module.units if entry.module is not None else []
        unit = next((u for u in units if u.index == index), None)
        title = broken_title(unit) if unit is not None else None
        if unit is None or title is None:
            return None
        source = unit.source.resolve()
        own = [p for p in entry.problems if Path(p.file).resolve() == source]
        reason = self.gettext(entry, N_("{file} could not be loaded")).format(file=unit.rel)
        return self.standalone(f"{title} — {entry.title}", self.panel(entry, edition, rel),
                               reason=reason, problems=own, entry=entry)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: ServeServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self._send(302, b"", "text/plain", {"Location": location})

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.headers.get("Host", "") not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            # another site's page reaching this server through a DNS name it controls
            self._send(403, b"forbidden", "text/plain; charset=utf-8")
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        ws = self.server.workspace
        if path == "/__lcserve/events":
            self._events(parse_qs(url.query).get("generation", [""])[0])
        elif path.startswith("/__lcserve/") and path[len("/__lcserve/"):] in STATIC:
            name = path[len("/__lcserve/"):]
            self._send(200, (HERE / "static" / name).read_bytes(), STATIC[name])
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        elif path in ("/", "/index.html"):
            if ws.is_module and ws.entries:
                self._redirect(f"/{quote(next(iter(ws.entries)))}/learner/")
            else:
                self._send(200, self.server.standalone(
                    None, self.server.panel(None), modules=list(ws.entries.values())),
                    "text/html; charset=utf-8")
        else:
            self._module_file(path)

    def _module_file(self, path: str) -> None:
        parts = path.lstrip("/").split("/", 2)
        ws = self.server.workspace
        if len(parts) < 2 or parts[0] not in ws.entries or parts[1] not in EDITIONS:
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        slug, edition = parts[0], parts[1]
        rel = posixpath.normpath("/" + (parts[2] if len(parts) > 2 else "")).lstrip("/")
        entry, site, (reason, fields) = ws.site(slug, edition)
        if site is None:
            panel = self.server.panel(entry, edition, rel)
            why = self.server.gettext(entry, reason).format(**fields)
            self._send(200, self.server.standalone(entry.title, panel, entry=entry, reason=why),
                       "text/html; charset=utf-8")
            return
        if rel in ("", "."):
            self._redirect(f"/{quote(slug)}/{edition}/{quote(site.pages[0])}" if site.pages
                           else "/")
            return
        content = site.files.get(rel)
        if content is None:
            self._send(404, b"not found", "text/plain; charset=utf-8")
            return
        body = content if isinstance(content, bytes) else content.read_bytes()
        ctype = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        broken = self.server.broken_unit(entry, site, edition, rel) if rel in site.pages else None
        if broken is not None:
            self._send(200, broken, "text/html; charset=utf-8")
            return
        if rel in site.pages:
            body = with_bar(body, self.server.panel(entry, edition, rel).encode("utf-8"))
        if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self._send(200, body, ctype)

    def _events(self, generation: str) -> None:
        """Server-sent events: the workspace's generation, each time it changes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        ws = self.server.workspace
        seen = int(generation) if generation.isdigit() else -1
        try:
            while not self.server.stopping.is_set():
                current = ws.wait_for_change(seen, timeout=HEARTBEAT)
                if current != seen:
                    self.wfile.write(f"data: {current}\n\n".encode())
                    seen = current
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("application/x-ipynb+json", ".ipynb")
