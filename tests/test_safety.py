"""Issue 14: a hostile course of our own, built in every format, never harms sources or learners."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html as lxml_html

from lcmodules.build import run_build
from lcmodules.core.diagnostics import Diagnostics, InputError
from lcmodules.core.fsutil import write_tree, write_zip
from lcmodules.core.outpath import UnsafePathError, relative_name
from lcmodules.export.registry import BuildOptions
from lcmodules.load.loader import load_paths
from lcmodules.render.sanitize import (
    dangerous_url,
    host_accepted,
    neutralise_urls,
    sanitize_output_html,
    url_host,
)
from tests.conftest import REPO, run_cli

HOSTILE = REPO / "tests" / "fixtures" / "hostile"
OUTSIDE_BYTES = b"OUTSIDE-SECRET-7f3a9c-never-in-a-package\n"
SOLUTION = "GEHEIM-ANTWOORD-42"
# our own scripts: lc.js, the SCORM tracker and its runtime, the JSON data blocks
OUR_SCRIPTS = ("_static/", "lc-scorm", "scorm-again", "searchindex.js", "catalog.js")


def make_hostile(root: Path) -> Path:
    """A copy of the hostile course, with links made here (git cannot hold them portably)."""
    course = root / "course"
    shutil.copytree(HOSTILE, course)
    (root / "outside.txt").write_bytes(OUTSIDE_BYTES)
    kwaad = course / "modules" / "kwaad"
    (kwaad / "data").mkdir()
    (kwaad / "data" / "geheim.csv").symlink_to(root / "outside.txt")  # referenced by a page
    (kwaad / "notities.txt").symlink_to(root / "outside.txt")  # referenced by nothing
    (kwaad / "kopie.svg").symlink_to("plaatje.svg")  # a link inside the module: allowed
    return course


def source_hashes(course: Path) -> dict[str, str]:
    """Every file and link of the sources (dist/ left out): name → hash of bytes or target."""
    hashes = {}
    for folder, dirs, files in os.walk(course):
        dirs[:] = [d for d in dirs if not (Path(folder) == course and d == "dist")]
        for name in files:
            path = Path(folder) / name
            rel = path.relative_to(course).as_posix()
            data = os.readlink(path).encode() if path.is_symlink() else path.read_bytes()
            hashes[rel] = hashlib.sha256(data).hexdigest()
    return hashes


def output_files(out: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under `out`, zips opened (name, bytes)."""
    for path in sorted(out.rglob("*")):
        if path.is_symlink():
            raise AssertionError(f"an output is a link: {path}")
        if not path.is_file():
            continue
        data = path.read_bytes()
        yield str(path.relative_to(out)), data
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for name in zf.namelist():
                    yield f"{path.name}!{name}", zf.read(name)


def live_problems(name: str, data: bytes) -> list[str]:
    """Script URLs, smuggled scripts and event handlers in a built HTML page."""
    doc = lxml_html.document_fromstring(data.decode("utf-8", "replace"))
    found = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr.lower().startswith("on") and "pwned" in value:
                found.append(f"{name}: <{el.tag} {attr}>")
            if attr.lower() in ("href", "src", "action", "data") and dangerous_url(value):
                found.append(f"{name}: <{el.tag} {attr}={value!r}>")
        if el.tag == "script":
            src = el.get("src")
            if src and not any(ours in src for ours in OUR_SCRIPTS):
                found.append(f"{name}: <script src={src}>")
            if "pwned" in (el.text or ""):
                found.append(f"{name}: <script>{el.text}</script>")
    return found


def assert_safe_outputs(out: Path) -> list[str]:
    names = []
    for name, data in output_files(out):
        names.append(name)
        assert OUTSIDE_BYTES not in data, f"{name} holds the bytes of a file outside the course"
        if name.endswith(".html") and "/_build/html/_static/" not in name:
            assert live_problems(name, data) == [], name
    return names


# ---------------------------------------------------------------- the command line, every format


