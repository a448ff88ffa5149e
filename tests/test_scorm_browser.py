"""SCORM packages end to end in headless Chromium, with scorm-again as the LMS runtime."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

pytestmark = pytest.mark.browser

GET = {"GetValue", "LMSGetValue"}
SET = {"SetValue", "LMSSetValue"}
PASS = {"metriek": 1, "genoeg": False, "drempel": "232", "kenmerken": [0, 2], "model": "neural net"}
FAIL = {"metriek": 0, "genoeg": False, "drempel": "240", "kenmerken": [0, 1], "model": ""}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[dict], Path]]:
    """The test module built both ways for both versions, unpacked under /pkg/ of the harness."""
    src = tmp_path_factory.mktemp("src")
    folder = scormtest.write_module(src)
    built = tmp_path_factory.mktemp("built")
    root = tmp_path_factory.mktemp("pkg")
    for sco in ("single", "per-unit"):
        for package in scormtest.build(folder, built / sco, sco=sco):
            version = "12" if package.name.endswith("scorm12.zip") else "2004"
            scormtest.unpack(package, root / f"{sco}-{version}")
    long_src = scormtest.write_long_module(src / "long")
    for package in scormtest.build(long_src, built / "long", formats=("scorm12",)):
        scormtest.unpack(package, root / "long-12")
    with scormtest.harness_server(root) as (base, records):
        yield base, records, root


class Browser:
    """One browser context: every request leaving 127.0.0.1 is blocked and remembered,
    every console error and page error is remembered."""

    def __init__(self, browser) -> None:  # type: ignore[no-untyped-def]
        self.context = browser.new_context()
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route, request) -> None:  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname != "127.0.0.1":
            self.outside.append(request.url)
            route.abort()
        else:
            route.continue_()

    def page(self, saved: dict | None = None):  # type: ignore[no-untyped-def]
        page = self.context.new_page()
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        if saved is not None:
            page.add_init_script(f"window.__savedCmi = {json.dumps(saved)};")
        return page

    def close(self) -> None:
        self.context.close()


@pytest.fixture()
def chrome(browser) -> Iterator[Browser]:  # type: ignore[no-untyped-def]
    b = Browser(browser)
    yield b
    b.close()
    assert b.outside == [], f"requests left 127.0.0.1: {b.outside}"
    assert b.errors == [], f"console errors: {b.errors}"


def open_lms(chrome: Browser, base: str, version: str, launch: str, saved: dict | None = None):  # type: ignore[no-untyped-def]
    page = chrome.page(saved)
    page.goto(f"{base}/harness/lms.html?v={version}&launch=/pkg/{launch}")
    frame = page.frame_locator("#sco")
    frame.locator("main[data-lc-unit]:not([hidden])").first.wait_for()
    return page, frame


def answer(frame, answers: dict) -> None:  # type: ignore[no-untyped-def]
    form = frame.locator("form[data-lc-quiz=check]")
    for qid, value in answers.items():
        if isinstance(value, bool):
            form.locator(f"[name={qid}][value={'true' if value else 'false'}]").check()
        elif isinstance(value, int):
            form.locator(f"[name={qid}][value='{value}']").check()
        elif isinstance(value, list):
            for i in value:
                form.locator(f"[name={qid}][value='{i}']").check()
        else:
            form.locator(f"[name={qid}]").fill(value)


def submit(frame) -> None:  # type: ignore[no-untyped-def]
    frame.locator("form[data-lc-quiz=check] [data-lc-quiz-submit]").click()
    frame.locator("form[data-lc-quiz=check] [data-lc-quiz-result]:not(:empty)").wait_for()


def leave_frame(page) -> dict:  # type: ignore[no-untyped-def]
    """The LMS closes the SCO's frame: pagehide in the SCO, which must terminate."""
    page.evaluate("document.getElementById('sco').src = 'about:blank'")
    page.wait_for_function("window.lmsRecord !== undefined")
    return page.evaluate("window.lmsRecord")


def sent(record: dict) -> list[dict]:
    """The calls the package made, without reads."""
    return [c for c in record["calls"] if c["fn"] not in GET]


def final_values(record: dict) -> dict[str, str]:
    values: dict[str, str] = {}
    for c in sent(record):
        if c["fn"] in SET:
            values[c["args"][0]] = c["args"][1]
    return values


