"""Every page kind lcmodules makes, checked with axe-core (npm, WCAG 2.0-2.2 A/AA) in Dutch,
English and German: SCORM pages, cartridge pages, Jupyter Book HTML, the catalogue, `serve`,
`preview` and the LTI tool's pages (deep linking, a served quiz, the error page) — no serious
or critical violation."""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcmodules.scaffold.writer import add_to_course_list
from tests.conftest import REPO, run_cli
from tests.harness.axe import violations

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from bookaxe import serve  # noqa: E402
from localservers import start as _start  # noqa: E402
from localservers import stop as _stop  # noqa: E402

# one module per language: the example course's nl and en modules and a German copy
MODULES = {"nl": "voorspellend-onderhoud", "en": "email-triage", "de": "onderhoud-de"}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example course with one module copied as `language: de`."""
    dest = tmp_path_factory.mktemp("a11y") / "course"
    dest.mkdir()
    shutil.copy2(REPO / "_config.yml", dest / "_config.yml")
    shutil.copytree(REPO / "modules", dest / "modules")
    german = dest / "modules" / MODULES["de"]
    shutil.copytree(dest / "modules" / MODULES["nl"], german)
    meta = german / "module.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("language: nl", "language: de")
                    .replace("id: lc-ai/voorspellend-onderhoud", "id: lc-ai/onderhoud-de"),
                    encoding="utf-8")
    for stale in ("module.lock", "CHANGELOG.md"):
        (german / stale).unlink(missing_ok=True)
    add_to_course_list(dest / "_config.yml", MODULES["de"])
    return dest


@pytest.fixture(scope="module")
def built(course: Path) -> Path:
    out = course / "dist"
    run_cli("build", course, "-f", "scorm12,scorm2004,imscc,catalog", "--out", out, check=0)
    return out


def pages_of(page) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Each unit of a single-page site shown in turn (a page without unit navigation once)."""
    units = page.locator("[data-lc-nav-unit]")
    count = units.count()
    if count == 0:
        yield "page"
        return
    for index in range(count):
        page.locator(f'[data-lc-nav-unit="{index}"]').first.click()
        yield f"unit {index}"


