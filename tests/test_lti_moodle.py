"""Against a real Moodle 4.5 (set up by ../shared/moodle/setup.sh; skipped without one), with the
tool on SQLite and on PostgreSQL (when LCMODULES_LTI_TEST_PG names a database): the tool
registered from `lti config --lms moodle --json`, an instructor deep-links two modules through
Moodle's own dialog, a student opens one of those activities in Chromium and answers on the real
quiz page (lc.js posts the answers), and Moodle's gradebook holds exactly what grade_quiz gives
for them; `highest` keeps the full score after a later 0; a new release is served by the same
activity with the old grade kept until a better score replaces it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, SHARED, run_cli

# the set-up script's default folder when MOODLE_DIR is not set (../shared/moodle/README.md)
MOODLE_DIR = Path(os.environ.get("MOODLE_DIR") or Path(tempfile.gettempdir()) / "moodle")
MOODLE_URL = os.environ.get("MOODLE_URL", "http://127.0.0.1:8123")
HELPER = SHARED / "moodle" / "lti_moodle.php"
PASSWORD = "Student#12345"  # the helper's password for its users



def moodle_answers() -> bool:
    """Whether a Moodle is set up here and serving (a folder left from an earlier session
    without its server is no Moodle to test against)."""
    if not (MOODLE_DIR / "config.php").is_file():
        return False
    try:
        with urllib.request.urlopen(f"{MOODLE_URL}/login/index.php", timeout=5) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


pytestmark = [
    pytest.mark.moodle, pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not moodle_answers(),
                       reason="no Moodle set up and serving (MOODLE_DIR without config.php, "
                              "or nothing answers at MOODLE_URL)"),
]
pytest.importorskip("flask")
sys.path.insert(0, str(Path(__file__).parent / "harness"))

from lti_course import change_text, loaded_modules, write_course  # noqa: E402
from lti_pg import pg_schema, pg_url  # noqa: E402

RIGHT = {"pick": 1, "truth": False, "number": "0.25"}
WRONG = {"pick": 0, "truth": True, "number": "3"}
HALF = {"pick": 1, "truth": True, "number": "3"}


def moodle(*args: str) -> dict[str, Any]:
    proc = subprocess.run(["php", str(HELPER), *args], capture_output=True, text=True,
                          env={**os.environ, "MOODLE_DIR": str(MOODLE_DIR)}, timeout=300)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return dict(json.loads(proc.stdout))


@dataclass
class Tool:
    """The tool serving, registered in Moodle, and a Moodle course with a student and a teacher."""

    base: str
    db: str
    typeid: int
    course_dir: Path
    course_id: int
    helper_cmid: int  # the helper's own activity: only used to read the course's gradebook
    student: str
    teacher: str


@pytest.fixture(params=["sqlite", "postgresql"])
def tool(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Tool]:
    """The fixture course (1.0.0) published on a tool on a free port, registered in Moodle by
    its public key, and a new Moodle course."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'lti.db'}"
        elif not pg_url():
            pytest.skip("no LCMODULES_LTI_TEST_PG database given")
        else:
            url = stack.enter_context(pg_schema(pg_url(), "lcm_moodle"))
        yield stack.enter_context(registered(tmp_path, url))


