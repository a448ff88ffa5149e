"""Against a real Moodle 4.5 (set up by ../shared/moodle/setup.sh; skipped without one): the tool
registered from `lti config --lms moodle --json`, a student launches a linked module in
Chromium, answers, and Moodle's gradebook holds exactly the score the quiz definition gives;
`highest` keeps the full score after a later 0."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, SHARED, run_cli

# the set-up script's default folder when MOODLE_DIR is not set (../shared/moodle/README.md)
MOODLE_DIR = Path(os.environ.get("MOODLE_DIR") or Path(tempfile.gettempdir()) / "moodle")
MOODLE_URL = os.environ.get("MOODLE_URL", "http://127.0.0.1:8123")
HELPER = SHARED / "moodle" / "lti_moodle.php"

pytestmark = [
    pytest.mark.moodle, pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not (MOODLE_DIR / "config.php").is_file(),
                       reason="no Moodle set up (MOODLE_DIR without config.php)"),
]
pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import write_course  # noqa: E402

RIGHT = {"pick": 1, "truth": False, "number": "0.25"}  # 4 of 4 points
WRONG = {"pick": 0, "truth": True, "number": "3"}
HALF = {"pick": 1, "truth": True, "number": "3"}  # 2 of 4 points


def moodle(*args: str) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run(["php", str(HELPER), *args], capture_output=True, text=True,
                          env={**os.environ, "MOODLE_DIR": str(MOODLE_DIR)}, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return dict(json.loads(proc.stdout))


@pytest.fixture()
def tool(tmp_path: Path) -> Iterator[dict[str, str]]:
    """The tool serving on a free port, the fixture course published, registered in Moodle."""
    from werkzeug.serving import make_server

    from lcmodules.lti import db
    from lcmodules.lti.app import create_app

    course = write_course(tmp_path / "course")
    for slug in ("alpha", "beta"):
        run_cli("release", slug, "--note", "First", cwd=course, check=0)
    url = f"sqlite:///{tmp_path / 'lti.db'}"
    engine = db.connect(url)
    server = make_server("127.0.0.1", 0, create_app(engine), threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    run_cli("lti", "init", "--db", url, "--base-url", base, check=0)
    run_cli("lti", "publish", str(course), "--db", url, check=0)
    config = json.loads(run_cli("lti", "config", "--db", url, "--lms", "moodle", "--json",
                                check=0).stdout)
    (tmp_path / "tool.pem").write_text(config["public_key_pem"], "ascii")
    reg = moodle("register", f"--base={base}", "--keytype=RSA_KEY",
                 f"--publickey={tmp_path / 'tool.pem'}")
    client, deployment = reg["type"]["clientid"], reg["type"]["deployment_id"]
    run_cli("lti", "platform", "add", "--db", url, "--lms", "moodle", "--issuer",
            reg["platform"]["issuer"], "--client-id", client, check=0)
    run_cli("lti", "deployment", "add", "--db", url, "--issuer", reg["platform"]["issuer"],
            "--client-id", client, deployment, check=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"base": base, "typeid": str(reg["type"]["id"]), "db": url}
    finally:
        server.shutdown()
        moodle("cleanup", f"--typeid={reg['type']['id']}", "--course=lcmlti")


def test_a_student_is_graded_in_moodles_gradebook(tool: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    made = moodle("course", f"--typeid={tool['typeid']}", "--course=lcmlti",
                  "--custom=lc_module=lc-test/beta;lc_version=^1;lc_quiz=check")
    cmid, student = made["cm"]["cmid"], made["student"]["username"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{MOODLE_URL}/login/index.php")
        page.fill("#username", student)
        page.fill("#password", "Student#12345")
        page.click("#loginbtn")
        page.wait_for_load_state("networkidle")
        page.goto(f"{MOODLE_URL}/mod/lti/launch.php?id={cmid}&triggerview=0")
        page.wait_for_url(f"{tool['base']}/lti/r/**", timeout=60000)
        assert page.locator("[data-lc-quiz]").count() >= 1

        def answer(answers: dict[str, object]) -> dict:  # type: ignore[type-arg]
            return page.evaluate("""async (answers) => {
                const meta = (n) => document.querySelector(`meta[name="${n}"]`).content;
                const r = await fetch(meta("lc-grade-url"), {method: "POST",
                    headers: {"Content-Type": "application/json", "X-CSRF-Token": meta("lc-csrf-token")},
                    body: JSON.stringify({quiz: "check", answers})});
                return await r.json();
            }""", answers)

        def gradebook() -> list[float]:
            items = moodle("read", f"--cmid={cmid}", f"--student={student}")["grade_items"]
            return [float(g["rawgrade"]) for g in items if g["rawgrade"] is not None]

        half = answer(HALF)
        assert half["result"]["points"] == 2 and half["scoreSent"] is True, half
        assert gradebook() == [50.0]  # 2 of 4 points on the activity's 100
        full = answer(RIGHT)
        assert full["result"]["points"] == 4 and full["scoreSent"] is True, full
        assert gradebook() == [100.0]
        later = answer(WRONG)
        assert later["result"]["points"] == 0 and later["scoreSent"] is True
        assert gradebook() == [100.0]  # `highest` keeps 100 after a later 0
        browser.close()


def test_an_instructor_deep_links_two_modules(tool: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    made = moodle("course", f"--typeid={tool['typeid']}", "--course=lcmlti")
    course, teacher = made["course"]["id"], made["teacher"]["username"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(f"{MOODLE_URL}/login/index.php")
        page.fill("#username", teacher)
        page.fill("#password", "Student#12345")
        page.click("#loginbtn")
        page.wait_for_load_state("networkidle")
        page.goto(f"{MOODLE_URL}/course/modedit.php?add=lti&typeid={tool['typeid']}"
                  f"&course={course}&section=1&return=0")
        page.click("#id_selectcontent")
        for _ in range(120):  # the modal's frame goes through the login to our page
            frame = next((f for f in page.frames if f.url.endswith("/lti/deep-link")), None)
            if frame is not None:
                break
            page.wait_for_timeout(500)
        assert frame is not None, [f.url for f in page.frames]
        frame.locator('[data-lc-item="lc-test/alpha"]').check(timeout=30000)
        frame.locator('[data-lc-item="lc-test/beta"]').check()
        frame.locator("[data-lc-version-policy]").select_option("^1")
        frame.locator('[data-lc-action="deep-link"]').click()
        save = page.get_by_role("button", name="Save and return to course")
        save.click(timeout=60000)
        page.wait_for_url(f"{MOODLE_URL}/course/view.php**", timeout=60000)
        browser.close()
    items = moodle("read", f"--cmid={made['cm']['cmid']}",
                   f"--student={made['student']['username']}")["grade_items"]
    linked = {g["itemname"]: float(g["grademax"]) for g in items}
    assert linked == {"Kennischeck (LTI test)": 100.0, "Module alpha": 4.0, "Module beta": 4.0}
    gbs = moodle("read", f"--cmid={made['cm']['cmid']}",
                 f"--student={made['student']['username']}")["gbs"]
    assert sorted((g["resourceid"], g["tag"]) for g in gbs if g["resourceid"]) == [
        ("lc-test/alpha", "check"), ("lc-test/beta", "check")]
