"""`lti publish` and serving: released versions stored content-addressed, a link's version policy
picks the newest matching one, and a version stays servable after the sources move on."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from conftest import run_cli

pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import change_text, write_course  # noqa: E402
from lti_platform import Browser, World, lti_world, resource_link  # noqa: E402

from lcmodules.lti import store  # noqa: E402
from lcmodules.lti.errors import LtiError  # noqa: E402


@pytest.fixture()
def world(tmp_path: Path) -> Iterator[tuple[World, Path]]:
    course = write_course(tmp_path / "course")
    run_cli("release", "alpha", "--note", "First", cwd=course, check=0)
    run_cli("release", "beta", "--note", "First", cwd=course, check=0)
    with lti_world(tmp_path) as found:
        yield found, course


def publish(world: World, course: Path, check: int = 0) -> str:
    proc = run_cli("lti", "publish", str(course), "--db", world.db_url, check=check)
    return proc.stdout + proc.stderr


def test_publish_each_released_version_and_keep_it(world: tuple[World, Path]) -> None:
    w, course = world
    first = publish(w, course)
    assert "lc-test/alpha 1.0.0: published" in first and "lc-test/beta 1.0.0: published" in first
    assert "lc-test/alpha 1.0.0: up to date" in publish(w, course)
    change_text(course, "alpha", "Second text of alpha.")
    skipped = publish(w, course)
    assert "lc-test/alpha 1.0.0: skipped — changed since release — release it" in skipped
    run_cli("release", "alpha", "--bump", "minor", "--note", "New text", cwd=course, check=0)
    assert "lc-test/alpha 1.1.0: published" in publish(w, course)
    assert [(r.module_id, r.version) for r in store.releases(w.engine)] == [
        ("lc-test/alpha", "1.1.0"), ("lc-test/alpha", "1.0.0"), ("lc-test/beta", "1.0.0")]
    old = store.resolve(w.engine, "lc-test/alpha", "1.0.0")
    shutil.rmtree(course)  # the sources move on: every stored version is still served
    manifest = store.manifest(w.engine, old.manifest)
    page = store.blob(w.engine, manifest["files"][manifest["units"][0]["page"]])
    assert page is not None and b"First text of alpha." in page
    assert manifest["quizzes"]["check"]["questions"][0]["id"] == "pick"


def test_the_version_policy_picks_the_newest_match(world: tuple[World, Path]) -> None:
    w, course = world
    publish(w, course)
    change_text(course, "alpha", "Two")
    run_cli("release", "alpha", "--bump", "major", "--note", "Two", cwd=course, check=0)
    publish(w, course)
    pick = {p: store.resolve(w.engine, "lc-test/alpha", p).version
            for p in ("latest", "^1", "1.0.0", "^2", ">=1,<3")}
    assert pick == {"latest": "2.0.0", "^1": "1.0.0", "1.0.0": "1.0.0", "^2": "2.0.0",
                    ">=1,<3": "2.0.0"}
    with pytest.raises(LtiError, match="no published version"):
        store.resolve(w.engine, "lc-test/alpha", "^3")
    with pytest.raises(LtiError, match="is not valid"):
        store.resolve(w.engine, "lc-test/alpha", "newest please")


def test_a_launch_serves_the_release_with_grade_url_and_csrf(world: tuple[World, Path]) -> None:
    w, course = world
    publish(w, course)
    change_text(course, "alpha", "Second text of alpha.")
    run_cli("release", "alpha", "--bump", "minor", "--note", "New", cwd=course, check=0)
    publish(w, course)
    for policy, text in (("^1.0", "Second text"), ("1.0.0", "First text")):
        resource_link(w.platform, "lc-test/alpha", policy)
        browser = Browser()
        page = browser.launch(w.tool, w.platform)
        assert page.status_code == 200 and text in page.text, page.text[:300]
        digest = store.resolve(w.engine, "lc-test/alpha", policy).manifest
        assert page.url == f"{w.tool}/lti/r/{digest}/01-case.html"
        assert f'<meta name="lc-grade-url" content="/lti/grade/{digest}">' in page.text
        csrf = re.search(r'name="lc-csrf-token" content="([^"]+)"', page.text)
        assert csrf and len(csrf.group(1)) >= 32
        css = browser.session.get(f"{w.tool}/lti/r/{digest}/_static/lc.css")
        assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    other = store.resolve(w.engine, "lc-test/beta", "latest").manifest
    assert browser.session.get(f"{w.tool}/lti/r/{other}/01-case.html").status_code == 403
    assert requests.get(page.url).status_code == 401  # no session: no page


def test_a_link_to_a_quiz_opens_it_and_bad_links_say_why(world: tuple[World, Path]) -> None:
    w, course = world
    publish(w, course)
    resource_link(w.platform, "lc-test/beta", "latest", lc_quiz="check")
    assert Browser().launch(w.tool, w.platform).url.endswith("/02-check.html")
    resource_link(w.platform, "lc-test/beta", "^4")
    page = Browser().launch(w.tool, w.platform)
    assert page.status_code == 404 and "no published version of lc-test/beta" in page.text
    resource_link(w.platform, "lc-test/beta", "latest", lc_unit="nope")
    assert Browser().launch(w.tool, w.platform).status_code == 404
