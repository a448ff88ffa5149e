"""`lcmodules serve`: pages from memory, reload on save, problems in the page, clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from waiting import wait_for_match  # noqa: E402

DEADLINE = 60.0  # seconds any one wait may take before the test fails


def start(path: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lcmodules", "serve", str(path), "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"}, cwd=path,
    )
    url = wait_for_match(proc, r"(http://127\.0\.0\.1:\d+/)", DEADLINE)
    if url is None:
        proc.kill()
        raise AssertionError(f"serve did not start: {proc.communicate()}")
    return proc, url


def generation(url: str) -> int:
    """The workspace generation a page of serve was made at."""
    found = re.search(r'data-generation="(\d+)"', urlopen(url, timeout=DEADLINE).read().decode())
    assert found, url
    return int(found.group(1))


def wait_for_reload(url: str, seen: int, deadline: float = DEADLINE) -> int:
    """Wait (with a deadline) for serve's reload event after generation `seen`: the event a
    browser reloads on; its new generation."""
    end = time.monotonic() + deadline
    with urlopen(f"{url}__lcserve/events?generation={seen}", timeout=deadline) as stream:
        while time.monotonic() < end:
            line = stream.readline().decode()
            if line.startswith("data: ") and int(line[6:]) != seen:
                return int(line[6:])
    raise AssertionError(f"no reload event within {deadline:.0f} s")


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return out, err


@pytest.fixture()
def served(course: Path) -> Iterator[tuple[subprocess.Popen[str], str, Path]]:
    module = course / "modules" / "email-triage"
    proc, url = start(module)
    yield proc, url, module
    if proc.poll() is None:
        proc.kill()
        proc.communicate()


def save(path: Path, text: str) -> None:
    """Write like an editor does, and make sure the modification time moves on."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.mark.browser
def test_serve_reloads_on_save_and_shows_problems(browser, served) -> None:  # type: ignore[no-untyped-def]
    proc, url, module = served
    sources = {p.read_bytes() for p in module.rglob("*") if p.is_file()}
    page = browser.new_page()
    page.goto(url)
    assert page.url.endswith("/email-triage/learner/01-case.html")
    page.get_by_role("heading", name="E-mail triage at Klaassen Installatietechniek").wait_for()
    assert page.locator("#lcserve-count").text_content() == "no problems"
    # learner edition by default; the switch leads to the teacher edition of the same page
    assert page.locator("[data-lcserve-edition=learner]").get_attribute("aria-current") == "page"

    case = module / "case.md"
    original = case.read_text(encoding="utf-8")
    started = time.monotonic()
    save(case, original.replace("## The organisation", "## The organisation, freshly edited"))
    page.get_by_role("heading", name="The organisation, freshly edited").wait_for(timeout=10_000)
    seconds = time.monotonic() - started
    print(f"save → page shown in {seconds:.2f} s")
    assert seconds < 5  # ~0.5 s on an idle machine; generous for a loaded test machine

    meta = module / "module.yml"
    good = meta.read_text(encoding="utf-8")
    save(meta, good.replace("title: Triage of", "title: [Triage of", 1))
    problems = page.locator("#lcserve-problems")
    problems.wait_for(timeout=10_000)
    assert re.search(r"module\.yml:\d+: YAML syntax error", problems.text_content() or "")
    assert "1 error" in (page.locator("#lcserve-count").text_content() or "")

    save(meta, good)
    page.get_by_role("heading", name="The organisation, freshly edited").wait_for(timeout=10_000)
    page.locator("#lcserve-count:text('no problems')").wait_for(timeout=10_000)

    page.locator("[data-lcserve-edition=teacher]").click()
    page.wait_for_url("**/email-triage/teacher/01-case.html")
    page.close()
    save(case, original)
    out, _ = stop(proc)
    assert "Stopped." in out
    # nothing was written into the sources
    assert {p.read_bytes() for p in module.rglob("*") if p.is_file()} == sources