def lifecycle(record: dict) -> list[str]:
    return [c["fn"] for c in sent(record) if c["fn"] not in SET]


def resume_cmi(record: dict, version: str) -> dict:
    """What an LMS hands the SCO on return: the stored CMI with entry=resume."""
    cmi = json.loads(json.dumps(record["cmi"]["cmi"]))
    core = cmi if version == "2004" else cmi["core"]
    for key in ("session_time", "exit"):
        core.pop(key, None)
    core["entry"] = "resume"
    return cmi


INTERACTIONS = {
    "2004": [
        ("metriek", "choice", ["1"], "1", "correct"),
        ("genoeg", "true-false", ["false"], "false", "correct"),
        ("drempel", "numeric", ["225[:]235"], "232", "correct"),
        ("kenmerken", "choice", ["0[,]2"], "0[,]2", "correct"),
        ("model", "fill-in", ["random forest", "randomforest"], "neural net", "incorrect"),
    ],
    "12": [
        ("metriek", "choice", ["1"], "1", "correct"),
        ("genoeg", "true-false", ["f"], "f", "correct"),
        ("drempel", "numeric", ["230"], "232", "correct"),
        ("kenmerken", "choice", ["0,2"], "0,2", "correct"),
        ("model", "fill-in", ["random forest"], "neural net", "wrong"),
    ],
}


def expected_interactions(version: str) -> dict[str, str]:
    out: dict[str, str] = {}
    response = "learner_response" if version == "2004" else "student_response"
    for n, (qid, kind, patterns, given, result) in enumerate(INTERACTIONS[version]):
        p = f"cmi.interactions.{n}."
        out[p + "id"] = qid
        out[p + "type"] = kind
        for k, pattern in enumerate(patterns):
            out[f"{p}correct_responses.{k}.pattern"] = pattern
        out[p + response] = given
        out[p + "result"] = result
    return out


