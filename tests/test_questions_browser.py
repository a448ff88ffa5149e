"""The browser's grading follows the question types: lc.js in headless Chromium against
Python's `grade`, what lc-scorm.js records against each type's SCORM formats, and grading on
the server when the page holds no answer key."""

from __future__ import annotations

import contextlib
import http.server
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lcmodules.questions.grading import grade_quiz
from lcmodules.render.site import SiteOptions, render_site
from tests.questions_table import QUIZ_YAML, RESPONSES, concrete

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

pytestmark = pytest.mark.browser
SET = {"SetValue", "LMSSetValue"}


def write_module(root: Path) -> Path:
    folder = scormtest.write_module(root)
    (folder / "check.quiz.yml").write_text(QUIZ_YAML, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The every-type module as SCORM 1.2 and 2004 packages behind the LMS harness."""
    folder = write_module(tmp_path_factory.mktemp("src"))
    root = tmp_path_factory.mktemp("pkg")
    for package in scormtest.build(folder, tmp_path_factory.mktemp("built")):
        scormtest.unpack(package, root / ("12" if package.name.endswith("scorm12.zip") else "2004"))
    module = scormtest.load(folder)[0].modules[0]
    with scormtest.harness_server(root) as (base, _records):
        yield base, module.quizzes[0].quiz


def open_lms(browser: Any, base: str, version: str,
             saved: dict[str, Any] | None = None) -> tuple[Any, Any, list[str]]:
    page = browser.new_page()
    if saved is not None:
        page.add_init_script(f"window.__savedCmi = {json.dumps(saved)};")
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/harness/lms.html?v={version}&launch=/pkg/{version}/index.html")
    frame = page.frame_locator("#sco")
    frame.locator("main[data-lc-unit]:not([hidden])").first.wait_for()
    return page, frame, errors


def test_lc_js_grades_every_response_as_python_does(browser, packages) -> None:  # type: ignore[no-untyped-def]
    base, quiz = packages
    page, _frame, errors = open_lms(browser, base, "2004")
    sco = page.frames[1]
    by_id = {q.id: q for q in quiz.questions}
    rows = [(qid, concrete(by_id[qid], r)) for qid, r in RESPONSES]
    got = sco.evaluate("""rows => {
        const key = JSON.parse(document.querySelector('script[data-lc-quiz-key]').textContent);
        const byId = {};
        key.questions.forEach(q => { byId[q.id] = q; });
        return rows.map(([id, value]) => window.lcQuestions.grade(byId[id], value));
    }""", rows)
    want = [dict(zip(("points", "correct"), by_id[qid].grade(value), strict=True))
            for qid, value in rows]
    mismatches = [(row, g, w) for row, g, w in zip(rows, got, want, strict=True) if g != w]
    assert mismatches == []
    assert sum(w["correct"] for w in want) >= 20 and errors == []
    page.close()


def fill(frame: Any, question: Any, value: Any) -> None:
    """Put a value in the tracker's shape into a question's inputs, as a learner would."""
    inputs = frame.locator(f'form[data-lc-quiz=check] [name="{question.id}"]')
    if question.type == "ordering":
        for position, v in enumerate(value):
            inputs.nth(position).select_option("" if v is None else str(v))
    elif question.type in ("numeric", "text"):
        inputs.fill(value)
    elif isinstance(value, bool):
        inputs.locator(f"xpath=self::*[@value='{str(value).lower()}']").check()
    elif isinstance(value, int):
        inputs.locator(f"xpath=self::*[@value='{value}']").check()
    else:
        for i in value:
            inputs.locator(f"xpath=self::*[@value='{i}']").check()


def enterable(question: Any) -> list[Any]:
    """The table's responses a learner can give through the page's inputs."""
    out = []
    for qid, raw in RESPONSES:
        value = concrete(question, raw)
        if qid != question.id or value is None:
            continue
        if question.type in ("numeric", "text") and isinstance(value, str) or question.type == "ordering" and isinstance(value, list) \
                and len(value) == len(question.items) or question.type in ("single", "multiple", "true-false") and \
                question.scorm_response(value, "2004") is not None:
            out.append(value)
    return out


@pytest.mark.parametrize("version", ["2004", "12"])
def test_what_is_graded_is_what_is_recorded(browser, packages, version: str) -> None:  # type: ignore[no-untyped-def]
    base, quiz = packages
    scorm = "2004" if version == "2004" else "1.2"
    values = {q.id: enterable(q) for q in quiz.questions}
    numeric_seen: set[str] = set()
    for round_ in range(max(len(v) for v in values.values())):
        page, frame, errors = open_lms(browser, base, version)
        for _ in range(2):
            frame.locator("[data-lc-nav=next]").click()
        given = {q.id: values[q.id][round_ % len(values[q.id])] for q in quiz.questions}
        for q in quiz.questions:
            fill(frame, q, given[q.id])
        frame.locator("form[data-lc-quiz=check] [data-lc-quiz-submit]").click()
        frame.locator("form[data-lc-quiz=check] [data-lc-quiz-result]:not(:empty)").wait_for()
        page.evaluate("document.getElementById('sco').src = 'about:blank'")
        page.wait_for_function("window.lmsRecord !== undefined")
        record = page.evaluate("window.lmsRecord")
        page.close()
        sent = {c["args"][0]: c["args"][1] for c in record["calls"] if c["fn"] in SET}
        response_key = "learner_response" if version == "2004" else "student_response"
        for n, q in enumerate(quiz.questions):
            p = f"cmi.interactions.{n}."
            want = q.scorm_response(given[q.id], scorm)
            assert sent[p + "id"] == q.id and sent[p + "type"] == q.scorm_type
            patterns = [sent[k] for k in sorted(sent) if k.startswith(p + "correct_responses.")]
            assert patterns == q.scorm_patterns(scorm), q.id
            assert sent.get(p + response_key) == want, (q.id, given[q.id])
            right = q.grade(given[q.id])[1]
            assert sent[p + "result"] == ("correct" if right else
                                          "incorrect" if version == "2004" else "wrong")
            if q.type == "numeric" and want is not None:
                assert want != ""
                numeric_seen.add(given[q.id])
        assert errors == []
    # every spelling the brief names reached the LMS as a number
    assert {"1.234,5", "1,5", "+25", "2.5e1", " 25 "} <= numeric_seen


# ---------------------------------------------------------------- grading on the server


class GradeServer(http.server.ThreadingHTTPServer):
    site: dict[str, bytes]
    quiz: Any
    posts: list[dict[str, Any]]


class GradeHandler(http.server.BaseHTTPRequestHandler):
    """Serves the rendered site with the meta tags the LTI tool injects, and grades with
    `grade_quiz` at /grade (CSRF token checked)."""

    server: GradeServer

    def do_GET(self) -> None:
        name = self.path.lstrip("/").split("?")[0] or "index.html"
        body = self.server.site.get(name)
        if body is None:
            self.send_error(404)
            return
        if name.endswith(".html"):
            body = body.replace(b"<head>", b'<head>\n<meta name="lc-grade-url" content="/grade">'
                                b'\n<meta name="lc-csrf-token" content="tok-123">', 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8" if name.endswith(".html")
                         else "application/javascript" if name.endswith(".js") else "text/css")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.posts.append({"payload": payload, "csrf": self.headers.get("X-CSRF-Token"),
                                  "type": self.headers.get("Content-Type")})
        if self.headers.get("X-CSRF-Token") != "tok-123":
            self.send_error(403)
            return
        result = grade_quiz(self.server.quiz, payload["answers"], payload["quiz"]).to_json()
        for q in result["questions"]:
            q["feedback"] = f"<em>server says {q['id']}</em>"
        body = json.dumps({"result": result, "scoreSent": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def grade_server(site: dict[str, bytes], quiz: Any) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    server = GradeServer(("127.0.0.1", 0), GradeHandler)
    server.site, server.quiz, server.posts = site, quiz, []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.posts
    finally:
        server.shutdown()
        server.server_close()


def test_without_the_answer_key_the_server_grades(browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = write_module(tmp_path)
    module = scormtest.load(folder)[0].modules[0]
    quiz = module.quizzes[0].quiz
    built = render_site(module, SiteOptions(answer_key=False))
    site = {name: (c if isinstance(c, bytes) else Path(c).read_bytes())
            for name, c in built.files.items()}
    html = site["index.html"].decode()
    key = html.split('data-lc-quiz-key="check">', 1)[1].split("</script>", 1)[0]
    assert '"expected"' not in key and "choiceFeedback" not in key
    assert "Not for rare failures" not in html  # a choice's feedback would give the key away
    with_key = render_site(module, SiteOptions()).files["index.html"]
    assert b'"expected"' in with_key and b"Not for rare failures" in with_key  # type: ignore[operator]
    with grade_server(site, quiz) as (base, posts):
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/index.html#unit-2")
        form = page.locator("form[data-lc-quiz=check]")
        form.locator('[name="keuze"][value="1"]').check()
        form.locator('[name="getal"]').fill("1.234,5")
        form.locator('[name="woord"]').fill("nope")
        form.locator("[data-lc-quiz-submit]").click()
        page.locator('[data-lc-score-sent="true"]').wait_for()
        result = form.locator("[data-lc-quiz-result]").text_content() or ""
        assert "2 van 11 punten" in result and "Niet geslaagd" in result
        assert "doorgegeven" in (form.locator("[data-lc-score-sent]").text_content() or "")
        keuze = form.locator('[data-lc-feedback="keuze"]')
        assert "server says keuze" in keuze.inner_html() and "Goed" in keuze.inner_text()
        assert "Niet goed" in form.locator('[data-lc-feedback="woord"]').inner_text()
        assert errors == []
        page.close()
    assert len(posts) == 1
    post = posts[0]
    assert post["csrf"] == "tok-123" and post["type"] == "application/json"
    assert post["payload"]["quiz"] == "check"
    assert post["payload"]["answers"]["keuze"] == 1
    assert post["payload"]["answers"]["getal"] == "1.234,5"
    assert post["payload"]["answers"]["volgorde"] == [None, None, None, None]


def test_ordering_works_with_the_keyboard_and_passes_axe(browser, packages) -> None:  # type: ignore[no-untyped-def]
    from tests.harness.axe import violations

    base, quiz = packages
    page, frame, errors = open_lms(browser, base, "2004")
    for _ in range(2):
        frame.locator("[data-lc-nav=next]").click()
    ordering = next(q for q in quiz.questions if q.type == "ordering")
    selects = frame.locator(f'select[name="{ordering.id}"]')
    selects.first.focus()
    for shown_index in ordering.expected()["order"]:  # type the item's letter, then Tab on
        page.keyboard.press(chr(ord("A") + shown_index))
        page.keyboard.press("Tab")
    values = [selects.nth(i).input_value() for i in range(selects.count())]
    assert values == [str(i) for i in ordering.expected()["order"]]
    frame.locator("form[data-lc-quiz=check] [data-lc-quiz-submit]").click()
    feedback = frame.locator(f'[data-lc-feedback="{ordering.id}"]')
    feedback.wait_for()
    assert "Goed" in feedback.inner_text()
    assert violations(page) == [] and errors == []  # the SCO's frame included
    page.close()


@pytest.mark.parametrize("version", ["2004", "12"])
def test_an_order_is_kept_for_the_next_visit(browser, packages, version: str) -> None:  # type: ignore[no-untyped-def]
    base, quiz = packages
    ordering = next(q for q in quiz.questions if q.type == "ordering")
    page, frame, errors = open_lms(browser, base, version)
    for _ in range(2):
        frame.locator("[data-lc-nav=next]").click()
    fill(frame, ordering, [2, None, 0, None])  # half done, not submitted
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.lmsRecord !== undefined")
    record = page.evaluate("window.lmsRecord")
    page.close()
    cmi = json.loads(json.dumps(record["cmi"]["cmi"]))
    core = cmi if version == "2004" else cmi["core"]
    for key in ("session_time", "exit"):
        core.pop(key, None)
    core["entry"] = "resume"
    page, frame, more = open_lms(browser, base, version, saved=cmi)
    selects = frame.locator(f'select[name="{ordering.id}"]')
    assert [selects.nth(i).input_value() for i in range(4)] == ["2", "", "0", ""]
    assert errors == [] and more == []
    page.close()