def test_serve_course_index_lists_modules(course: Path) -> None:
    proc, url = start(course)
    try:
        html = urlopen(url).read().decode()
        for slug in ("email-triage", "visual-quality-control", "voorspellend-onderhoud"):
            assert f'href="/{slug}/learner/"' in html
        assert urlopen(url + "voorspellend-onderhoud/teacher/").status == 200
    finally:
        stop(proc)


def test_serve_answers_only_requests_for_its_own_address(course: Path) -> None:
    import http.client

    proc, url = start(course / "modules" / "email-triage")
    try:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": f"evil.example:{port}"})
        assert conn.getresponse().status == 403
        conn.close()
        assert urlopen(url).status == 200
    finally:
        stop(proc)


def test_a_browser_hanging_up_is_no_error(course: Path) -> None:
    """A connection reset mid-request (a reload, a closed tab) leaves no traceback behind."""
    import socket
    import struct

    proc, url = start(course / "modules" / "email-triage")
    try:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        for _ in range(3):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(b"GET / HTTP/1.1\r\n")  # half a request, then a reset (RST)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()
        # a whole request answered after the resets: their connections were handled first
        assert urlopen(url, timeout=DEADLINE).status == 200
    finally:
        _, err = stop(proc)
    assert "ConnectionResetError" not in err


def test_a_save_reloads_only_its_module(course: Path) -> None:
    """Start-up reads metadata only; opening a module loads it; a save in it reloads that one
    module and leaves every other module's model as it was."""
    from lcmodules.serve.workspace import Workspace

    ws = Workspace(course)
    ws.refresh()
    assert set(ws.entries) == {"email-triage", "visual-quality-control", "voorspellend-onderhoud"}
    assert ws.unchecked == 3 and not any(e.opened for e in ws.entries.values())
    assert ws.entries["email-triage"].title == "Triage of customer e-mail at an installation company"
    opened = ws.entry("email-triage")
    assert opened.opened and opened.module is not None and opened.module.units
    before = opened.module
    others = {slug: (e.version, e.stub) for slug, e in ws.entries.items() if slug != "email-triage"}
    case = course / "modules" / "email-triage" / "case.md"
    save(case, case.read_text(encoding="utf-8").replace("## The organisation", "## Edited", 1))
    assert ws.apply([case])
    after = ws.entries["email-triage"]
    assert after.opened and after.module is not None and after.module is not before
    assert any(u.page is not None and "## Edited" in u.page.body for u in after.module.units)
    for slug, (version, stub) in others.items():
        assert ws.entries[slug].version == version and ws.entries[slug].stub is stub
        assert not ws.entries[slug].opened
    # a file that is no source (an output folder, an editor backup) changes nothing
    assert not ws.apply([course / "dist" / "x.zip", course / "modules" / "email-triage" / "case.md~"])


def test_serve_course_checks_in_the_background_and_reruns_course_rules(course: Path) -> None:
    """A course starts before its modules are checked, checks them in the background, and a
    module.yml saved with another module's id is reported at once (rules over metadata)."""
    proc, url = start(course)
    try:
        assert wait_for_match(proc, r"Checking 3 modules in the background", DEADLINE)
        assert wait_for_match(proc, r"Checked every module in [\d.]+ s: 3 modules, \d+ errors?, "
                              r"\d+ warnings?", DEADLINE)
        meta = course / "modules" / "voorspellend-onderhoud" / "module.yml"
        good = meta.read_text(encoding="utf-8")
        seen = generation(url)
        save(meta, good.replace("id: lc-ai/voorspellend-onderhoud", "id: lc-ai/email-triage", 1))
        wait_for_reload(url, seen)
        index = urlopen(url, timeout=DEADLINE).read().decode()
        assert "module id &#39;lc-ai/email-triage&#39; is also used by modules/email-triage" in index
        assert re.search(r"modules/voorspellend-onderhoud/module\.yml:\d+", index)
        seen = generation(url)
        save(meta, good)
        wait_for_reload(url, seen)
        assert "is also used by" not in urlopen(url, timeout=DEADLINE).read().decode()
    finally:
        stop(proc)