def all_formats() -> list[str]:
    listed = run_cli("build", "--list-formats", check=0).stdout
    return [line.split()[0] for line in listed.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The valid-but-hostile module built by `lcmodules build` in every format into ./dist."""
    course = make_hostile(tmp_path_factory.mktemp("hostile"))
    before = source_hashes(course)
    args = [a for f in all_formats() for a in ("--format", f)]
    run_cli("build", "modules/uitvoer", *args, "--html", "--out", "dist", cwd=course, check=0)
    return course, before, source_hashes(course)


def test_build_leaves_every_source_byte_identical(built) -> None:
    course, before, after = built
    assert after == before
    assert SOLUTION in (course / "modules" / "uitvoer" / "case.md").read_text()


def test_detour_in_contents_lands_inside_the_book(built) -> None:
    course, _, _ = built
    book = course / "dist" / "uitvoer-1.0.0-jupyter-book"
    page = (book / "case.md").read_text()
    assert SOLUTION not in page and "Een leverancier" in page
    assert "../" not in (book / "_toc.yml").read_text()


def test_no_output_runs_a_smuggled_script(built) -> None:
    course, _, _ = built
    names = assert_safe_outputs(course / "dist")
    pages = [n for n in names if n.endswith("index.html") and "scorm" in n]
    assert len(pages) == 2
    assert any(n.endswith("_build/html/notebooks/uitvoer.html") for n in names)


def test_json_output_is_inert_text_and_tables_stay(built) -> None:
    course, _, _ = built
    with zipfile.ZipFile(course / "dist" / "uitvoer-1.0.0-scorm2004.zip") as zf:
        page = zf.read("index.html").decode()
    assert "&lt;/pre&gt;&lt;script&gt;alert('pwned-json')&lt;/script&gt;" in page
    assert "<td>tabel-blijft</td>" in page and "onerror" not in page
    assert "alert('pwned-js')" not in page  # application/javascript outputs never reach a page


# ---------------------------------------------------------------- validation names every vector


def test_validate_names_each_vector_at_file_and_line(tmp_path: Path) -> None:
    course = make_hostile(tmp_path)
    proc = run_cli("validate", cwd=course, check=1)  # the links out are errors
    out = proc.stdout + proc.stderr
    assert "modules/kwaad/data/geheim.csv: links to a file outside the module" in out
    assert "modules/kwaad/notities.txt: links to a file outside the module" in out
    assert "copy the file in instead" in out
    assert "kopie.svg" not in out  # a link inside the module is allowed
    # what the pages make inert is a warning naming it (issue 17 item 4)
    assert "links.md:3: warning: download points at 'javascript:" in out
    assert "links.md:5: warning: the :target: of the figure points at 'javascript:" in out
    assert "links.md:12: warning: <a href='javascript:alert('pwned-a')'> (a script URL) " \
           "is made inert" in out
    assert "links.md:14: warning: the script https://cdn.extern.example/tracker.js is left " \
           "out: LMS pages run no author scripts" in out
    assert "links.md:16: warning: the event handler onerror= of <img> is left out" in out
    assert "uitvoer.ipynb:14: warning: cell 2: the HTML output is shown without an inline " \
           "script, the event handler onerror= of <img>" in out
    assert "<script> loads from" not in out  # left out, so never loaded: no host to name
    assert "case.md:9: warning: <img> loads from cdn.extern.example" in out
    assert "case.md:11: warning: <iframe> loads from h5p.extern.example" in out
    assert "vertrouwd.example" not in out  # an accepted host passes quietly


# ---------------------------------------------------------------- exporters alone (no validation)


def test_exporters_refuse_what_validation_would_stop(tmp_path: Path) -> None:
    """The library build cannot skip the check; and an exporter called on its own (as a plug-in
    caller might, past the pipeline) still follows no link out and writes no live script URL."""
    from lcmodules.export.registry import get_exporter
    from lcmodules.transform.learner import course_edition, module_edition

    course = make_hostile(tmp_path)
    before = source_hashes(course)
    diag = Diagnostics()
    courses = load_paths([course], diag)
    formats = ["jupyter-book", "learner-repo", "scorm12", "scorm2004", "catalog"]
    with pytest.raises(InputError) as refused:  # the one check refuses the link out
        run_build(courses, BuildOptions(out=tmp_path / "dist", formats=formats), use_cache=False)
    problems = " ".join(p.format() for p in refused.value.problems)
    assert "kwaad" in problems and "outside" in problems
    assert not list((tmp_path / "dist").glob("*.zip"))  # nothing exported before the check

    module = next(m for m in courses[0].modules if m.slug == "kwaad")
    edition = module_edition(module, "learner")
    options = BuildOptions(out=tmp_path / "direct", formats=["scorm12", "learner-repo"])
    options.out.mkdir()
    get_exporter("scorm12").export_module(edition, options)
    with pytest.raises(UnsafePathError, match="links to a file outside kwaad/"):
        # learner-repo copies the module folder: it refuses the link out itself
        get_exporter("learner-repo").export_course(course_edition(courses[0], "learner"), options)
    assert source_hashes(course) == before
    assert_safe_outputs(tmp_path / "direct")
    with zipfile.ZipFile(tmp_path / "direct" / "kwaad-1.0.0-scorm12.zip") as zf:
        page = zf.read("index.html").decode()
    assert "javascript:" not in page and "pwned" not in page
    assert page.count('href="#"') == 2  # {download} and :target: made inert by the final pass
    assert "<a>klik hier</a>" in page  # the raw <a href> lost its script URL


# ---------------------------------------------------------------- the pieces


def test_tree_and_zip_writers_refuse_names_outside(tmp_path: Path) -> None:
    for name in ("../escape.txt", "/abs.txt", "a/../../b", "a\\b", ""):
        with pytest.raises(UnsafePathError):
            write_tree(tmp_path / "t", {name: b"x"})
        with pytest.raises(UnsafePathError):
            write_zip(tmp_path / "z.zip", [(name, b"x")])
    assert not (tmp_path / "escape.txt").exists() and not (tmp_path / "z.zip").exists()


def test_writers_never_copy_a_link(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(OUTSIDE_BYTES)
    (tmp_path / "link").symlink_to(tmp_path / "secret")
    with pytest.raises(UnsafePathError):
        write_tree(tmp_path / "t", {"a.txt": tmp_path / "link"})
    with pytest.raises(UnsafePathError):
        write_zip(tmp_path / "z.zip", [("a.txt", tmp_path / "link")])
    (tmp_path / "t").mkdir(exist_ok=True)
    (tmp_path / "t" / "sub").symlink_to(tmp_path)  # a link already in the target folder
    with pytest.raises(UnsafePathError):
        write_tree(tmp_path / "t", {"sub/x.txt": b"x"})


def test_output_name_is_the_resolved_path(tmp_path: Path) -> None:
    (tmp_path / "m" / "a").mkdir(parents=True)
    (tmp_path / "m" / "a" / "p.md").write_text("x")
    assert relative_name(tmp_path / "m", tmp_path / "m" / "a" / ".." / "a" / "p.md") == "a/p.md"
    with pytest.raises(UnsafePathError):
        relative_name(tmp_path / "m", tmp_path / "m" / ".." / "x.md")


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JaVa\tScRiPt:x", "vbscript:msgbox",
                                 "data:text/html,<script>", "data:image/svg+xml,<svg onload=x>"])
def test_dangerous_urls(url: str) -> None:
    assert dangerous_url(url)


@pytest.mark.parametrize("url", ["img/a.png", "https://x.org/a", "#top", "mailto:a@b.nl",
                                 "data:image/png;base64,iVBOR"])
def test_harmless_urls(url: str) -> None:
    assert not dangerous_url(url)


def test_hosts_exact_or_listed_subdomains() -> None:
    assert url_host("//cdn.example.org/x.js") == "cdn.example.org"
    assert url_host("img/a.png") is None
    assert host_accepted("h5p.org", ["h5p.org"]) and not host_accepted("evil.h5p.org", ["h5p.org"])
    assert host_accepted("a.b.edu.nl", [".b.edu.nl"]) and host_accepted("b.edu.nl", [".b.edu.nl"])
    assert not host_accepted("xb.edu.nl", [".b.edu.nl"])


def test_output_sanitiser_keeps_tables_styles_images() -> None:
    clean = sanitize_output_html(
        '<style>td{color:red}</style><table class="df"><tr><td style="x:1">1</td></tr></table>'
        '<img src="a.png" onerror="alert(1)" alt="a"><script>alert(2)</script>'
        '<a href="javascript:alert(3)">x</a><iframe src="https://x.org"></iframe>')
    assert "<style>td{color:red}</style>" in clean and '<table class="df">' in clean
    assert '<img src="a.png" alt="a">' in clean
    for gone in ("onerror", "<script", "alert(2)", "javascript", "<iframe"):
        assert gone not in clean


def test_final_pass_keeps_clean_pages_byte_for_byte() -> None:
    page = b'<!DOCTYPE html>\n<html><body><a href="a.html">a</a><math><mi>x</mi></math></body></html>\n'
    assert neutralise_urls(page) is page
    bad = neutralise_urls(b'<html><body><a href="java&#x73;cript:alert(1)">a</a></body></html>')
    assert b'href="#"' in bad and b"alert" not in bad


def test_trusted_outputs_keep_scripts(tmp_path: Path) -> None:
    course = make_hostile(tmp_path)
    config = course / "_config.yml"
    config.write_text(config.read_text().replace("lcmodules:\n", "lcmodules:\n  trusted_outputs: true\n"))
    diag = Diagnostics()
    courses = load_paths([course / "modules" / "uitvoer"], diag)
    from lcmodules.render.site import render_site

    page = render_site(courses[0].modules[0]).files["index.html"].decode()
    assert "<script>alert('pwned-html')</script>" in page
    assert "<script>alert('pwned-js')</script>" in page  # application/javascript, trusted


def test_own_chrome_loads_nothing_from_outside(tmp_path: Path) -> None:
    """lcmodules' page, styles and scripts name no other host (the example course, built)."""
    diag = Diagnostics()
    courses = load_paths([REPO / "tests" / "fixtures" / "minimal"], diag)
    from lcmodules.render.site import render_site

    site = render_site(courses[0].modules[0])
    for name, content in site.files.items():
        data = content.read_bytes() if isinstance(content, Path) else content
        if name.endswith((".html", ".css", ".js")):
            text = data.decode("utf-8")
            assert "http://" not in text.replace("http://www.w3.org/", "")
            assert "https://" not in text, name
            assert "url(//" not in text and 'src="//' not in text, name
