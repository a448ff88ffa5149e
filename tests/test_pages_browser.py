"""Built pages in headless Chromium: no solutions, MathML, quizzes, tracker protocol, a11y, offline."""

from __future__ import annotations

import functools
import json
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.fsutil import write_tree
from lcmodules.load.loader import load_paths
from lcmodules.model import Module, Question
from lcmodules.render.site import SiteOptions, render_site
from lcmodules.transform.learner import (
    CODE_BEGIN,
    CODE_END,
    MARKDOWN_BEGIN,
    MARKDOWN_END,
    REMOVE_CELL_TAGS,
    cell_tags,
    is_marker,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "render"
DUTCH, ENGLISH = "voorspellend-onderhoud", "visual-quality-control"


# ---------------------------------------------------------------- building and serving


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


@dataclass
class Built:
    module: Module
    folder: str  # the site's folder under the server root
    pages: list[str]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Built], Path]]:
    """The example course's Dutch and English modules and the fixture module, served on 127.0.0.1."""
    work = tmp_path_factory.mktemp("pages")
    course = work / "course"
    course.mkdir()
    shutil.copy2(REPO / "_config.yml", course / "_config.yml")
    shutil.copytree(REPO / "modules", course / "modules")
    diag = Diagnostics()
    modules = {m.slug: m for c in load_paths([course, FIXTURE], diag) for m in c.modules}
    assert diag.ok, [p.format() for p in diag.errors]
    root = work / "www"
    built: dict[str, Built] = {}
    for slug, layout in ((DUTCH, "single"), (ENGLISH, "single"), ("demo-en", "single"), (DUTCH, "per-unit")):
        site = render_site(modules[slug], SiteOptions(layout=layout))
        folder = f"{slug}-{layout}"
        write_tree(root / folder, site.files)
        built[folder] = Built(modules[slug], folder, site.pages)
    (root / "frame.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>LMS</title></head><body>'
        f'<iframe title="module" src="{DUTCH}-single/index.html" width="1000" height="700"></iframe>'
        "</body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", built, root
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Watch:
    """What a page did that it must not: leave 127.0.0.1, log errors, fail to load something."""

    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert not self.outside, f"requests left the site: {self.outside}"
        assert not self.errors, f"console errors: {self.errors}"


@pytest.fixture()
def open_page(browser, served):
    """open_page(path, init_script=None) → a Playwright page that is watched until the test ends."""
    base = served[0]
    contexts = []
    watch = Watch()

    def route(route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "file:")):
            route.continue_()
        else:
            watch.outside.append(url)
            route.abort()

    def opener(path: str, init_script: str | None = None):
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        context.route("**/*", route)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(f"pageerror: {e}"))
        page.on("response", lambda r: watch.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.goto(path if path.startswith(("http", "file:")) else f"{base}/{path}")
        return page

    yield opener
    for context in contexts:
        context.close()
    watch.check()


# ---------------------------------------------------------------- helpers


def visible_unit(page) -> int:
    return int(page.locator("main[data-lc-unit]:visible").get_attribute("data-lc-unit"))


def show_unit(page, index: int) -> None:
    page.locator(f'[data-lc-nav-unit="{index}"]').click()
    assert visible_unit(page) == index


def answers(question: Question, right: bool) -> str | list[str]:
    """A right (or wrong) answer to a question, as the value(s) to put in its inputs."""
    if question.type in ("single", "multiple"):
        correct = [str(i) for i, c in enumerate(question.choices or []) if c.correct]
        wrong = [str(i) for i, c in enumerate(question.choices or []) if not c.correct][:1]
        return correct if right else wrong
    if question.type == "true-false":
        return [str(bool(question.answer)).lower() if right else str(not question.answer).lower()]
    if question.type == "numeric":
        value = float(question.answer) + (0 if right else (question.tolerance or 0) + 1000)
        return f"{value:g}".replace(".", ",")  # a decimal comma is accepted
    return f"  {(question.answers or [''])[0].upper()} " if right else "certainly not this"


def fill_quiz(page, name: str, module: Module, right: bool) -> None:
    quiz = next(u.quiz for u in module.units if u.kind == "quiz" and u.quiz_name == name)
    form = page.locator(f'[data-lc-quiz="{name}"]')
    for q in quiz.questions:
        value = answers(q, right)
        inputs = form.locator(f'[name="{q.id}"]')
        if isinstance(value, str):
            inputs.fill(value)
            continue
        for i in range(inputs.count()):
            box = inputs.nth(i)
            want = box.get_attribute("value") in value
            if q.type == "multiple":
                box.set_checked(want)
            elif want:
                box.check()
    form.locator("[data-lc-quiz-submit]").click()


def solution_lines(module: Module) -> list[str]:
    """Lines only the teacher may see: solution regions, solution-tagged cells, markdown solutions
    (minus lines that also stand outside any solution, e.g. a helper given in a later notebook)."""
    secret: list[str] = []
    public: list[str] = []
    for unit in module.units:
        if unit.page is not None:
            _split(unit.page.body, MARKDOWN_BEGIN, MARKDOWN_END, secret, public)
        if unit.notebook is None:
            continue
        for cell in unit.notebook.cells:
            if cell_tags(cell) & REMOVE_CELL_TAGS:
                secret += cell.source.splitlines()
            elif cell.cell_type == "code":
                _split(cell.source, CODE_BEGIN, CODE_END, secret, public)
            elif cell.cell_type == "markdown":
                _split(cell.source, MARKDOWN_BEGIN, MARKDOWN_END, secret, public)
    allowed = {line.strip() for line in public}
    # short lines (`return x`, `plt.show()`) say little and may occur anywhere
    return [line.strip() for line in secret if len(line.strip()) >= 20 and line.strip() not in allowed]


def _split(text: str, begin: str, end: str, secret: list[str], public: list[str]) -> None:
    inside = False
    for line in text.splitlines():
        if is_marker(line, begin):
            inside = True
        elif is_marker(line, end):
            inside = False
        else:
            (secret if inside else public).append(line)


# ---------------------------------------------------------------- tests


@pytest.mark.parametrize("folder", [f"{DUTCH}-single", f"{ENGLISH}-single", "demo-en-single"])
def test_no_solution_in_pages_or_downloads(open_page, served, folder: str) -> None:
    base, built, root = served
    site = built[folder]
    secret = solution_lines(site.module)
    assert secret, "the module should have solutions to hide"
    page = open_page(f"{folder}/index.html")
    shown = page.evaluate("document.documentElement.textContent")
    raw = (root / folder / "index.html").read_text("utf-8")
    downloads = page.locator("[data-lc-download]")
    assert downloads.count() == len(site.module.notebooks)
    notebooks = []
    for i in range(downloads.count()):
        response = page.request.get(f"{base}/{folder}/{downloads.nth(i).get_attribute('href')}")
        assert response.ok
        nb = nbformat.reads(response.text(), as_version=4)
        nbformat.validate(nb)
        notebooks.append("\n".join(c.source + json.dumps(c.get("outputs", [])) for c in nb.cells))
    for line in secret:
        assert line not in shown and line not in raw, line
        assert all(line not in text for text in notebooks), line


@pytest.mark.parametrize("folder", [f"{DUTCH}-single", f"{ENGLISH}-single"])
def test_mathml_is_rendered(open_page, served, folder: str) -> None:
    page = open_page(f"{folder}/index.html")
    index = int(page.locator("main[data-lc-unit]:has(math)").first.get_attribute("data-lc-unit"))
    show_unit(page, index)
    box = page.locator(f'main[data-lc-unit="{index}"] math').first.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0
    assert page.evaluate("typeof window.MathJax") == "undefined"


@pytest.mark.parametrize("folder,passed,failed", [
    (f"{DUTCH}-single", "Geslaagd", "Niet geslaagd"),
    (f"{ENGLISH}-single", "Passed", "Not passed"),
    ("demo-en-single", "Passed", "Not passed"),
])
def test_quiz_feedback_through_the_hooks(open_page, served, folder: str, passed: str, failed: str) -> None:
    site = served[1][folder]
    quiz_unit = next(u for u in site.module.units if u.kind == "quiz")
    page = open_page(f"{folder}/index.html")
    show_unit(page, quiz_unit.index)
    name = quiz_unit.quiz_name
    result = page.locator(f'[data-lc-quiz="{name}"] [data-lc-quiz-result]')
    fill_quiz(page, name, site.module, right=True)
    assert result.inner_text().endswith(passed)
    total = quiz_unit.quiz.total_points
    assert re.match(rf"^{total:g} (of|van) {total:g} ", result.inner_text())
    assert page.locator(f'[data-lc-quiz="{name}"] fieldset.lc-correct').count() == len(quiz_unit.quiz.questions)
    fill_quiz(page, name, site.module, right=False)
    assert result.inner_text().endswith(failed) and result.inner_text().startswith("0 ")
    assert page.locator(f'[data-lc-quiz="{name}"] fieldset.lc-incorrect').count() == len(quiz_unit.quiz.questions)
    assert page.locator(f'[data-lc-quiz="{name}"] [data-lc-feedback]:visible').count() == len(quiz_unit.quiz.questions)


def test_navigation_single_layout(open_page, served) -> None:
    folder = f"{DUTCH}-single"
    count = len(served[1][folder].module.units)
    page = open_page(f"{folder}/index.html")
    assert visible_unit(page) == 0 and page.locator('[data-lc-nav="prev"]').is_hidden()
    for index in range(1, count):
        page.locator('[data-lc-nav="next"]').click()
        assert visible_unit(page) == index
        assert page.url.endswith(f"#unit-{index}")
        assert page.locator(f'[data-lc-nav-unit="{index}"]').get_attribute("aria-current") == "page"
    assert page.locator('[data-lc-nav="next"]').is_hidden()
    page.locator('[data-lc-nav="prev"]').click()
    assert visible_unit(page) == count - 2
    deep = open_page(f"{folder}/index.html#unit-{count - 1}")
    assert visible_unit(deep) == count - 1
    # a link in the text to another unit switches to it
    source = int(deep.locator('main[data-lc-unit]:has(a[href^="#unit-"])').first.get_attribute("data-lc-unit"))
    show_unit(deep, source)
    link = deep.locator(f'main[data-lc-unit="{source}"] a[href^="#unit-"]').first
    target = int(link.get_attribute("href").removeprefix("#unit-"))
    link.click()
    assert visible_unit(deep) == target


def test_navigation_per_unit_layout(open_page, served) -> None:
    built = served[1][f"{DUTCH}-per-unit"]
    page = open_page(f"{built.folder}/{built.pages[0]}")
    for name in built.pages[1:]:
        page.locator('[data-lc-nav="next"]').click()
        page.wait_for_url(f"**/{name}")
        assert page.locator("main[data-lc-unit]").count() == 1


def test_inside_an_iframe_and_from_file(open_page, served) -> None:
    page = open_page("frame.html")
    frame = page.frame_locator("iframe")
    frame.locator('[data-lc-nav="next"]').click()
    assert frame.locator("main[data-lc-unit]:visible").get_attribute("data-lc-unit") == "1"
    root = served[2]
    local = open_page((root / f"{ENGLISH}-single" / "index.html").as_uri())
    local.locator('[data-lc-nav="next"]').click()
    assert visible_unit(local) == 1


TRACKER = """
window.lcCalls = [];
window.lcTracker = {
  start(info) { lcCalls.push(["start", info]); return window.lcSaved || null; },
  unitShown(index, state) { lcCalls.push(["unitShown", index, state]); },
  answersChanged(name, state) { lcCalls.push(["answersChanged", name, state]); },
  quizSubmitted(name, result, state) { lcCalls.push(["quizSubmitted", name, result, state]); },
};
"""


def test_tracker_protocol(open_page, served) -> None:
    site = served[1]["demo-en-single"]
    page = open_page(f"{site.folder}/index.html", TRACKER)
    calls = page.evaluate("lcCalls")
    assert [c[0] for c in calls] == ["start", "unitShown"]
    info = calls[0][1]
    assert info["module"]["id"] == "lc-test/demo-en" and info["quizzes"]["check"]["maxPoints"] == 6
    assert calls[1][1] == 0 and calls[1][2]["unit"] == 0 and calls[1][2]["visited"] == [0]
    show_unit(page, 2)
    form = page.locator('[data-lc-quiz="check"]')
    form.locator('[name="metric"][value="0"]').check()
    changed = page.evaluate("lcCalls")[-1]
    assert changed[0] == "answersChanged" and changed[1] == "check"
    assert changed[2]["quizzes"]["check"]["answers"]["metric"] == 0
    assert changed[2]["quizzes"]["check"]["submitted"] is False
    form.locator('[name="threshold"]').fill("228,1")
    form.locator('[name="model"]').fill("Random Forest")
    form.locator('[name="signals"][value="2"]').check()
    form.locator("[data-lc-quiz-submit]").click()
    kind, name, result, state = page.evaluate("lcCalls")[-1]
    assert (kind, name) == ("quizSubmitted", "check")
    assert set(result) == {"quiz", "points", "maxPoints", "scaled", "passed", "questions"}
    assert (result["points"], result["maxPoints"], result["passed"]) == (2, 6, False)
    assert result["scaled"] == pytest.approx(2 / 6, abs=1e-4)
    by_id = {q["id"]: q for q in result["questions"]}
    assert by_id["metric"] == {"id": "metric", "type": "single", "points": 0, "maxPoints": 1, "correct": False,
                               "response": 0, "expected": {"choices": [1]}}
    assert by_id["threshold"]["correct"] is True and by_id["threshold"]["response"] == "228,1"
    assert by_id["signals"]["response"] == [2] and by_id["signals"]["correct"] is False
    assert by_id["enough"]["response"] is None
    assert state["quizzes"]["check"]["submitted"] is True and state["visited"] == [0, 2]

    saved = {"unit": 2, "visited": [0, 1], "quizzes": {"check": {
        "answers": state["quizzes"]["check"]["answers"], "submitted": True, "result": result}}}
    again = open_page(f"{site.folder}/index.html", f"window.lcSaved = {json.dumps(saved)};" + TRACKER)
    assert visible_unit(again) == 2
    restored = again.locator('[data-lc-quiz="check"]')
    assert restored.locator('[name="metric"][value="0"]').is_checked()
    assert restored.locator('[name="signals"][value="2"]').is_checked()
    assert restored.locator('[name="threshold"]').input_value() == "228,1"
    assert restored.locator("[data-lc-quiz-result]").inner_text().startswith("2 of 6 points")
    first = again.evaluate("lcCalls")
    assert [c[0] for c in first] == ["start", "unitShown"]
    assert first[1][1] == 2 and first[1][2]["visited"] == [0, 1, 2]
    assert first[1][2]["quizzes"]["check"]["submitted"] is True


def test_a_throwing_tracker_breaks_nothing(open_page, served) -> None:
    page = open_page("demo-en-single/index.html",
                     "window.lcTracker = {start() { throw new Error('lms down'); }, unitShown: 5};")
    page.locator('[data-lc-nav="next"]').click()
    assert visible_unit(page) == 1


@pytest.mark.parametrize("folder", [f"{DUTCH}-single", f"{ENGLISH}-single", "demo-en-single"])
def test_no_serious_accessibility_violations(open_page, served, folder: str) -> None:
    from tests.harness.axe import violations

    site = served[1][folder]
    page = open_page(f"{folder}/index.html")
    problems = []
    for unit in site.module.units:
        show_unit(page, unit.index)
        if unit.kind == "quiz":
            fill_quiz(page, unit.quiz_name, site.module, right=False)  # with feedback showing
        problems += [(unit.index, *found) for found in violations(page)]
    assert not problems, problems


def test_no_serious_accessibility_violations_per_unit_pages(open_page, served) -> None:
    from tests.harness.axe import violations

    built = served[1][f"{DUTCH}-per-unit"]
    problems = []
    for name in built.pages:
        page = open_page(f"{built.folder}/{name}")
        problems += [(name, *found) for found in violations(page)]
    assert not problems, problems
