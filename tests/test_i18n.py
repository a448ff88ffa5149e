"""Interface words in Dutch, English and German: complete catalogues, the quiz's pass mark as a requirement."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.fsutil import write_tree
from lcmodules.load.loader import load_paths
from lcmodules.render.i18n import MESSAGES, strings
from lcmodules.render.site import SiteOptions, render_site

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

LANGUAGES = ("nl", "en", "de")
REQUIREMENT = {"nl": "Je hebt 60 % van de punten nodig om te slagen.",
               "en": "You need 60 % of the points to pass."}
VERDICT = {"nl": ("Geslaagd", "Niet geslaagd"), "en": ("Passed", "Not passed")}


def test_every_string_exists_in_every_language() -> None:
    for language in LANGUAGES:
        table = strings(language)
        assert set(table) == set(MESSAGES)
        for key, text in table.items():
            assert text.strip() == text and text, (language, key)
    # the pass mark is a requirement, not a result
    assert "nodig" in strings("nl")["mastery"] and "geslaagd" not in strings("nl")["mastery"]
    assert "need" in strings("en")["mastery"]
    assert "brauchen" in strings("de")["mastery"]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        pass


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("i18n")
    for language in ("nl", "en"):
        folder = scormtest.write_module(work / "src" / language)
        meta = folder / "module.yml"
        meta.write_text(meta.read_text().replace("language: nl", f"language: {language}"))
        diag = Diagnostics()
        module = load_paths([folder], diag)[0].modules[0]
        assert diag.ok, diag.problems
        write_tree(work / "site" / language, render_site(module, SiteOptions(layout="per-unit")).files)
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_Quiet, directory=str(work / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
@pytest.mark.parametrize("language", ["nl", "en"])
def test_quiz_states_the_requirement_and_shows_results_only_after_submitting(
        browser, sites: str, language: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.goto(f"{sites}/{language}/03-check.html")
    form = page.locator("form[data-lc-quiz]")
    assert form.locator(".lc-quiz-mastery").text_content() == REQUIREMENT[language]
    result = form.locator("[data-lc-quiz-result]")
    body = page.locator("body").inner_text()
    passed, failed = VERDICT[language]
    assert (result.text_content() or "").strip() == ""
    assert passed not in body and failed not in body
    form.locator("[data-lc-quiz-submit]").click()
    page.wait_for_function("el => el.textContent.trim() !== ''", arg=result.element_handle())
    assert failed in (result.text_content() or "")
    page.close()
