"""The strings templates may use (`t.<key>`, `_()`) in a course's overrides, documented and
translated; the LTI tool's pages, serve's problems and the catalogue's sizes in the user's language."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.strings import translator
from lcmodules.load.loader import load_paths
from lcmodules.render import catalog, i18n
from lcmodules.render.site import SiteOptions, render_site
from tests.conftest import REPO

sys.path.insert(0, str(Path(__file__).parent / "harness"))


def documented_keys(kind: str) -> set[str]:
    """The `t` keys docs/rendering.md lists for `kind` ('pages' or 'the catalogue')."""
    text = (REPO / "docs" / "rendering.md").read_text(encoding="utf-8")
    section = text.split("### Strings in a course's templates\n", 1)[1].split("\n## ", 1)[0]
    item = next(part for part in section.split("\n- ") if part.startswith(kind))
    listed = item.split("):", 1)[1].split(";", 1)[0]
    return set(re.findall(r"`([a-z_0-9-]+)`", listed))


def test_the_docs_list_every_key_templates_get() -> None:
    assert documented_keys("pages") == set(i18n.MESSAGES)
    assert documented_keys("the catalogue") == set(catalog.MESSAGES)


@pytest.mark.parametrize("language", ["nl", "de"])
def test_every_catalogue_key_is_translated_for_a_course_template(language: str) -> None:
    english, own = catalog.catalogue_strings("en", {"fr"}), catalog.catalogue_strings(language, {"fr"})
    assert set(own) == set(english) >= {*catalog.MESSAGES, *catalog.FORMAT_LABELS, "count",
                                        "count_one", "lang_nl", "lang_de", "lang_fr"}
    same = {key for key in own if own[key] == english[key]}
    # names, and words Dutch or German shares with English
    assert same <= {"version", "sha256", "scorm12", "scorm2004", "imscc", "lang_en", "module_id",
                    "lms_identifier", "format", "downloads", "count", "count_one"}, same
    assert own["lang_fr"] == {"nl": "Frans (français)", "de": "Französisch (français)"}[language]


def course_with_overrides(tmp_path: Path) -> Path:
    """The example course with a page and a catalogue template of its own that use `t` keys
    and `_()`."""
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(REPO / "_config.yml", course / "_config.yml")
    shutil.copytree(REPO / "modules", course / "modules")
    for meta in course.glob("modules/*/module.yml"):  # a Dutch course
        meta.write_text(re.sub(r"(?m)^language: .*$", "language: nl", meta.read_text("utf-8")),
                        encoding="utf-8")
    html = course / "templates" / "html"
    html.mkdir(parents=True)
    (html / "page.html.j2").write_text(
        '{% extends "lc/page.html.j2" %}{% block footer %}<p class="own">{{ t.next }} · '
        '{{ t.unit_of.format(n=1, total=2) }} · {{ _("Contents") }}</p>{{ super() }}'
        "{% endblock footer %}", encoding="utf-8")
    keys = " | ".join(f"{{{{ t[{key!r}] }}}}" for key in
                      [*catalog.MESSAGES, *catalog.FORMAT_LABELS, "count", "count_one", "lang_nl"])
    (html / "catalog.html.j2").write_text(
        '{% extends "lc/catalog.html.j2" %}{% block footer %}<p class="own">' + keys +
        "</p>{% endblock footer %}", encoding="utf-8")
    (course / "_config.yml").write_text(
        (course / "_config.yml").read_text(encoding="utf-8").replace(
            "lcmodules:\n", "lcmodules:\n  templates: templates\n", 1), encoding="utf-8")
    return course


def test_a_course_template_gets_its_strings_in_the_module_language(tmp_path: Path) -> None:
    from lcmodules.export.catalog import catalog_data
    from lcmodules.render.catalog import render_catalogue

    course = course_with_overrides(tmp_path)
    diag = Diagnostics()
    [course_model] = load_paths([course], diag)
    assert diag.ok, diag.problems
    module = course_model.modules[0]
    assert module.meta.language == "nl"
    site = render_site(module, SiteOptions(layout="per-unit"))
    page = site.files[site.pages[0]]
    assert isinstance(page, bytes)
    assert '<p class="own">Volgende · Onderdeel 1 van 2 · Inhoud</p>' in page.decode("utf-8")
    html = render_catalogue(course_model, catalog_data(course_model, []))
    own = re.search(r'<p class="own">(.*?)</p>', html, re.S)
    assert own, html
    texts = own.group(1).split(" | ")
    expected = catalog.catalogue_strings("nl", {"nl"})
    assert texts == [expected[k] for k in [*catalog.MESSAGES, *catalog.FORMAT_LABELS, "count",
                                           "count_one", "lang_nl"]]
    assert texts[0] == "Modulecatalogus" and texts[-1] == "Nederlands"


def test_serve_words_a_warning_in_the_module_language() -> None:
    from lcmodules.serve.server import environment

    panel = environment("de").get_template("panel.html.j2").render(
        generation=1, title=None, slug="m", edition="learner", page="", errors=0, warnings=1,
        problems=[{"severity": "warning", "where": "a.md:3", "message": "m", "hint": ""}])
    assert "Warnung: m" in panel and "warning:" not in panel


@pytest.mark.parametrize(("language", "small", "large"), [
    ("nl", "12 bytes", "1,5 KB"), ("de", "12 Byte", "1,5 KB"), ("en", "1 byte", "1.5 KB")])
def test_the_catalogue_writes_sizes_in_its_language(language: str, small: str, large: str) -> None:
    assert catalog.human_size(12 if language != "en" else 1, language) == small
    assert catalog.human_size(1536, language) == large
    assert catalog.human_size(2_500_000_000, language).endswith(" GB")


@pytest.fixture()
def lti(tmp_path: Path) -> Iterator[object]:
    pytest.importorskip("flask")
    from lti_course import loaded_modules, write_course
    from lti_platform import lti_world

    modules = loaded_modules(write_course(tmp_path / "course"))
    (tmp_path / "tool").mkdir()
    with lti_world(tmp_path / "tool", publish=modules) as world:
        yield world


def test_the_lti_pages_speak_the_users_language(lti) -> None:  # type: ignore[no-untyped-def]
    from lti_platform import Browser

    claim = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
    lti.platform.message_type = "LtiDeepLinkingRequest"
    lti.platform.overrides[claim] = {"locale": "de-DE"}
    page = Browser().launch(lti.tool, lti.platform).text
    assert '<html lang="de">' in page
    for words in ("Module zu diesem Kurs hinzufügen", "immer die neueste Version",
                  "Zum Kurs hinzufügen"):
        assert words in page, words
    assert re.findall(r'<span class="v">(Wissenscheck, [^<]*)</span>', page) == \
        ["Wissenscheck, 4 Punkte"] * 2, page
    # no session: the browser's language; a message the catalogue has is translated
    browser = Browser()
    browser.session.headers["Accept-Language"] = "nl-NL,nl;q=0.9,en;q=0.5"
    refused = browser.session.get(f"{lti.tool}/lti/deep-link")
    assert refused.status_code == 401 and '<html lang="nl">' in refused.text
    assert "Deze start kan niet doorgaan" in refused.text
    assert translator("nl").gettext("open the activity again from the LMS") in refused.text


@pytest.mark.parametrize(("language", "heading"), [
    ("de", "# Kurs: Ausgabe für Lernende"), ("nl", "# Kurs: editie voor studenten"),
    ("fr", "# Kurs: learner edition")])
def test_the_learner_repository_readme_speaks_the_course_language(
        tmp_path: Path, language: str, heading: str) -> None:
    from lcmodules.export.learner_repo import readme
    from tests.conftest import run_cli

    run_cli("init", tmp_path, "--language", language, "--title", "Kurs", check=0)
    [course] = load_paths([tmp_path], Diagnostics())
    text = readme(course)
    assert text.startswith(heading + "\n\n")
    assert "`lcmodules build --format learner-repo`" in text.replace("\n", " ")
    assert text.endswith("(0.1.0)\n")