def settled(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until no CSS transition or animation runs (the theme fades colours in after a
    colour-scheme switch; axe measures colours as they are at that moment)."""
    page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')",
                           timeout=10_000)


def check_site(browser, base: str, names: list[str]) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Serious and critical violations on every page (every unit of it) under `base`, in
    light and dark mode."""
    problems: list[tuple] = []
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        for name in names:
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.goto(f"{base}/{name}")
                for where in pages_of(page):
                    settled(page)
                    problems += [(name, scheme, where, *v) for v in violations(page)]
    finally:
        context.close()
    return problems


def clean(problems: list[tuple], *about: str) -> None:
    assert not problems, "\n".join([*about, *map(repr, problems)])


def unpack(archive: Path, dest: Path) -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(dest)
    return sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.html"))


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MODULES))
def test_scorm_pages(browser, built: Path, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("scorm12", "scorm2004"):
        package = next(built.glob(f"{MODULES[language]}-*-{fmt}.zip"))
        names = [n for n in unpack(package, tmp_path / fmt) if n.count("/") <= 1]
        assert "index.html" in names, names
        with serve(tmp_path / fmt) as base:
            clean(check_site(browser, base, names))


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MODULES))
def test_cartridge_pages(browser, built: Path, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    package = next(built.glob(f"{MODULES[language]}-*-imscc.imscc"))
    names = unpack(package, tmp_path)
    assert names
    with serve(tmp_path) as base:
        clean(check_site(browser, base, names))


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MODULES))
def test_catalogue(browser, course: Path, built: Path, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """The built catalogue, its modules' languages set to `language` (the page speaks the
    language most modules use)."""
    import json

    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.load.loader import load_paths
    from lcmodules.render.catalog import render_catalogue

    data = json.loads((built / "catalog.json").read_text(encoding="utf-8"))
    for module in data["modules"]:
        module["language"] = language
    [model] = load_paths([course], Diagnostics())
    html = render_catalogue(model, data)
    assert f'<html lang="{language}">' in html
    for name in ("catalog.css", "catalog.js"):
        shutil.copy(built / name, tmp_path / name)
    (tmp_path / "catalog.html").write_text(html, encoding="utf-8")
    with serve(tmp_path) as base:
        clean(check_site(browser, base, ["catalog.html"]), language)


@pytest.mark.book
@pytest.mark.slow
def test_jupyter_book_html(browser, course: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from bookaxe import book_pages

    out = tmp_path / "out"
    for language, slug in MODULES.items():
        run_cli("build", course / "modules" / slug, "-f", "jupyter-book", "--html",
                "--out", out, check=0)
        html = next(out.glob(f"{slug}-*-jupyter-book")) / "_build" / "html"
        with serve(html) as base:
            problems = check_site(browser, base, book_pages(html))
        clean(problems, language)


@pytest.mark.slow
def test_serve(browser, course: Path) -> None:  # type: ignore[no-untyped-def]
    proc, base = _start("serve", course)
    try:
        names = ["", *(f"{slug}/{edition}/" for slug in MODULES.values()
                       for edition in ("learner", "teacher"))]
        clean(check_site(browser, base, names))
    finally:
        _stop(proc)


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MODULES))
def test_preview(browser, course: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    proc, base = _start("preview", course / "modules" / MODULES[language])
    try:
        clean(check_site(browser, base, [""]))
    finally:
        _stop(proc)


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MODULES))
def test_lti_pages(browser, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """The LTI tool's pages in the user's language: the instructor's deep-linking page, a
    module's quiz page served after a launch, and the error page (no session)."""
    pytest.importorskip("flask")
    from lti_course import loaded_modules, write_course
    from lti_platform import CLAIM, Browser, lti_world, resource_link

    root = write_course(tmp_path / "course")
    for meta in root.glob("modules/*/module.yml"):
        meta.write_text(meta.read_text("utf-8").replace("language: en", f"language: {language}"),
                        "utf-8")
    (tmp_path / "tool").mkdir()
    problems: list[tuple] = []  # type: ignore[type-arg]
    with lti_world(tmp_path / "tool", publish=loaded_modules(root)) as world:
        world.platform.overrides[CLAIM + "launch_presentation"] = {"locale": language}
        visits = []
        for kind, expected in (("deep-link", "[data-lc-action='deep-link']"),
                               ("quiz", "form [data-lc-question]")):
            if kind == "quiz":
                resource_link(world.platform, "lc-test/beta", lc_quiz="check")
            else:
                world.platform.message_type = "LtiDeepLinkingRequest"
            user = Browser()
            response = user.launch(world.tool, world.platform)
            assert response.status_code == 200, response.text
            visits.append((response.url, user.session.cookies.get_dict(), expected))
        for url, cookies, expected in visits:
            problems += _lti_page(browser, url, cookies, language, expected)
        problems += _lti_page(browser, f"{world.tool}/lti/deep-link", {}, language,
                              "[data-lc-lti-error]")
    clean(problems, language)


def _lti_page(browser, url: str, cookies: dict[str, str], language: str,  # type: ignore[no-untyped-def]
              expected: str) -> list[tuple]:  # type: ignore[type-arg]
    """axe's serious and critical violations on the page at `url`, opened with `cookies` by a
    browser that prefers `language`; the page must show `expected` and name the language."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale=language)
    try:
        context.add_cookies([{"name": k, "value": v, "url": url} for k, v in cookies.items()])
        page = context.new_page()
        page.goto(url)
        assert page.locator(expected).count() > 0, page.content()
        assert page.locator("html").get_attribute("lang") == language, page.content()
        problems = []
        for where in pages_of(page):
            settled(page)
            problems += [(url, where, *v) for v in violations(page)]
        return problems
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("language", sorted(MODULES))
def test_serve_overview_and_problem_pages(browser, tmp_path: Path, language: str) -> None:  # type: ignore[no-untyped-def]
    """`serve`'s own pages in each language: the list of modules and the page of a unit that
    did not load (its problems in the page), with the bar's warnings."""
    from lcmodules.core.strings import translator
    from lcmodules.scaffold.texts import QUIZ_NAME, first_module_slug

    run_cli("init", tmp_path, "--language", language, check=0)
    slug, quiz = first_module_slug(language), translator(language).gettext(QUIZ_NAME)
    broken = tmp_path / "modules" / slug / f"{quiz}.quiz.yml"
    broken.write_text(broken.read_text(encoding="utf-8").replace(
        "mastery_score: 0.7", "mastery_score: often"), encoding="utf-8")
    proc, base = _start("serve", tmp_path)
    try:
        page = f"{slug}/learner/03-{quiz}.html"
        names = ["", page]
        problems = check_site(browser, base, names)
        context = browser.new_context()
        try:
            shown = context.new_page()
            shown.goto(f"{base}/{page}")
            assert shown.locator("html").get_attribute("lang") == language
            assert shown.locator(".lcserve-unit-problems li").count() > 0  # the problem page
        finally:
            context.close()
        clean(problems, language)
    finally:
        _stop(proc)
