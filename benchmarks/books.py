"""Measure Jupyter Books end to end: import, validate, build, schemas, play, hosts (issue 18).

    python benchmarks/books.py BOOK_DIR… [--out DIR] [--json F] [--schemas DIR]

(a BOOK_DIR that is an lcmodules course — `_config.yml` and `modules/` — is measured without
the import: an imported course the lecturer has since edited, or a test's own course)

Per book: `lcmodules import-book` (one module per chapter), `lcmodules validate --json`
(a module is valid with 0 errors), `lcmodules build` of the valid modules in SCORM 2004,
SCORM 1.2 and Common Cartridge, every package through `lcmodules.inspect` with the schemas,
then every package played in headless Chromium (the SCORM ones in the scorm-again test LMS
of tests/harness) opening every unit; every request is recorded, and a host a module's pages
load that `validate` did not name for that module (nor the course accepts) is a failure.
Exit status 1 when a valid module fails to build, is not schema-valid, does not play, or loads
an unexpected host. See docs/import-book.md, "Measured on public books".
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "harness"))
CHROMIUM = os.environ.get("LCMODULES_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
FORMATS = ("scorm2004", "scorm12", "imscc")
HOST_NAMED = re.compile(r"loads from ([A-Za-z0-9.\-\[\]:]+?):? the page needs internet")
SETTLE_MS = 250


@dataclass
class ModuleResult:
    """What happened to one module (one chapter) of a book."""

    slug: str
    errors: list[str] = field(default_factory=list)
    named_hosts: list[str] = field(default_factory=list)
    packages: dict[str, str] = field(default_factory=dict)  # format → package file name
    schema_failures: list[str] = field(default_factory=list)
    play_failures: list[str] = field(default_factory=list)
    units_shown: int = 0  # over the pages of every package
    loaded_hosts: list[str] = field(default_factory=list)
    unexpected_hosts: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def built(self) -> bool:
        return self.valid and len(self.packages) == len(FORMATS)

    @property
    def schema_valid(self) -> bool:
        return self.built and not self.schema_failures

    @property
    def played(self) -> bool:
        return self.built and not self.play_failures


@dataclass
class BookResult:
    """The figures of one book and the modules behind them."""

    book: str
    imported: bool = False
    import_output: str = ""
    modules: list[ModuleResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def figures(self) -> dict[str, int]:
        """The table's row: chapters, valid, built, schema-valid, played, unexpected hosts."""
        m = self.modules
        return {"chapters": len(m), "valid": sum(x.valid for x in m),
                "built": sum(x.built for x in m), "schema_valid": sum(x.schema_valid for x in m),
                "played": sum(x.played for x in m),
                "unexpected_hosts": sum(len(x.unexpected_hosts) for x in m)}

    def ok(self) -> bool:
        """Every valid module built, is schema-valid, played and loaded no unexpected host."""
        f = self.figures()
        return self.imported and f["valid"] == f["built"] == f["schema_valid"] == f["played"] \
            and f["unexpected_hosts"] == 0

    def to_json(self) -> dict[str, Any]:
        modules = [{**asdict(x), "valid": x.valid, "built": x.built,
                    "schema_valid": x.schema_valid, "played": x.played} for x in self.modules]
        return {"book": self.book, "imported": self.imported, "figures": self.figures(),
                "ok": self.ok(), "seconds": self.seconds, "modules": modules,
                "import_output": self.import_output}


