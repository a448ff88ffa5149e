"""`lcmodules preview`: an LMS-like page with scorm-again, live CMI, resume, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402
from waiting import wait_for_match  # noqa: E402


def start(*args: str | os.PathLike, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lcmodules", "preview", *map(str, args), "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1", **(env or {})}, cwd=scormtest.REPO,
    )
    url = wait_for_match(proc, r"(http://127\.0\.0\.1:\d+/)", 60)
    if url is not None:
        return proc, url
    proc.kill()
    raise AssertionError(f"preview did not start: {proc.communicate()[1]}")


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return out


@pytest.fixture()
def module(tmp_path: Path) -> Path:
    return scormtest.write_module(tmp_path / "src")


@pytest.fixture()
def preview(module: Path) -> Iterator[tuple[subprocess.Popen, str, set[str]]]:
    """A running preview of `module`, with the temporary folders it made (taken before it
    started, so the test can tell whether they are gone after it stops)."""
    before = temp_folders()
    proc, url = start(module, "--port", "0")
    yield proc, url, temp_folders() - before
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def temp_folders() -> set[str]:
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("lcmodules-preview-*")}


@pytest.mark.browser
def test_preview_shows_live_cmi_and_resumes(browser, preview) -> None:  # type: ignore[no-untyped-def]
    proc, url, made = preview
    context = browser.new_context()
    outside: list[str] = []
    errors: list[str] = []

    def route(r, request) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(request.url).hostname not in (None, "127.0.0.1") and \
                request.url.startswith("http"):
            outside.append(request.url)
            r.abort()
        else:
            r.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    frame = page.frame_locator("#sco")
    frame.locator("main[data-lc-unit='0']:not([hidden])").wait_for()
    row = page.locator("tr[data-cmi='cmi.location'] td").nth(1)
    row.wait_for()
    assert row.text_content() == "0"
    frame.locator("[data-lc-nav=next]").click()
    page.wait_for_function(
        "document.querySelector(\"tr[data-cmi='cmi.location'] td:last-child\").textContent === '1'")
    assert page.locator("tr[data-cmi='cmi.completion_status'] td").nth(1).text_content() == "incomplete"
    assert "SetValue cmi.location" in page.locator("#log").text_content()
    # leave: the SCO terminates and the LMS keeps its data
    page.locator("#leave").click()
    page.wait_for_function("window.previewSaved && window.previewSaved.finished")
    assert page.evaluate("window.previewSaved.exit") == "suspend"
    # reopen: resume on the same unit, entry = resume
    page.locator("#reopen").click()
    frame.locator("main[data-lc-unit='1']:not([hidden])").wait_for()
    page.wait_for_function(
        "document.querySelector(\"tr[data-cmi='cmi.entry'] td:last-child\")"
        " && document.querySelector(\"tr[data-cmi='cmi.entry'] td:last-child\").textContent === 'resume'")
    # a reload of the whole page (the lecturer comes back later) resumes too
    page.reload()
    frame.locator("main[data-lc-unit='1']:not([hidden])").wait_for()
    context.close()
    assert outside == [] and errors == [], (outside, errors)
    out = stop(proc)
    assert "Stopped." in out
    # its own folders (other tests' previews may come and go meanwhile) are gone
    assert made and not (made & temp_folders())


@pytest.mark.browser
def test_preview_of_a_scorm12_package(browser, module: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    package = scormtest.build(module, tmp_path / "out", formats=("scorm12",), sco="per-unit")[0]
    proc, url = start(package, "--port", "0")
    try:
        page = browser.new_page()
        page.goto(url)
        assert page.locator("#version-tag").text_content() == "SCORM 1.2"
        assert page.locator("#items button").count() == 3
        page.frame_locator("#sco").locator("main[data-lc-unit='0']").wait_for()
        page.wait_for_function(
            "document.querySelector(\"tr[data-cmi='cmi.core.lesson_status'] td:last-child\")"
            " && document.querySelector(\"tr[data-cmi='cmi.core.lesson_status'] td:last-child\")"
            ".textContent === 'completed'")
        page.locator("#items button").nth(2).click()
        page.frame_locator("#sco").locator("form[data-lc-quiz=check]").wait_for()
        page.close()
    finally:
        stop(proc)


def test_preview_without_scorm_again(module: Path, cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LCMODULES_SCORM_AGAIN", "/nonexistent/scorm-again.js")
    proc = cli("preview", module, "--no-browser", check=1)
    assert "scorm-again" in proc.stderr and "Traceback" not in proc.stderr


def test_preview_refuses_a_hostile_zip(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.zip"
    scormtest.raw_zip(bad, [{"name": "imsmanifest.xml", "data": b"<manifest/>"},
                            {"name": "../escape.txt", "data": b"x"}])
    proc = cli("preview", bad, "--no-browser", check=1)
    assert "'..'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path.parent / "escape.txt").exists()


def test_preview_http_paths_stay_inside(preview) -> None:  # type: ignore[no-untyped-def]
    import urllib.error
    import urllib.request

    proc, url, _ = preview
    with urllib.request.urlopen(url + "package/index.html") as resp:
        assert resp.status == 200 and b"lc-scorm.js" in resp.read()
    for path in ("package/../../../../etc/passwd", "package/%2e%2e/%2e%2e/etc/passwd", "nothing"):
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(url + path)
        assert info.value.code == 404
    stop(proc)
