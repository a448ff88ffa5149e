"""Preview: a module or SCORM package in an LMS-like page on 127.0.0.1, with scorm-again as the LMS."""

from __future__ import annotations

import http.server
import mimetypes
import os
import posixpath
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from lcmodules.core.diagnostics import Diagnostics, InputError, Problem
from lcmodules.core.localserver import LocalServer
from lcmodules.core.strings import FALLBACK, N_, interface_language, translator
from lcmodules.inspect.package import Item, Report, inspect_package
from lcmodules.inspect.safezip import SafeZip, UnsafeZip
from lcmodules.render.htmljson import script_json

if TYPE_CHECKING:
    from lcmodules.export.base import ScoMode

ENV = "LCMODULES_SCORM_AGAIN"
BUNDLE = Path("node_modules") / "scorm-again" / "dist" / "scorm-again.js"
PLAYER = Path(__file__).resolve().parent / "player.html.j2"
VENDORED = Path(__file__).resolve().parent / "vendor" / "scorm-again" / "scorm-again.js"
CHUNK = 256 * 1024  # bytes sent per write: memory stays flat whatever the file size


class PreviewError(Exception):
    """Something the user must fix before a preview can run (the message says what)."""


def find_scorm_again(start: Path | None = None) -> Path:
    """The scorm-again browser bundle: $LCMODULES_SCORM_AGAIN, else the copy shipped inside
    lcmodules (vendor/, put there when the wheel is built), else node_modules above the working
    folder or above lcmodules itself (a development checkout)."""
    value = os.environ.get(ENV)
    if value:
        path = Path(value).expanduser()
        if path.is_dir():
            path = path / "scorm-again.js" if (path / "scorm-again.js").is_file() else path / BUNDLE
        if not path.is_file():
            raise PreviewError(f"{ENV}={value} does not point at scorm-again's dist/scorm-again.js")
        return path.resolve()
    if VENDORED.is_file():
        return VENDORED
    for base in (start or Path.cwd(), Path(__file__).resolve().parent):
        for folder in (base, *base.parents):
            candidate = folder / BUNDLE
            if candidate.is_file():
                return candidate.resolve()
    raise PreviewError(
        "the scorm-again runtime is missing from this installation of lcmodules: reinstall it "
        "(`pip install --force-reinstall lcmodules`); in a repository checkout run `npm ci`, "
        f"or set {ENV} to the path of scorm-again's dist/scorm-again.js"
    )


@dataclass
class Prepared:
    """A package unpacked for the preview."""

    root: Path
    version: str  # "1.2" or "2004"
    title: str
    identifier: str
    package_version: str
    items: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    language: str = "en"  # the package's (its LOM metadata); the player speaks it