@pytest.mark.parametrize("version", ["2004", "12"])
def test_pass_run(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    page, frame = open_lms(chrome, base, version, f"single-{version}/index.html")
    for _ in range(2):
        frame.locator("[data-lc-nav=next]").click()
    answer(frame, PASS)
    submit(frame)
    assert "5" in frame.locator("[data-lc-quiz-result]").text_content()
    record = leave_frame(page)
    calls = sent(record)
    assert all(c["result"] == "true" and c["error"] == "0" for c in calls), calls
    # initialize once, a commit per unit shown (3) and per submission (1), terminate once, last
    assert lifecycle(record) == (["Initialize", "Commit", "Commit", "Commit", "Commit", "Terminate"]
                                 if version == "2004" else
                                 ["LMSInitialize", "LMSCommit", "LMSCommit", "LMSCommit",
                                  "LMSCommit", "LMSFinish"])
    values = final_values(record)
    session = values.pop("cmi.session_time" if version == "2004" else "cmi.core.session_time")
    suspend = values.pop("cmi.suspend_data")
    assert suspend.startswith("1|") and len(suspend) < 200
    if version == "2004":
        assert re.fullmatch(r"PT\d+H\d+M\d+(\.\d{1,2})?S", session)
        expected = {
            "cmi.location": "2", "cmi.completion_status": "completed",
            "cmi.success_status": "passed", "cmi.score.raw": "83.33", "cmi.score.min": "0",
            "cmi.score.max": "100", "cmi.score.scaled": "0.8333", "cmi.exit": "suspend",
        }
    else:
        assert re.fullmatch(r"\d{4}:\d{2}:\d{2}\.\d{2}", session)
        expected = {
            "cmi.core.lesson_location": "2", "cmi.core.lesson_status": "passed",
            "cmi.core.score.raw": "83.33", "cmi.core.score.min": "0",
            "cmi.core.score.max": "100", "cmi.core.exit": "suspend",
        }
    expected.update(expected_interactions(version))
    assert values == expected
    # the session time and the terminate come last
    assert calls[-2]["args"][0].endswith("session_time")
    # before the quiz was submitted, no score was sent (an LMS would record a 0 grade)
    first_score = next(i for i, c in enumerate(calls) if "score.raw" in "".join(c["args"]))
    first_interaction = next(i for i, c in enumerate(calls) if "interactions" in "".join(c["args"]))
    assert first_score > first_interaction
    # status moved incomplete → final
    status = "cmi.completion_status" if version == "2004" else "cmi.core.lesson_status"
    assert [c["args"][1] for c in calls if c["args"] and c["args"][0] == status] == \
        ["incomplete", "completed" if version == "2004" else "passed"]
    interactions = record["cmi"]["cmi"]["interactions"]
    assert len(interactions) == 5


@pytest.mark.parametrize("version", ["2004", "12"])
def test_fail_run(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    page, frame = open_lms(chrome, base, version, f"single-{version}/index.html")
    for unit in (1, 2):
        frame.locator(f"[data-lc-nav-unit='{unit}']").click()
    answer(frame, FAIL)
    submit(frame)
    record = leave_frame(page)
    values = final_values(record)
    if version == "2004":
        assert (values["cmi.completion_status"], values["cmi.success_status"]) == ("completed", "failed")
        assert (values["cmi.score.raw"], values["cmi.score.scaled"]) == ("16.67", "0.1667")
        assert values["cmi.exit"] == "suspend"  # looking back finds the state (the default)
        assert values["cmi.interactions.0.result"] == "incorrect"
        assert values["cmi.interactions.3.learner_response"] == "0[,]1"
        assert "cmi.interactions.4.learner_response" not in values  # nothing typed
    else:
        assert values["cmi.core.lesson_status"] == "failed"
        assert values["cmi.core.score.raw"] == "16.67"
        assert values["cmi.core.exit"] == "suspend"
        assert values["cmi.interactions.0.result"] == "wrong"
        assert values["cmi.interactions.3.student_response"] == "0,1"
    assert lifecycle(record)[-1] in ("Terminate", "LMSFinish")


@pytest.mark.parametrize("version", ["2004", "12"])
def test_leave_halfway_and_resume(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, records, _ = site
    page, frame = open_lms(chrome, base, version, f"single-{version}/index.html")
    frame.locator("[data-lc-nav=next]").click()
    frame.locator("[data-lc-nav=next]").click()
    typed = "Een random forest; met komma's, | en ~ en é"
    answer(frame, {"metriek": 1, "drempel": "231,5", "kenmerken": [2], "model": typed})
    frame.locator("form[data-lc-quiz=check] [name=model]").press("Tab")
    page.wait_for_timeout(500)  # lc.js reports typed text after a pause
    # the learner closes the tab: a top-level navigation away, pagehide in the SCO
    before = len(records)
    page.goto("about:blank")
    deadline = time.monotonic() + 10
    while len(records) == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(records) > before, "no terminate reached the LMS on leaving"
    record = records[-1]
    assert lifecycle(record)[-1] in ("Terminate", "LMSFinish")
    assert lifecycle(record).count(lifecycle(record)[0]) == 1
    values = final_values(record)
    exit_key = "cmi.exit" if version == "2004" else "cmi.core.exit"
    assert values[exit_key] == "suspend"
    assert not any("interactions" in k or "score" in k for k in values)
    status = values["cmi.completion_status" if version == "2004" else "cmi.core.lesson_status"]
    assert status == "incomplete"

    # back again: a new LMS page starts the SCO with what the LMS stored
    page2, frame2 = open_lms(chrome, base, version, f"single-{version}/index.html",
                             resume_cmi(record, version))
    frame2.locator("main[data-lc-unit='2']:not([hidden])").wait_for()
    form = frame2.locator("form[data-lc-quiz=check]")
    assert form.locator("[name=metriek][value='1']").is_checked()
    assert form.locator("[name=kenmerken][value='2']").is_checked()
    assert not form.locator("[name=kenmerken][value='0']").is_checked()
    assert form.locator("[name=drempel]").input_value() == "231,5"
    assert form.locator("[name=model]").input_value() == typed
    # finishing now, submitting twice, gives one interaction per question
    answer(frame2, {"genoeg": False})
    submit(frame2)
    submit(frame2)
    record2 = leave_frame(page2)
    assert len(record2["cmi"]["cmi"]["interactions"]) == 5
    ids = [c["args"][1] for c in sent(record2) if c["args"] and c["args"][0].endswith(".id")]
    assert ids == ["metriek", "genoeg", "drempel", "kenmerken", "model"]
    values2 = final_values(record2)
    response = "learner_response" if version == "2004" else "student_response"
    assert values2[f"cmi.interactions.2.{response}"] == "231.5"
    assert values2[f"cmi.interactions.4.{response}"] == typed
    assert lifecycle(record2).count("Commit" if version == "2004" else "LMSCommit") == 3

    # a third session after an interrupted resubmission keeps the same interaction slots
    page3, frame3 = open_lms(chrome, base, version, f"single-{version}/index.html",
                             resume_cmi(record2, version))
    submit(frame3)
    record3 = leave_frame(page3)
    assert len(record3["cmi"]["cmi"]["interactions"]) == 5
    assert not [c for c in sent(record3) if c["args"] and c["args"][0].endswith(".id")]


@pytest.mark.parametrize("version", ["2004", "12"])
def test_per_unit_scos(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, root = site
    folder = root / f"per-unit-{version}"
    pages = sorted(p.name for p in folder.glob("*.html"))
    assert len(pages) == 3
    page, frame = open_lms(chrome, base, version, f"per-unit-{version}/{pages[0]}")
    assert frame.locator("[data-lc-nav=next]").count() == 0  # the LMS navigates between SCOs
    record = leave_frame(page)
    values = final_values(record)
    if version == "2004":
        assert (values["cmi.location"], values["cmi.completion_status"], values["cmi.exit"]) == \
            ("0", "completed", "suspend")
        assert not any(k.startswith("cmi.score") or k == "cmi.success_status" for k in values)
    else:
        assert (values["cmi.core.lesson_location"], values["cmi.core.lesson_status"]) == ("0", "completed")
    page, frame = open_lms(chrome, base, version, f"per-unit-{version}/{pages[2]}")
    answer(frame, PASS)
    submit(frame)
    record = leave_frame(page)
    values = final_values(record)
    if version == "2004":
        assert (values["cmi.completion_status"], values["cmi.success_status"],
                values["cmi.score.raw"]) == ("completed", "passed", "83.33")
    else:
        assert (values["cmi.core.lesson_status"], values["cmi.core.score.raw"]) == ("passed", "83.33")
    assert len(record["cmi"]["cmi"]["interactions"]) == 5


@pytest.mark.parametrize("how", ["http", "file"])
def test_without_lms(chrome: Browser, site, how: str) -> None:  # type: ignore[no-untyped-def]
    base, _, root = site
    page = chrome.page()
    url = (f"{base}/pkg/single-12/index.html" if how == "http"
           else (root / "single-2004" / "index.html").as_uri())
    page.goto(url)
    assert page.evaluate("window.lcTracker.connected()") is False
    for unit in (1, 2, 0, 2):
        page.locator(f"[data-lc-nav-unit='{unit}']").click()
        page.locator(f"main[data-lc-unit='{unit}']:not([hidden])").wait_for()
    answer(page, PASS)
    submit(page)
    assert "5" in page.locator("[data-lc-quiz-result]").text_content()
    page.close()  # pagehide without an LMS: nothing happens, nothing throws


def test_long_module_suspend_data_fits_scorm12(chrome: Browser, site) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    page, frame = open_lms(chrome, base, "12", "long-12/index.html")
    info = json.loads(frame.locator("#lc-module").text_content())
    assert len(info["units"]) == 50
    assert sum(len(q["questions"]) for q in info["quizzes"].values()) == 40
    long_text = "Een heel lang antwoord met spaties, komma's; en é-tekens. " * 40  # ~2,400 chars
    submitted = []
    for unit in info["units"]:
        frame.locator(f"[data-lc-nav-unit='{unit['index']}']").click()
        if unit["kind"] != "quiz":
            continue
        form = frame.locator(f"form[data-lc-quiz='{unit['quiz']}']")
        for q in info["quizzes"][unit["quiz"]]["questions"]:
            if q["type"] in ("text", "numeric"):
                form.locator(f"[name={q['id']}]").fill(long_text)
            elif q["type"] == "true-false":
                form.locator(f"[name={q['id']}][value=true]").check()
            else:
                form.locator(f"[name={q['id']}][value='1']").check()
        form.locator(f"[name={info['quizzes'][unit['quiz']]['questions'][0]['id']}]").press("Tab")
        page.wait_for_timeout(450)
        if len(submitted) < 2:
            form.locator("[data-lc-quiz-submit]").click()
            submitted.append(unit["quiz"])
    frame.locator("[data-lc-nav-unit='0']").click()
    record = leave_frame(page)
    suspends = [c["args"][1] for c in sent(record) if c["args"] and c["args"][0] == "cmi.suspend_data"]
    assert suspends and all(len(s) <= 4000 for s in suspends), max(map(len, suspends))
    print(f"\nlong module: suspend_data {len(suspends[-1])} characters")
    values = final_values(record)
    assert values["cmi.core.lesson_status"] == "incomplete"  # two quizzes not submitted
    # on return every unit is still visited, the submitted quizzes keep their results
    page2, frame2 = open_lms(chrome, base, "12", "long-12/index.html", resume_cmi(record, "12"))
    for name in submitted:
        result = frame2.locator(f"form[data-lc-quiz='{name}'] [data-lc-quiz-result]")
        assert result.text_content().strip() != ""
    state = page2.evaluate("document.getElementById('sco').contentWindow.lcTracker.suspendData()")
    assert len(state) <= 4000
    # and finishing the module from there completes it
    for name in info["quizzes"]:
        if name not in submitted:
            unit = next(u for u in info["units"] if u["quiz"] == name)
            frame2.locator(f"[data-lc-nav-unit='{unit['index']}']").click()
            frame2.locator(f"form[data-lc-quiz='{name}'] [data-lc-quiz-submit]").click()
    record2 = leave_frame(page2)
    assert final_values(record2)["cmi.core.lesson_status"] in ("passed", "failed")
    interactions = record2["cmi"]["cmi"]["interactions"]
    assert len(interactions) == 40
    # question ids repeat across the quizzes, so they carry the quiz name
    ids = sorted(i["id"] for i in interactions.values())
    assert ids[:2] == ["toets0-v0", "toets0-v1"] and len(set(ids)) == 40


# ---------------------------------------------------------------- learner records survive


STATUS = {"2004": "cmi.completion_status", "12": "cmi.core.lesson_status"}
RAW = {"2004": "cmi.score.raw", "12": "cmi.core.score.raw"}


def values_sent(record: dict, element: str) -> list[str]:
    return [c["args"][1] for c in sent(record)
            if c["fn"] in SET and c["args"][0] == element]


def held_cmi(version: str, status: str, success: str, raw: str) -> dict:
    """What an LMS hands a learner who finished before and comes back to look something up:
    the recorded status and score, `ab-initio`, no location, no suspend data (Moodle 2004)."""
    score = {"raw": raw, "min": "0", "max": "100"}
    if version == "2004":
        return {"completion_status": status, "success_status": success, "entry": "ab-initio",
                "score": {**score, "scaled": str(float(raw) / 100)}}
    return {"core": {"lesson_status": success or status, "entry": "ab-initio", "score": score}}


@pytest.mark.parametrize("version", ["2004", "12"])
def test_returning_after_passing_reports_nothing_lower(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    page, frame = open_lms(chrome, base, version, f"single-{version}/index.html",
                           held_cmi(version, "completed", "passed", "100"))
    frame.locator("[data-lc-nav-unit='2']").click()
    answer(frame, FAIL)  # a worse try this time
    submit(frame)
    record = leave_frame(page)
    assert all(c["result"] == "true" for c in sent(record)), sent(record)
    assert "incomplete" not in values_sent(record, STATUS[version])
    assert "failed" not in values_sent(record, STATUS[version])
    assert "failed" not in values_sent(record, "cmi.success_status")
    assert values_sent(record, RAW[version]) == []  # 16.67 < 100: the score is left alone
    assert values_sent(record, "cmi.exit" if version == "2004" else "cmi.core.exit")[-1] == "suspend"
    cmi = record["cmi"]["cmi"]
    if version == "2004":
        assert (cmi["completion_status"], cmi["success_status"], cmi["score"]["raw"]) == \
            ("completed", "passed", "100")
    else:
        assert (cmi["core"]["lesson_status"], cmi["core"]["score"]["raw"]) == ("passed", "100")
    # the learner still sees the module as done: every unit counts as visited
    first_state = values_sent(record, "cmi.suspend_data")[0]
    assert first_state.split("|")[2] == "H"  # units 0, 1 and 2 as a bit set


@pytest.mark.parametrize("version", ["2004", "12"])
def test_a_better_result_still_goes_up(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    page, frame = open_lms(chrome, base, version, f"single-{version}/index.html",
                           held_cmi(version, "completed", "failed", "16.67"))
    frame.locator("[data-lc-nav-unit='2']").click()
    answer(frame, PASS)
    submit(frame)
    answer(frame, FAIL)  # and then worse again, in the same session: 83.33 is held now
    submit(frame)
    record = leave_frame(page)
    assert values_sent(record, RAW[version]) == ["83.33"]
    if version == "2004":
        assert values_sent(record, "cmi.success_status") == ["passed"]
        assert "incomplete" not in values_sent(record, STATUS[version])
    else:
        assert values_sent(record, STATUS[version]) == ["passed"]


@pytest.mark.parametrize("version", ["2004", "12"])
def test_looking_back_after_completion_finds_the_state(chrome: Browser, site, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    page, frame = open_lms(chrome, base, version, f"single-{version}/index.html")
    frame.locator("[data-lc-nav-unit='2']").click()
    answer(frame, PASS)
    submit(frame)
    frame.locator("[data-lc-nav-unit='1']").click()
    record = leave_frame(page)
    exit_key = "cmi.exit" if version == "2004" else "cmi.core.exit"
    assert final_values(record)[exit_key] == "suspend"
    # the LMS resumes a suspended attempt: location and saved state come back
    page2, frame2 = open_lms(chrome, base, version, f"single-{version}/index.html",
                             resume_cmi(record, version))
    frame2.locator("main[data-lc-unit='1']:not([hidden])").wait_for()
    frame2.locator("[data-lc-nav-unit='2']").click()
    form = frame2.locator("form[data-lc-quiz=check]")
    assert form.locator("[name=metriek][value='1']").is_checked()
    assert form.locator("[name=drempel]").input_value() == "232"
    assert "5" in form.locator("[data-lc-quiz-result]").text_content()
    record2 = leave_frame(page2)
    assert "incomplete" not in values_sent(record2, STATUS[version])
    assert final_values(record2)[exit_key] == "suspend"
    first_state = values_sent(record2, "cmi.suspend_data")[0]
    assert first_state.split("|")[2] == "H"  # the visited units came back


@pytest.fixture(scope="module")
def normal_exit(site, tmp_path_factory: pytest.TempPathFactory) -> str:  # type: ignore[no-untyped-def]
    """The test module in a course that chose `exit_when_complete: normal`, under /pkg/."""
    _, _, root = site
    course = tmp_path_factory.mktemp("course")
    scormtest.write_module(course / "modules")
    (course / "_config.yml").write_text(
        "title: Testcursus\nlcmodules:\n  scorm:\n    exit_when_complete: normal\n",
        encoding="utf-8")
    for package in scormtest.build(course, tmp_path_factory.mktemp("built-normal")):
        version = "12" if package.name.endswith("scorm12.zip") else "2004"
        scormtest.unpack(package, root / f"normal-{version}")
    return "normal"


@pytest.mark.parametrize("version", ["2004", "12"])
def test_exit_when_complete_normal(chrome: Browser, site, normal_exit: str, version: str) -> None:  # type: ignore[no-untyped-def]
    base, _, _ = site
    launch = f"{normal_exit}-{version}/index.html"
    page, frame = open_lms(chrome, base, version, launch)
    frame.locator("[data-lc-nav-unit='1']").click()
    frame.locator("[data-lc-nav-unit='2']").click()
    answer(frame, PASS)
    submit(frame)
    record = leave_frame(page)
    exit_key = "cmi.exit" if version == "2004" else "cmi.core.exit"
    assert values_sent(record, exit_key) == ["suspend", "normal" if version == "2004" else ""]
    # a new attempt without state (what the LMS makes of `normal`) keeps the result held
    page2, _ = open_lms(chrome, base, version, launch,
                        held_cmi(version, "completed", "passed", "83.33"))
    record2 = leave_frame(page2)
    assert "incomplete" not in values_sent(record2, STATUS[version])
    assert values_sent(record2, exit_key)[-1] == ("normal" if version == "2004" else "")
