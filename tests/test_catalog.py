"""`lcmodules build --format catalog`: catalog.json and catalog.html match the built packages."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.load.loader import load_course

DATE = "2026-11-24"


FORMATS = ["scorm2004", "jupyter-book"]


def expected_named(out: Path, names: list[str]) -> list[dict]:
    """Computed here independently: files by their bytes, folders as `sha256sum` lines."""
    found = []
    for name in sorted(names):
        path = out / name
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


def built_names(slug: str, version: str) -> list[str]:
    return [f"{slug}-{version}-scorm2004.zip", f"{slug}-{version}-jupyter-book"]


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


def page_language(out: Path) -> str:
    return re.search(r'<html lang="([^"]+)">', (out / "catalog.html").read_text()).group(1)


@pytest.fixture()
def built(cli, course: Path, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """The example course, its first module released, built with real package formats, the
    learner repository and the catalogue, into a folder that also holds stale artifacts."""
    diag = Diagnostics()
    modules = load_course(course, diag).modules
    assert modules, "the example course has no modules"
    first = modules[0]
    cli("release", first.slug, "--bump", "minor", "--note", "Nieuwe casus", "--date", DATE,
        "--force", cwd=course, check=0)
    modules = load_course(course, Diagnostics()).modules
    out = tmp_path / "dist"
    out.mkdir()
    # stale artifacts no build of this run or before recorded: never listed
    first = modules[0]
    stale = out / f"{first.slug}-{first.meta.version}-book"
    (stale / "notebooks").mkdir(parents=True)
    (stale / "_toc.yml").write_text("format: jb-book\nroot: index\n")
    (out / f"{first.slug}-0.0.1-scorm12.zip").write_bytes(b"old")
    (out / f"{first.slug}-{first.meta.version}-scorm12.zip").write_bytes(b"stale")
    args = [a for f in FORMATS for a in ("--format", f)]
    cli("build", *args, "--format", "learner-repo", "--format", "catalog", "--out", out,
        cwd=course)
    return course, out, FORMATS


def test_catalog_lists_every_built_package(built) -> None:
    course, out, formats = built
    data = json.loads((out / "catalog.json").read_text())
    modules = load_course(course, Diagnostics()).modules
    assert [m["slug"] for m in data["modules"]] == [m.slug for m in modules]
    for entry, module in zip(data["modules"], modules, strict=True):
        assert entry["id"] == module.meta.id and entry["version"] == module.meta.version
        assert entry["title"] == module.meta.title and entry["language"] == module.meta.language
        expected = expected_named(out, built_names(module.slug, module.meta.version))
        listed = [{k: a[k] for k in ("file", "kind", "size", "sha256")} for a in entry["artifacts"]]
        assert listed == expected
        assert sorted(a["format"] for a in entry["artifacts"]) == sorted(formats)
        stale = {f"{module.slug}-{module.meta.version}-book", f"{module.slug}-0.0.1-scorm12.zip",
                 f"{module.slug}-{module.meta.version}-scorm12.zip"}
        assert not stale & {a["file"] for a in entry["artifacts"]}
        assert entry["fingerprint"].startswith("sha256:")
    first = data["modules"][0]
    assert first["released"] == DATE
    assert first["changelog"][0]["version"] == first["version"]
    assert first["changelog"][0]["date"] == DATE
    assert "Nieuwe casus" in first["changelog"][0]["text"]
    assert any(a["kind"] == "folder" and a["format"] == "jupyter-book"
               for a in first["artifacts"])


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
    assert "img" not in parser.tags and "<style" not in page and " style=" not in page
    assert {"catalog.css", "catalog.js"} <= set(parser.urls)
    for name in ("catalog.css", "catalog.js"):
        text = (out / name).read_text()
        assert "url(" not in text and "@import" not in text and "http" not in text
    assert 'http-equiv="Content-Security-Policy"' in page


def test_catalog_is_deterministic(cli, built) -> None:
    course, out, _ = built
    first = {name: (out / name).read_bytes()
             for name in ("catalog.json", "catalog.html", "catalog.css", "catalog.js")}
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
    shown = "{} van {} modules getoond" if page_language(out) == "nl" else "{} of {} modules shown"
    assert page.locator("#count").inner_text() == shown.format(total, total)
    language = data["modules"][0]["language"]
    page.select_option("select[name=language]", language)
    same = sum(1 for m in data["modules"] if m["language"] == language)
    assert page.locator("[data-lc-module]:visible").count() == same
    page.select_option("select[name=language]", "")
    page.fill("input[name=q]", "geen-enkele-module-heet-zo")
    assert page.locator("[data-lc-module]:visible").count() == 0
    assert page.locator("#count").inner_text() == shown.format(0, total)
    assert [u for u in requests if not u.startswith("file:")] == []
    page.fill("input[name=q]", "")
    from tests.harness.axe import run

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                 for v in run(page)["violations"]]
        assert found == [], (scheme, found)
    page.close()


def test_catalog_lists_course_wide_artifacts(built) -> None:
    course, out, _ = built
    data = json.loads((out / "catalog.json").read_text())
    slug = load_course(course, Diagnostics()).slug
    listed = [{k: a[k] for k in ("file", "kind", "size", "sha256")} for a in data["course_artifacts"]]
    assert listed == expected_named(out, [f"{slug}-jupyter-book", f"{slug}-learner-repo"])
    assert [a["format"] for a in data["course_artifacts"]] == ["jupyter-book", "learner-repo"]
    assert f'href="{slug}-learner-repo/"' in (out / "catalog.html").read_text()
