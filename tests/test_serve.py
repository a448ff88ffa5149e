"""`lcmodules serve`: pages from memory, reload on save, problems in the page, clean stop."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.request import urlopen

import pytest


def start(path: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "lcmodules", "serve", str(path), "--port", "0", "--no-browser"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "NO_COLOR": "1"}, cwd=path,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
        if match:
            return proc, match.group(1)
    proc.kill()
    raise AssertionError(f"serve did not start: {proc.communicate()}")


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
        time.sleep(0.5)
        assert urlopen(url).status == 200
    finally:
        _, err = stop(proc)
    assert "ConnectionResetError" not in err