def _flatten(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for item in items:
        if item.launch:
            out.append(item)
        out.extend(_flatten(item.children))
    return out


def unpack_package(package: Path, workdir: Path) -> Prepared:
    """Check a SCORM zip like `inspect` does, then unpack it under `workdir/package`."""
    report: Report = inspect_package(package)
    fatal = [f for f in report.findings if f.code in (
        "refused", "unreadable", "manifest-missing", "manifest-not-at-root", "manifest-unreadable",
        "xml", "namespace", "not-a-manifest", "symlink", "zip-bomb", "absolute-path",
        "parent-path", "unsafe-name", "encrypted")]
    if fatal:
        raise PreviewError("; ".join(f.message for f in fatal))
    root = workdir / "package"
    root.mkdir(parents=True)
    try:
        with SafeZip(package) as zf:
            zf.extract_to(root)
    except UnsafeZip as exc:
        raise PreviewError(str(exc)) from None
    version = "1.2" if report.scorm_version == "1.2" else "2004"
    org = next((o for o in report.organizations if o.default), None) or \
        (report.organizations[0] if report.organizations else None)
    items = [{"id": i.identifier, "title": i.title or i.identifier, "launch": i.launch or ""}
             for i in _flatten(org.items if org else [])]
    if not items:
        items = [{"id": s.resource, "title": s.resource, "launch": s.launch} for s in report.scos]
    return Prepared(
        root=root, version=version, title=report.metadata.get("title") or package.name,
        identifier=report.identifier or package.stem, package_version=report.version or "",
        items=items, language=report.metadata.get("language") or FALLBACK,
        warnings=[f"{f.severity}: {f.message}" for f in report.findings if f.severity != "info"],
    )


def build_package(module_dir: Path, version: str, sco: ScoMode, workdir: Path) -> tuple[Path, list[Problem]]:
    """Build a module folder into a SCORM zip in `workdir`; also return the warnings.
    Validation errors raise InputError (every problem in it)."""
    from lcmodules.export.base import BuildOptions
    from lcmodules.export.scorm import Scorm12Exporter, Scorm2004Exporter
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import validate_courses

    diag = Diagnostics()
    courses = load_paths([module_dir], diag)
    validate_courses(courses, diag)
    if not diag.ok:
        raise InputError(diag.sorted())
    modules = [m for c in courses for m in c.modules]
    if len(modules) != 1:
        raise PreviewError(f"{module_dir} holds {len(modules)} modules; point at one module folder")
    exporter = Scorm12Exporter() if version == "1.2" else Scorm2004Exporter()
    options = BuildOptions(out=workdir / "build", sco=sco)
    return exporter.export_module(modules[0], options)[0], diag.sorted()


# the player script's words: key → msgid ({fields} filled in by the script)
SCRIPT_MESSAGES: dict[str, str] = {
    "running": N_("SCO running: {title}"),
    "closed": N_("SCO closed; its data is saved. Reopen to see resume."),
    "resume": N_("resume: the LMS hands back the saved data (entry = resume)"),
    "ended": N_("the last attempt ended (exit {exit}): a new attempt starts"),
    "first": N_("first launch (entry = ab-initio)"),
    "forgotten": N_("learner data forgotten"),
    "empty": N_("This package has no launchable item."),
    "cannotSave": N_("cannot save: {error}"),
}


def player_page(prepared: Prepared) -> bytes:
    """The LMS-like page around the package, in the package's language (its LOM metadata)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    words = translator(prepared.language)
    config = {
        "version": prepared.version, "identifier": prepared.identifier,
        "packageVersion": prepared.package_version, "title": prepared.title,
        "items": prepared.items,
        "text": {key: words.gettext(msgid) for key, msgid in SCRIPT_MESSAGES.items()},
    }
    env = Environment(loader=FileSystemLoader(PLAYER.parent), autoescape=select_autoescape(["j2"]),
                      extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(words)  # type: ignore[attr-defined]
    page = env.get_template(PLAYER.name).render(
        language=interface_language(prepared.language), title=prepared.title,
        config=Markup(script_json(config)))
    return page.encode("utf-8")


class _Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        if path in ("/", "/index.html"):
            self._send(200, self.server.page, "text/html; charset=utf-8")
        elif path == "/scorm-again.js":
            self._stream(self.server.bundle, "text/javascript; charset=utf-8")
        elif path.startswith("/package/"):
            self._file(path[len("/package/"):])
        elif path == "/favicon.ico":
            self._send(204, b"", "image/x-icon")
        else:
            self._send(404, b"not found", "text/plain")

    def _file(self, rel: str) -> None:
        rel = posixpath.normpath("/" + rel).lstrip("/")
        root = self.server.root
        target = (root / rel).resolve()
        if not target.is_relative_to(root) or not target.is_file():
            self._send(404, b"not found", "text/plain")
            return
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml"):
            ctype += "; charset=utf-8"
        self._stream(target, ctype)

    def _stream(self, target: Path, ctype: str) -> None:
        """Send a file in blocks (never read whole), honouring one `Range: bytes=` request."""
        size = target.stat().st_size
        span = byte_range(self.headers.get("Range"), size)
        if span == "unsatisfiable":
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        start, end = span if span else (0, size - 1)
        self.send_response(206 if span else 200)
        self.send_header("Content-Type", ctype)
        self.send_header("Accept-Ranges", "bytes")
        if span:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(max(end - start + 1, 0)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD" or size == 0:
            return
        with target.open("rb") as handle:
            handle.seek(start)
            left = end - start + 1
            while left > 0:
                block = handle.read(min(CHUNK, left))
                if not block:
                    break
                self.wfile.write(block)
                left -= len(block)


def byte_range(header: str | None, size: int) -> tuple[int, int] | Literal["unsatisfiable"] | None:
    """The (first, last) bytes of a single `Range: bytes=a-b` header (RFC 9110), None to send
    the whole file, or "unsatisfiable"."""
    if not header or not header.strip().lower().startswith("bytes=") or "," in header:
        return None  # no range, another unit, or several ranges: the whole file (allowed)
    first, _, last = header.strip()[6:].strip().partition("-")
    try:
        if not first:  # the last N bytes
            count = int(last)
            return (max(size - count, 0), size - 1) if count > 0 and size else "unsatisfiable"
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


class PreviewServer(LocalServer):
    """Serves the player page, scorm-again and the unpacked package on 127.0.0.1 only."""

    def __init__(self, prepared: Prepared, bundle: Path, port: int = 0) -> None:
        self.root = prepared.root.resolve()
        self.bundle = bundle
        self.page = player_page(prepared)
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def start_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, daemon=True)
        thread.start()
        return thread


mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/svg+xml", ".svg")
mimetypes.add_type("application/x-ipynb+json", ".ipynb")
