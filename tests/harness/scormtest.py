"""Helpers shared by the SCORM tests: test modules, package builds, an LMS harness server, zips."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import struct
import threading
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
HARNESS = Path(__file__).resolve().parent
SCORM_AGAIN = REPO / "node_modules" / "scorm-again" / "dist"
NS_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"


# ---------------------------------------------------------------- modules


QUIZ = """\
title: Kennischeck
mastery_score: 0.6
questions:
  - id: metriek
    type: single
    prompt: Welke metriek?
    choices:
      - text: Accuracy
      - text: Recall
        correct: true
  - id: genoeg
    type: true-false
    prompt: Is 99 % genoeg?
    answer: false
  - id: drempel
    type: numeric
    prompt: Welke temperatuur?
    answer: 230
    tolerance: 5
  - id: kenmerken
    type: multiple
    prompt: Welke kloppen?
    points: 2
    choices:
      - text: A
        correct: true
      - text: B
      - text: C
        correct: true
  - id: model
    type: text
    prompt: Welk model?
    answers: [random forest, randomforest]
"""


def write_module(root: Path, slug: str = "testmodule", version: str = "1.0.0",
                 module_id: str = "lc-test/testmodule") -> Path:
    """A small module with a page, a notebook and a knowledge check of every question type."""
    folder = root / slug
    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    (folder / "module.yml").write_text(
        f"id: {module_id}\ntitle: Testmodule\nversion: {version}\nlanguage: nl\n"
        "summary: Een module voor de tests.\nauthors:\n  - name: T. Ester\n"
        "license: CC-BY-4.0\nkeywords: [test]\n"
        "contents:\n  - case.md\n  - notebooks/verkennen.ipynb\n  - check.quiz.yml\n",
        encoding="utf-8",
    )
    (folder / "case.md").write_text("# De casus\n\nEen bakkerij met een oven.\n", encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Verkennen\n\nKijk naar de data."),
                nbformat.v4.new_code_cell("print(1 + 1)")]
    nbformat.write(nb, folder / "notebooks" / "verkennen.ipynb")
    (folder / "check.quiz.yml").write_text(QUIZ, encoding="utf-8")
    return folder


def write_long_module(root: Path, units: int = 50, questions: int = 40) -> Path:
    """A long module: pages and four quizzes, `questions` questions in all, every type."""
    folder = root / "lang"
    folder.mkdir(parents=True)
    quizzes = 4
    per_quiz = questions // quizzes
    contents = [f"p{i:02d}.md" for i in range(units - quizzes)]
    for name in contents:
        (folder / name).write_text(f"# Pagina {name}\n\nTekst.\n", encoding="utf-8")
    types = ["text", "single", "multiple", "true-false", "numeric"]
    for q in range(quizzes):
        lines = [f"title: Toets {q}", "mastery_score: 0.5", "questions:"]
        for n in range(per_quiz):
            kind = types[n % len(types)]
            lines += [f"  - id: v{n}", f"    type: {kind}", f"    prompt: Vraag {n}?"]
            if kind in ("single", "multiple"):
                lines += ["    choices:"] + [f"      - text: Keuze {c}" + (
                    "\n        correct: true" if c == 1 else "") for c in range(6)]
            elif kind == "true-false":
                lines += ["    answer: true"]
            elif kind == "numeric":
                lines += ["    answer: 42", "    tolerance: 0.5"]
            else:
                lines += ["    answers: [een heel lang antwoord]"]
        name = f"toets{q}.quiz.yml"
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        contents.insert((q + 1) * (len(contents) // quizzes), name)
    (folder / "module.yml").write_text(
        "id: lc-test/lang\ntitle: Een lange module\nversion: 1.0.0\nlanguage: nl\ncontents:\n"
        + "".join(f"  - {c}\n" for c in contents), encoding="utf-8")
    return folder


def load(folder: Path):  # type: ignore[no-untyped-def]
    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.load.loader import load_paths
    from lcmodules.validate.rules import validate_courses

    diag = Diagnostics()
    courses = load_paths([folder], diag)
    validate_courses(courses, diag)
    assert diag.ok, [p.format() for p in diag.errors]
    return courses


def build(folder: Path, out: Path, formats: tuple[str, ...] = ("scorm12", "scorm2004"),
          sco: str = "single") -> list[Path]:
    """Build packages in-process (faster than the command line) and return their paths."""
    from lcmodules.build import run_build
    from lcmodules.export.registry import BuildOptions

    courses = load(folder)
    options = BuildOptions(out=out, sco=sco, formats=list(formats))  # type: ignore[arg-type]
    return run_build(courses, options).artifacts


def unpack(package: Path, dest: Path) -> Path:
    with zipfile.ZipFile(package) as zf:
        zf.extractall(dest)
    return dest


# ---------------------------------------------------------------- the LMS harness server


class _Handler(http.server.SimpleHTTPRequestHandler):
    roots: dict[str, Path] = {}
    records: list[dict] = []

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        for prefix, root in self.roots.items():
            if path.startswith(prefix):
                return str(root / path[len(prefix):])
        return str(HARNESS / "does-not-exist")

    def do_GET(self) -> None:
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        super().do_GET()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/record":
            self.records.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def harness_server(packages: Path) -> Iterator[tuple[str, list[dict]]]:
    """Serve /harness/ (the LMS page), /scorm-again/ (node_modules) and /pkg/ on 127.0.0.1."""
    if not (SCORM_AGAIN / "scorm12.js").is_file():
        raise RuntimeError(f"{SCORM_AGAIN} is missing: run `npm ci` at the repository root")
    records: list[dict] = []
    handler = type("Handler", (_Handler,), {
        "roots": {"/harness/": HARNESS, "/scorm-again/": SCORM_AGAIN, "/pkg/": packages},
        "records": records,
    })
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", records
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- schemas


@functools.cache
def schema(schemas_dir: Path, version: str):  # type: ignore[no-untyped-def]
    from lxml import etree

    folder = "scorm12" if version == "1.2" else "scorm2004"
    return etree.XMLSchema(etree.parse(str(schemas_dir / folder / "lxml_root.xsd"),
                                       etree.XMLParser(no_network=True)))


# ---------------------------------------------------------------- hand-made zips


def _dos_time() -> tuple[int, int]:
    return 0, (1980 - 1980) << 9 | 1 << 5 | 1


def raw_zip(path: Path, members: list[dict]) -> None:
    """Write a zip by hand, so tests can declare what no zip library writes.

    A member: name, data (bytes, stored) or deflated (raw deflate bytes) with size and crc,
    and optionally mode (Unix mode for the external attributes).
    """
    t, d = _dos_time()
    central = bytearray()
    with path.open("wb") as fh:
        for m in members:
            name = m["name"].encode("utf-8")
            if "deflated" in m:
                body, method, size, crc = m["deflated"], 8, m["size"], m.get("crc", 0)
            else:
                body = m.get("data", b"")
                method, size, crc = 0, len(body), zlib.crc32(body)
            offset = fh.tell()
            flags = 0x800
            fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, t, d, crc,
                                 len(body), size, len(name), 0))
            fh.write(name)
            fh.write(body)
            mode = m.get("mode", 0o100644)
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, 20, flags,
                                   method, t, d, crc, len(body), size, len(name), 0, 0, 0, 0,
                                   mode << 16, offset)
            central += name
        start = fh.tell()
        fh.write(central)
        count = len(members)
        if count > 0xFFFF:  # zip64 end records carry the real count
            at = fh.tell()
            fh.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                                 len(central), start))
            fh.write(struct.pack("<IIQI", 0x07064B50, 0, at, 1))
        fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(count, 0xFFFF),
                             min(count, 0xFFFF), len(central), start, 0))


def zeros_deflated(total: int, chunk: int = 1 << 20) -> bytes:
    """Raw deflate data that inflates to `total` zero bytes, made without compressing them all:
    after a full flush the compressor restarts, so each chunk compresses to the same bytes."""
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(bytes(chunk)) + comp.flush(zlib.Z_FULL_FLUSH)
    repeat = comp.compress(bytes(chunk)) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush()
    count = total // chunk
    return block + repeat * (count - 1) + tail


def zip_of(path: Path, files: dict[str, bytes | str]) -> Path:
    """An ordinary zip of the given members."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return path