@pytest.fixture()
def quiz(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Module beta's quiz definition, as its sources have it."""
    modules = loaded_modules(write_course(tmp_path_factory.mktemp("sources")))
    beta = next(m for m in modules if m.slug == "beta")
    return next(u.quiz for u in beta.units if u.kind == "quiz")


@contextmanager
def registered(tmp_path: Path, url: str) -> Iterator[Tool]:
    """The tool on database `url`, set up with the command line, serving in a thread."""
    from werkzeug.serving import make_server

    from lcmodules.lti import db
    from lcmodules.lti.app import create_app

    course = write_course(tmp_path / "course")
    for slug in ("alpha", "beta"):
        run_cli("release", slug, "--note", "First", cwd=course, check=0)
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
    typeid, client, issuer = reg["type"]["id"], reg["type"]["clientid"], reg["platform"]["issuer"]
    run_cli("lti", "platform", "add", "--db", url, "--lms", "moodle", "--issuer", issuer,
            "--client-id", client, check=0)
    run_cli("lti", "deployment", "add", "--db", url, "--issuer", issuer, "--client-id",
            client, reg["type"]["deployment_id"], check=0)
    short = f"lcm{uuid.uuid4().hex[:8]}"  # parallel runs never share a course
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        made = moodle("course", f"--typeid={typeid}", f"--course={short}")
        yield Tool(base, url, int(typeid), course, int(made["course"]["id"]),
                   int(made["cm"]["cmid"]), made["student"]["username"],
                   made["teacher"]["username"])
    finally:
        server.shutdown()
        engine.dispose()
        moodle("cleanup", f"--typeid={typeid}", f"--course={short}")


def log_in(page: Any, username: str) -> None:
    page.goto(f"{MOODLE_URL}/login/index.php")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#loginbtn")
    page.wait_for_load_state("networkidle")


def deep_link(browser: Any, tool: Tool) -> None:
    """The teacher adds an External tool activity and picks alpha and beta (`^1`) in the tool's
    page inside Moodle's *Select content* dialog; Moodle makes one activity per module."""
    page = browser.new_page()
    log_in(page, tool.teacher)
    page.goto(f"{MOODLE_URL}/course/modedit.php?add=lti&typeid={tool.typeid}"
              f"&course={tool.course_id}&section=1&return=0")
    page.click("#id_selectcontent")
    frame = None
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
    page.get_by_role("button", name="Save and return to course").click(timeout=60000)
    page.wait_for_url(f"{MOODLE_URL}/course/view.php**", timeout=60000)
    page.close()


def linked_activity(page: Any, tool: Tool, title: str) -> int:
    """The course-module id of the activity `title` on the course page the student sees."""
    page.goto(f"{MOODLE_URL}/course/view.php?id={tool.course_id}")
    link = page.locator('a[href*="/mod/lti/view.php?id="]', has_text=title).first
    found = re.search(r"[?&]id=(\d+)", link.get_attribute("href", timeout=30000) or "")
    assert found, title
    return int(found.group(1))


def open_quiz(page: Any, tool: Tool, cmid: int) -> str:
    """Launch the activity as Moodle does, go from its first page to the quiz; the version shown."""
    page.goto(f"{MOODLE_URL}/mod/lti/launch.php?id={cmid}&triggerview=0")
    page.wait_for_url(f"{tool.base}/lti/r/**", timeout=60000)
    version = page.locator(".lc-module-version").inner_text()
    page.locator('[data-lc-nav="next"]').click()
    page.locator('form[data-lc-quiz="check"]').wait_for(timeout=30000)
    return str(version)


def answer(page: Any, answers: dict[str, Any], expected: Any) -> None:
    """Answer by clicking and typing, submit; lc.js posts the answers and shows the server's
    result and whether Moodle took the score."""
    form = page.locator('form[data-lc-quiz="check"]')
    form.locator(f'input[name="pick"][value="{answers["pick"]}"]').check()
    form.locator(f'input[name="truth"][value="{str(answers["truth"]).lower()}"]').check()
    form.locator('input[name="number"]').fill(answers["number"])
    with page.expect_response(lambda r: "/lti/grade/" in r.url, timeout=60000) as graded:
        form.locator("[data-lc-quiz-submit]").click()
    assert graded.value.status == 200
    result = form.locator("[data-lc-quiz-result]")
    line = f"{expected.points:g} of {expected.max_points:g} points"
    result.filter(has_text=line).wait_for(timeout=10000)
    assert result.get_attribute("data-lc-passed") == str(expected.passed).lower()
    assert form.locator("[data-lc-score-sent]").get_attribute("data-lc-score-sent") == "true"


def gradebook(tool: Tool, title: str) -> tuple[float | None, float]:
    """(raw grade, maximum) of the student in the gradebook column `title`."""
    items = moodle("read", f"--cmid={tool.helper_cmid}", f"--student={tool.student}")
    [item] = [g for g in items["grade_items"] if g["itemname"] == title]
    raw = None if item["rawgrade"] is None else float(item["rawgrade"])
    return raw, float(item["grademax"])


def in_gradebook(result: Any, maximum: float) -> float:
    """What Moodle holds for a quiz result: the score scaled to the column's maximum."""
    return round(result.points / result.max_points * maximum, 5)


def test_a_student_is_graded_through_the_quiz_page_of_a_deep_linked_activity(
        tool: Tool, quiz: Any) -> None:
    from playwright.sync_api import sync_playwright

    from lcmodules.questions.grading import grade_quiz

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deep_link(browser, tool)
        items = moodle("read", f"--cmid={tool.helper_cmid}", f"--student={tool.student}")
        linked = {g["itemname"]: float(g["grademax"]) for g in items["grade_items"]}
        assert linked == {"Kennischeck (LTI test)": 100.0, "Module alpha": 4.0,
                          "Module beta": 4.0}
        assert sorted((g["resourceid"], g["tag"]) for g in items["gbs"] if g["resourceid"]) == [
            ("lc-test/alpha", "check"), ("lc-test/beta", "check")]
        page = browser.new_page()
        log_in(page, tool.student)
        cmid = linked_activity(page, tool, "Module beta")
        assert cmid != tool.helper_cmid
        assert open_quiz(page, tool, cmid).endswith("1.0.0")
        assert gradebook(tool, "Module beta") == (None, 4.0)
        for answers in (HALF, RIGHT):
            result = grade_quiz(quiz, answers, "check")
            answer(page, answers, result)
            assert gradebook(tool, "Module beta") == (in_gradebook(result, 4.0), 4.0)
        full = gradebook(tool, "Module beta")
        assert full == (4.0, 4.0)  # every point: 100 %
        answer(page, WRONG, grade_quiz(quiz, WRONG, "check"))  # 0 points
        assert gradebook(tool, "Module beta") == full  # `highest` keeps it
        assert gradebook(tool, "Module alpha") == (None, 4.0)
        browser.close()


def test_a_new_release_is_served_by_the_same_activity_with_the_grade_kept(
        tool: Tool, quiz: Any) -> None:
    from playwright.sync_api import sync_playwright

    from lcmodules.questions.grading import grade_quiz

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deep_link(browser, tool)
        page = browser.new_page()
        log_in(page, tool.student)
        cmid = linked_activity(page, tool, "Module beta")
        assert open_quiz(page, tool, cmid).endswith("1.0.0")
        half = grade_quiz(quiz, HALF, "check")
        answer(page, HALF, half)
        old = gradebook(tool, "Module beta")
        assert old == (in_gradebook(half, 4.0), 4.0)

        change_text(tool.course_dir, "beta", "Second text of beta.")
        run_cli("release", "beta", "--bump", "minor", "--note", "New text",
                cwd=tool.course_dir, check=0)
        run_cli("lti", "publish", str(tool.course_dir), "--db", tool.db, check=0)

        page.goto(f"{MOODLE_URL}/mod/lti/launch.php?id={cmid}&triggerview=0")
        page.wait_for_url(f"{tool.base}/lti/r/**", timeout=60000)
        assert page.locator(".lc-module-version").inner_text().endswith("1.1.0")
        assert "Second text of beta." in page.locator("main[data-lc-unit]").first.inner_text()
        assert gradebook(tool, "Module beta") == old  # the old grade is kept
        page.locator('[data-lc-nav="next"]').click()
        page.locator('form[data-lc-quiz="check"]').wait_for(timeout=30000)
        right = grade_quiz(quiz, RIGHT, "check")
        answer(page, RIGHT, right)
        assert gradebook(tool, "Module beta") == (in_gradebook(right, 4.0), 4.0) != old
        browser.close()