def lcmodules(*args: str | os.PathLike[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, with the Python this script runs under."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "lcmodules", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, env=env, check=False)


# ---------------------------------------------------------------- import, validate, build


def import_book(book: Path, course: Path, result: BookResult) -> None:
    """`import-book BOOK --out COURSE` (the book folder is the one holding `_toc.yml`); a
    course folder (`_config.yml` and `modules/`, no `_toc.yml`) is copied as it is instead."""
    if is_course(book):
        shutil.copytree(book, course)
        result.imported = True
        return
    proc = lcmodules("import-book", book, "--out", course)
    result.imported = proc.returncode == 0
    result.import_output = (proc.stdout + proc.stderr)[-4000:]


def module_folders(course: Path) -> list[Path]:
    """The modules the import wrote, in folder order."""
    return sorted(p.parent for p in (course / "modules").glob("*/module.yml"))


def validate_course(course: Path, result: BookResult) -> None:
    """One `validate --json` of the whole course; each problem belongs to the module whose
    folder holds its file (a problem of the course's own files counts for every module)."""
    proc = lcmodules("validate", ".", "--json", *sum((["-f", f] for f in FORMATS), []),
                     cwd=course)
    report = json.loads(proc.stdout)
    modules = {p.name: ModuleResult(p.name) for p in module_folders(course)}
    for problem in report["problems"]:
        parts = Path(problem["file"]).parts
        owners = [modules[parts[1]]] if len(parts) > 2 and parts[0] == "modules" \
            and parts[1] in modules else list(modules.values())
        line = _problem_line(problem)
        host = HOST_NAMED.search(problem["message"])
        for module in owners:
            if problem["severity"] == "error":
                module.errors.append(line)
            if host and host.group(1) not in module.named_hosts:
                module.named_hosts.append(host.group(1))
    result.modules = list(modules.values())


def _problem_line(problem: dict[str, Any]) -> str:
    where = problem["file"] + (f":{problem['line']}" if problem.get("line") else "")
    hint = f" — {problem['hint']}" if problem.get("hint") else ""
    return f"{where}: {problem['message']}{hint}"


def build_valid(course: Path, dist: Path, result: BookResult) -> None:
    """`build` of the valid modules in every format, all at once; when that fails, one by one
    (so one module's failure is its own)."""
    valid = [m for m in result.modules if m.valid]
    if not valid:
        return
    formats = sum((["-f", f] for f in FORMATS), [])
    proc = lcmodules("build", *[course / "modules" / m.slug for m in valid], *formats,
                     "--out", dist)
    if proc.returncode != 0:
        for module in valid:
            one = lcmodules("build", course / "modules" / module.slug, *formats, "--out", dist)
            if one.returncode != 0:
                module.play_failures.append(f"build failed: {(one.stdout + one.stderr)[-500:]}")
    _assign_packages(course, dist, valid)


def _assign_packages(course: Path, dist: Path, modules: list[ModuleResult]) -> None:
    """Each package in `dist` goes to the module whose id its manifest's identifier is (the
    course-wide cartridge, which holds them all, belongs to none)."""
    from lxml import etree
    from ruamel.yaml import YAML

    from lcmodules.export.xmlmeta import manifest_identifier

    yaml = YAML(typ="safe")
    owners = {manifest_identifier(str(yaml.load(
        (course / "modules" / m.slug / "module.yml").read_text("utf-8"))["id"])): m
        for m in modules}
    for package in sorted([*dist.glob("*.zip"), *dist.glob("*.imscc")]):
        with zipfile.ZipFile(package) as zf:
            root = etree.fromstring(zf.read("imsmanifest.xml"))
        module = owners.get(root.get("identifier", ""))
        if module is not None:
            module.packages[package_format(root.tag)] = package.name


def package_format(tag: str) -> str:
    """The format of a package from its manifest's namespace."""
    return "imscc" if "imsccv1p" in tag else "scorm12" if "imscp_rootv1p1p2" in tag \
        else "scorm2004"


# ---------------------------------------------------------------- schemas


def check_schemas(dist: Path, modules: list[ModuleResult], schemas: Path) -> None:
    """Every package through `inspect` with the schemas: checked, valid and no error."""
    from lcmodules.inspect.cartridge import inspect_cartridge
    from lcmodules.inspect.package import inspect_package

    for module in modules:
        for fmt, name in module.packages.items():
            inspect = inspect_cartridge if fmt == "imscc" else inspect_package
            report = inspect(dist / name, schemas)
            if not report.schema.get("checked") or not report.schema.get("valid"):
                module.schema_failures.append(f"{name}: schema {report.schema}")
            module.schema_failures += [f"{name}: {f.code}: {f.message}" for f in report.errors]


# ---------------------------------------------------------------- playing


class Player:
    """One headless Chromium: every request of a page (its frames included) is recorded, and
    every request that would leave 127.0.0.1 is stopped after it is recorded."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 2400})
        self.hosts: set[str] = set()
        self.shown = 0  # units shown, over every page opened
        self.errors: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route: Any, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.hosts.add(parts.hostname or "")
            route.abort()
        else:
            route.continue_()

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def close(self) -> None:
        self.context.close()


def show_every_unit(player: Player, frame: Any, where: str) -> list[str]:
    """Show each unit of a rendered page in turn (`#unit-N`, as its own navigation does),
    lazy frames and images made eager so that what a unit loads is loaded; the failures."""
    frame.locator("main[data-lc-unit]").first.wait_for(state="attached", timeout=20000)
    units = frame.evaluate("Array.from(document.querySelectorAll('main[data-lc-unit]'))"
                           ".map(m => m.getAttribute('data-lc-unit'))")
    failures = []
    for unit in units:
        frame.evaluate("n => { location.hash = '#unit-' + n; }", unit)
        try:
            frame.locator(f"main[data-lc-unit='{unit}']:not([hidden])").wait_for(timeout=10000)
        except Exception:  # noqa: BLE001 - Playwright's timeout: the unit did not show
            failures.append(f"{where}: unit {unit} did not show")
            continue
        player.shown += 1
        frame.evaluate("document.querySelectorAll('[loading=lazy]')"
                       ".forEach(e => e.setAttribute('loading', 'eager'))")
        frame.wait_for_timeout(SETTLE_MS)
    return failures


def play_scorm(player: Player, base: str, folder: str, launch: str, version: str) -> list[str]:
    """Launch a SCO in the test LMS (scorm-again), show every unit, close it: the failures."""
    page = player.new_page()
    where = f"{folder}/{launch}"
    try:
        page.goto(f"{base}/harness/lms.html?v={version}&launch={quote('/pkg/' + where)}")
        failures = show_every_unit(player, page.query_selector("#sco").content_frame(), where)
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function("window.lmsRecord !== undefined", timeout=10000)
        calls = page.evaluate("window.lmsCalls")
        first = "Initialize" if version == "2004" else "LMSInitialize"
        if not any(c["fn"] == first and c["result"] == "true" for c in calls):
            failures.append(f"{where}: the SCO did not initialise the SCORM API")
        return failures
    except Exception as exc:  # noqa: BLE001 - any browser failure is this package's failure
        return [f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0]}"]
    finally:
        page.close()


def play_page(player: Player, base: str, folder: str, href: str) -> list[str]:
    """Open a cartridge's web page as the LMS shows it (directly), every unit: the failures."""
    page = player.new_page()
    where = f"{folder}/{href}"
    try:
        page.goto(f"{base}/pkg/{quote(where)}")
        return show_every_unit(player, page.main_frame, where)
    except Exception as exc:  # noqa: BLE001 - as above
        return [f"{where}: {type(exc).__name__}: {str(exc).splitlines()[0]}"]
    finally:
        page.close()


def launches(fmt: str, package: Path) -> list[str]:
    """The pages a learner opens: each SCO's launch, or a cartridge's rendered web pages."""
    from lcmodules.inspect.cartridge import inspect_cartridge
    from lcmodules.inspect.package import inspect_package

    if fmt == "imscc":
        report = inspect_cartridge(package)
        return [r.href for r in report.resources
                if r.type == "webcontent" and r.href and r.href.endswith(".html")]
    return [sco.launch for sco in inspect_package(package).scos]


def play_module(player: Player, base: str, unpacked: Path, dist: Path,
                module: ModuleResult, accepted: list[str]) -> None:
    """Play each package of a module; the hosts its pages loaded against those named."""
    from lcmodules.core.urlpolicy import host_accepted

    player.hosts, player.shown = set(), 0
    before = len(player.errors)
    for fmt, name in module.packages.items():
        folder = f"{module.slug}-{fmt}"
        with zipfile.ZipFile(dist / name) as zf:
            zf.extractall(unpacked / folder)
        pages = launches(fmt, dist / name)
        if not pages:
            module.play_failures.append(f"{name}: no page to open")
        for href in pages:
            if fmt == "imscc":
                module.play_failures += play_page(player, base, folder, href)
            else:
                version = "2004" if fmt == "scorm2004" else "12"
                module.play_failures += play_scorm(player, base, folder, href, version)
    module.play_failures += [f"script error: {e}" for e in player.errors[before:]]
    module.units_shown = player.shown
    module.loaded_hosts = sorted(player.hosts)
    module.unexpected_hosts = [h for h in module.loaded_hosts if h not in module.named_hosts
                               and not host_accepted(h, accepted)]


def play_all(dist: Path, modules: list[ModuleResult], accepted: list[str]) -> None:
    """Every built module's packages, in one browser and one test-LMS server."""
    import scormtest
    from playwright.sync_api import sync_playwright

    unpacked = Path(tempfile.mkdtemp(prefix="lcm-books-play-"))
    try:
        with scormtest.harness_server(unpacked) as (base, _), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            player = Player(browser)
            try:
                for module in modules:
                    if module.built:
                        play_module(player, base, unpacked, dist, module, accepted)
            finally:
                player.close()
                browser.close()
    finally:
        shutil.rmtree(unpacked, ignore_errors=True)


def accepted_hosts(course: Path) -> list[str]:
    """`lcmodules.external_hosts` of the course's _config.yml (hosts it accepts)."""
    from ruamel.yaml import YAML

    config = YAML(typ="safe").load((course / "_config.yml").read_text("utf-8")) or {}
    return list((config.get("lcmodules") or {}).get("external_hosts") or [])


# ---------------------------------------------------------------- one book, the table


def is_course(path: Path) -> bool:
    """An lcmodules course rather than a book: measured as it is, without an import."""
    return (path / "_config.yml").is_file() and (path / "modules").is_dir() \
        and not (path / "_toc.yml").is_file()


def book_folder(path: Path) -> Path:
    """The folder holding `_toc.yml`: the path itself or its `book/` (TeachBooks' layout)."""
    return path / "book" if not (path / "_toc.yml").is_file() \
        and (path / "book" / "_toc.yml").is_file() else path


def measure(path: Path, out: Path, schemas: Path) -> BookResult:
    """Import, validate, build, check and play one book; its course and packages in `out`."""
    result = BookResult(path.name)
    course, dist = out / path.name / "course", out / path.name / "dist"
    shutil.rmtree(out / path.name, ignore_errors=True)
    steps = [("import", lambda: import_book(book_folder(path), course, result)),
             ("validate", lambda: validate_course(course, result)),
             ("build", lambda: build_valid(course, dist, result)),
             ("schemas", lambda: check_schemas(dist, result.modules, schemas)),
             ("play", lambda: play_all(dist, result.modules, accepted_hosts(course)))]
    for name, step in steps:
        start = time.perf_counter()
        step()
        result.seconds[name] = round(time.perf_counter() - start, 1)
        if not result.imported:
            break
    return result


COLUMNS = ("chapters", "valid", "built", "schema_valid", "played", "unexpected_hosts")


def table(result: BookResult) -> str:
    """One book's figures as a text table, then what failed, per module."""
    figures = result.figures()
    head = " | ".join(c.replace("_", "-") for c in COLUMNS)
    lines = [f"## {result.book}", head, " | ".join(
        str(figures[c]).rjust(len(c)) for c in COLUMNS)]
    if not result.imported:
        lines.append("import failed:\n" + result.import_output)
    for m in result.modules:
        lines += [f"  {m.slug}: {e}" for e in m.errors[:5]]
        lines += [f"  {m.slug}: {e}" for e in m.schema_failures + m.play_failures]
        lines += [f"  {m.slug}: loads {h}, which validate did not name" for h in m.unexpected_hosts]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("books", nargs="+", type=Path, help="book folders (or their repository)")
    parser.add_argument("--out", type=Path, help="keep courses and packages here")
    parser.add_argument("--json", type=Path, help="write every figure and failure here")
    parser.add_argument("--schemas", type=Path, default=REPO.parent / "shared" / "schemas")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="lcm-books-"))
    results = []
    for book in args.books:
        results.append(measure(book.resolve(), out.resolve(), args.schemas.resolve()))
        print(table(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps([r.to_json() for r in results], indent=2) + "\n", "utf-8")
    if args.out is None:
        shutil.rmtree(out, ignore_errors=True)
    return 0 if all(r.ok() for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