def test_a_broken_quiz_shows_its_title_and_problem_in_its_page(course: Path) -> None:
    module = course / "modules" / "email-triage"
    quiz = module / "knowledge-check.quiz.yml"
    good = quiz.read_text(encoding="utf-8")
    save(quiz, good.replace("mastery_score: 0.7", "mastery_score: often", 1))
    proc, url = start(module)
    try:
        page_url = f"{url}email-triage/learner/03-knowledge-check.html"
        html = urlopen(page_url, timeout=DEADLINE).read().decode()
        main = html.split("<main>", 1)[1].split("</main>", 1)[0]
        assert "<h1>Knowledge check — e-mail triage — Triage of customer e-mail" in main
        assert re.search(r"knowledge-check\.quiz\.yml:2</code>: .*mastery_score", main)
        seen = generation(page_url)
        save(quiz, "title: [unclosed\n" + good)  # not even YAML: the file name gives the title
        wait_for_reload(url, seen)
        main = urlopen(page_url, timeout=DEADLINE).read().decode().split("<main>", 1)[1]
        assert "<h1>Knowledge check — Triage of customer e-mail" in main
        assert re.search(r"knowledge-check\.quiz\.yml:\d+</code>: YAML syntax error",
                         main.split("</main>", 1)[0])
    finally:
        stop(proc)


@pytest.mark.browser
def test_problem_chip_is_readable(browser, course: Path) -> None:  # type: ignore[no-untyped-def]
    """The `file:line` chips — in the bar over the page's own styles, and in the page of a
    unit that did not load — pass axe's colour-contrast rule."""
    from harness.bookaxe import axe_problems

    module = course / "modules" / "email-triage"
    meta = module / "module.yml"
    save(meta, meta.read_text(encoding="utf-8").replace(
        "prerequisites: []", "prerequisites: [lc-ai/not-there]", 1))
    quiz = module / "knowledge-check.quiz.yml"
    save(quiz, quiz.read_text(encoding="utf-8").replace("mastery_score: 0.7", "mastery_score: x"))
    proc, url = start(module)
    try:
        pages = ["email-triage/learner/01-case.html", "email-triage/learner/03-knowledge-check.html"]
        for page in pages:
            assert "lcserve-where" in urlopen(url + page, timeout=DEADLINE).read().decode()
        outside: list[str] = []
        problems = axe_problems(browser, url.rstrip("/"), pages, outside)
        assert [p for p in problems if p[1] == "color-contrast"] == []
    finally:
        stop(proc)


def test_a_page_renamed_in_one_module_rechecks_the_modules_that_link_to_it(
        tmp_path: Path) -> None:
    """serve reloads only the edited module, and also every module whose links into it no
    longer find what they found: `flow` links to `waves/index.md`, which is renamed (the
    module's contents say so too)."""
    from lcmodules.serve.workspace import Workspace
    from tests.conftest import run_cli

    course = tmp_path / "course"
    run_cli("import-book", Path(__file__).parent / "fixtures" / "books" / "riverbook",
            "--out", course, check=0)
    ws = Workspace(course)
    ws.refresh()
    ws.check_all(threading.Event())
    outside = "points outside the module folder"
    assert not [p for p in ws.entries["flow"].problems if outside in p.message]
    untouched = ws.entries["river-book"].version
    page = course / "modules" / "waves" / "index.md"
    page.rename(page.with_name("start.md"))
    meta = course / "modules" / "waves" / "module.yml"
    meta.write_text(meta.read_text("utf-8").replace("- index.md", "- start.md"), "utf-8")
    assert ws.apply([page, page.with_name("start.md"), meta])
    flagged = {p.line for p in ws.entries["flow"].problems if outside in p.message}
    assert flagged == {9, 10}
    assert ws.entries["river-book"].version == untouched  # no link of it pointed there
