"""`lcmodules build --format catalog`: catalog.json and catalog.html match the built packages."""

from __future__ import annotations

import hashlib
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from lcmodules.diagnostics import Diagnostics
from lcmodules.load import load_course

DATE = "2026-11-24"


def usable_formats(cli) -> list[str]:
    """A registered package format whose exporter is importable already (else none)."""
    from lcmodules.export import get_exporter

    listed = cli("build", "--list-formats", check=0).stdout.split()
    assert "catalog" in listed
    for name in ("scorm2004", "scorm12"):
        if name in listed:
            try:
                get_exporter(name)
            except ImportError:
                continue
            return [name]
    return []


def expected_artifacts(out: Path, slug: str, version: str) -> list[dict]:
    return expected_named(out, f"{slug}-{version}-")


def expected_named(out: Path, prefix: str) -> list[dict]:
    """Computed here independently: files by their bytes, folders as `sha256sum` lines."""
    found = []
    for path in sorted(out.iterdir(), key=lambda p: p.name):
        if not path.name.startswith(prefix):
            continue
        if path.is_file():
            data = path.read_bytes()
            found.append({"file": path.name, "kind": "file", "size": len(data),
                          "sha256": hashlib.sha256(data).hexdigest()})
        else:
            files = sorted((p for p in path.rglob("*") if p.is_file()),
                           key=lambda p: p.relative_to(path).as_posix())
            lines = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  "
                            f"{p.relative_to(path).as_posix()}\n" for p in files)
            found.append({"file": path.name, "kind": "folder",
                          "size": sum(p.stat().st_size for p in files),
                          "sha256": hashlib.sha256(lines.encode()).hexdigest()})
    return found


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "poster", "data") and value:
                self.urls.append(value)


@pytest.fixture()
def built(cli, course: Path, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """The example course, its first module released, built with a package format + catalog."""
    diag = Diagnostics()
    modules = load_course(course, diag).modules
    assert modules, "the example course has no modules"
    first = modules[0]
    cli("release", first.slug, "--bump", "minor", "--note", "Nieuwe casus", "--date", DATE,
        "--force", cwd=course, check=0)
    modules = load_course(course, Diagnostics()).modules
    out = tmp_path / "dist"
    out.mkdir()
    formats = usable_formats(cli)
    # a folder artifact (as the Jupyter Book export writes) and a stale older package
    book = out / f"{modules[0].slug}-{modules[0].meta.version}-book"
    (book / "notebooks").mkdir(parents=True)
    (book / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (book / "notebooks" / "a b.ipynb").write_bytes(b'{"cells": []}\n')
    (out / f"{modules[0].slug}-0.0.1-scorm12.zip").write_bytes(b"old")
    if not formats:  # no package exporter ready yet: stand-in packages
        for m in modules:
            (out / f"{m.slug}-{m.meta.version}-x.zip").write_bytes(m.slug.encode() * 100)
    args = [a for f in formats for a in ("--format", f)]
    cli("build", *args, "--format", "learner-repo", "--format", "catalog", "--out", out,
        cwd=course, check=0)
    return course, out, formats


def test_catalog_lists_every_built_package(built) -> None:
    course, out, formats = built
    data = json.loads((out / "catalog.json").read_text())
    modules = load_course(course, Diagnostics()).modules
    assert [m["slug"] for m in data["modules"]] == [m.slug for m in modules]
    for entry, module in zip(data["modules"], modules, strict=True):
        assert entry["id"] == module.meta.id and entry["version"] == module.meta.version
        assert entry["title"] == module.meta.title and entry["language"] == module.meta.language
        expected = expected_artifacts(out, module.slug, module.meta.version)
        assert expected, f"nothing was built for {module.slug}"
        listed = [{k: a[k] for k in ("file", "kind", "size", "sha256")} for a in entry["artifacts"]]
        assert listed == expected
        for fmt in formats:
            name = f"{module.slug}-{module.meta.version}-{fmt}.zip"
            assert any(a["file"] == name and a["format"] == fmt for a in entry["artifacts"])
        assert not any("-0.0.1-" in a["file"] for a in entry["artifacts"])
        assert entry["fingerprint"].startswith("sha256:")
    first = data["modules"][0]
    assert first["released"] == DATE
    assert first["changelog"][0]["version"] == first["version"]
    assert first["changelog"][0]["date"] == DATE
    assert "Nieuwe casus" in first["changelog"][0]["text"]
    assert any(a["kind"] == "folder" and a["format"] == "book" for a in first["artifacts"])


def test_catalog_html_links_every_package_and_requests_nothing(built) -> None:
    _, out, _ = built
    data = json.loads((out / "catalog.json").read_text())
    page = (out / "catalog.html").read_text()
    parser = Links()
    parser.feed(page)
    for entry in data["modules"]:
        assert entry["title"] in page
        for artifact in entry["artifacts"]:
            href = quote(artifact["file"]) + ("/" if artifact["kind"] == "folder" else "")
            assert href in parser.urls
            assert (out / artifact["file"]).exists()
            assert artifact["sha256"] in page
    assert "catalog.json" in parser.urls
    external = [u for u in parser.urls if u.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "link" not in parser.tags and "img" not in parser.tags
    assert "url(" not in page and "@import" not in page
    assert '<html lang="en">' in page and 'http-equiv="Content-Security-Policy"' in page


def test_catalog_is_deterministic(cli, built) -> None:
    course, out, _ = built
    first = {name: (out / name).read_bytes() for name in ("catalog.json", "catalog.html")}
    cli("build", "--format", "catalog", "--out", out, "--no-cache", cwd=course, check=0)
    assert {name: (out / name).read_bytes() for name in first} == first
    text = first["catalog.json"].decode()
    assert json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n" == text


@pytest.mark.browser
def test_catalog_filters_in_a_browser(built, browser) -> None:
    _, out, _ = built
    data = json.loads((out / "catalog.json").read_text())
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto((out / "catalog.html").as_uri())
    cards = page.locator("[data-lc-module]")
    total = len(data["modules"])
    assert cards.count() == total
    assert page.locator("#count").inner_text() == f"{total} of {total} modules shown"
    language = data["modules"][0]["language"]
    page.select_option("select[name=language]", language)
    same = sum(1 for m in data["modules"] if m["language"] == language)
    assert page.locator("[data-lc-module]:visible").count() == same
    page.select_option("select[name=language]", "")
    page.fill("input[name=q]", "geen-enkele-module-heet-zo")
    assert page.locator("[data-lc-module]:visible").count() == 0
    assert page.locator("#count").inner_text() == f"0 of {total} modules shown"
    assert [u for u in requests if not u.startswith("file:")] == []
    page.fill("input[name=q]", "")
    from axe_playwright_python.sync_playwright import Axe

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        result = Axe().run(page)
        assert result.violations_count == 0, result.generate_report()
    page.close()


def test_catalog_lists_course_wide_artifacts(built) -> None:
    course, out, _ = built
    data = json.loads((out / "catalog.json").read_text())
    slug = load_course(course, Diagnostics()).slug
    listed = [{k: a[k] for k in ("file", "kind", "size", "sha256")} for a in data["course_artifacts"]]
    assert listed == expected_named(out, f"{slug}-")
    assert [a["format"] for a in data["course_artifacts"]] == ["learner-repo"]
    assert f'href="{slug}-learner-repo/"' in (out / "catalog.html").read_text()
