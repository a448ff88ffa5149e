"""The example course rendered in nl, en and de: no English interface word in a Dutch or German page."""

from __future__ import annotations

import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

import lxml.html
import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.strings import catalogue_path, translator
from lcmodules.load.loader import load_paths
from lcmodules.render.site import SiteOptions, render_site

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

from tests.conftest import run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


def catalogue(language: str) -> dict[str, str]:
    from babel.messages.pofile import read_po

    with catalogue_path(language).open("rb") as handle:
        messages = read_po(handle, locale=language)
    return {(m.id if isinstance(m.id, str) else m.id[0]):
            (m.string if isinstance(m.string, str) else m.string[0]) for m in messages if m.id}


def pattern(text: str) -> re.Pattern[str]:
    """A catalogue text as a whole-string pattern, each `{placeholder}` standing for a number,
    name or type (no spaces)."""
    parts = re.split(r"\{[a-z_]*\}", text)
    return re.compile(r"\S+".join(re.escape(p) for p in parts))


def ui_texts(html: str, body: bool | None = None) -> list[str]:
    """Every text node and labelling attribute of a page outside code, whitespace collapsed;
    `body` True: only those in the units' bodies (author content with the quiz and notebook
    interface), False: only those outside them (the page's interface and titles)."""
    out = []
    root = lxml.html.fromstring(html)
    for element in list(root.iter("pre", "code", "script", "style")):
        if element.getparent() is not None:
            element.drop_tree()  # keeps the text after it, which is not code
    bodies = set(root.find_class("lc-unit-body"))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        inside = any(a in bodies for a in element.iterancestors()) or element in bodies
        if body is not None and inside != body:
            continue
        values = [element.text, element.tail, *(element.get(a) for a in ATTRIBUTES)]
        out += [" ".join(v.split()) for v in values if v and v.strip()]
    return out


def island(html: str) -> dict[str, str]:
    element = lxml.html.fromstring(html).get_element_by_id("lc-i18n")
    return json.loads(element.text)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "_config.yml", work / "_config.yml")
    shutil.copytree(ROOT / "modules", work / "modules")
    return work


def author_text(course: Path) -> tuple[str, set[str]]:
    """What the authors wrote (pages, notebooks, quizzes, metadata): all of it, whitespace
    collapsed, and its lines as titles and fields (`title: X`, `# X`) — author content is not
    interface, whatever its language."""
    files = [p for p in (course / "modules").rglob("*")
             if p.suffix in (".md", ".ipynb", ".yml") and p.is_file()]
    texts = [p.read_text(encoding="utf-8") for p in files]
    lines = set()
    for line in "\n".join(texts).replace("\\n", "\n").splitlines():
        value = line.strip().strip('",').split(": ", 1)[-1]
        lines.add(value.lstrip("#-* ").strip().strip("\"'"))
    return " ".join(" ".join(t.split()) for t in texts), lines


def pages(course: Path, language: str) -> dict[str, str]:
    for meta in course.glob("modules/*/module.yml"):
        text = meta.read_text(encoding="utf-8")
        meta.write_text(re.sub(r"(?m)^language: .*$", f"language: {language}", text),
                        encoding="utf-8")
    diag = Diagnostics()
    modules = load_paths([course], diag)[0].modules
    assert diag.ok, diag.problems
    assert len(modules) == 3
    out = {}
    for module in modules:
        site = render_site(module, SiteOptions(layout="per-unit"))
        for name in site.pages:
            page = site.files[name]
            assert isinstance(page, bytes)
            out[f"{module.meta.id}/{name}"] = page.decode("utf-8")
    return out


@pytest.mark.parametrize("language", ["nl", "de"])
def test_no_english_interface_word_in_a_dutch_or_german_course(course: Path, language: str) -> None:
    english, own = catalogue("en"), catalogue(language)
    # the English texts this language says differently (names like "Module" or "SHA-256" are the same)
    differ = {msgid: pattern(msgid) for msgid, text in own.items() if text != english[msgid]}
    translated = {pattern(text) for msgid, text in own.items() if msgid in differ}
    site = pages(course, language)
    prose, fields = author_text(course)
    assert len(site) > 10
    seen_own = 0
    for name, html in site.items():
        texts = ui_texts(html)
        # outside the units' bodies only titles and fields are the authors'; inside, their prose
        leaks = {t for t in ui_texts(html, body=False) for p in differ.values()
                 if p.fullmatch(t) and t not in fields}
        leaks |= {t for t in ui_texts(html, body=True) for p in differ.values()
                  if p.fullmatch(t) and not re.search(rf"(?<!\w){re.escape(t)}(?!\w)", prose)}
        assert sorted(leaks) == [], (name, leaks)
        seen_own += sum(1 for t in texts if any(p.fullmatch(t) for p in translated))
        strings = island(html)  # what lc.js shows: the language's own words, its number locale
        assert strings["locale"] == language
        assert not [v for k, v in strings.items() if k != "locale" and v in differ], name
    assert seen_own > 5 * len(site)  # the interface was there, in `language`


def test_the_english_course_shows_the_english_words(course: Path) -> None:
    site = pages(course, "en")
    texts = {t for html in site.values() for t in ui_texts(html)}
    assert {"Next", "Previous", "Contents", "Check answers"} <= texts


@pytest.mark.parametrize(("language", "name"), [
    ("fr", "French"), ("pt-BR", "Portuguese"), ("de", None), ("nl-BE", None)])
def test_validate_warns_when_a_language_has_no_interface_strings(
        cli, tmp_path: Path, language: str, name: str | None) -> None:  # type: ignore[no-untyped-def]
    folder = scormtest.write_module(tmp_path)
    meta = folder / "module.yml"
    meta.write_text(meta.read_text().replace("language: nl", f"language: {language}"))
    line = meta.read_text().splitlines().index(f"language: {language}") + 1
    proc = cli("validate", "-f", "scorm12", folder, check=0)  # a warning
    out = proc.stdout + proc.stderr
    if name is None:
        assert "no interface strings" not in out
        return
    assert f"module.yml:{line}" in out
    assert f"there are no interface strings in {name} ({language}); pages use English" in out
    assert "de, en, nl" in out
    cli("validate", "--strict", "-f", "scorm12", folder, check=1)


# ---------------------------------------------------------------- every format, word by word

WORD = re.compile(r"[^\W\d_]{2,}")  # a word: two letters or more
UNITS = {"kb", "mb", "gb"}  # the catalogue's file sizes
# fingerprints, checksums and file names are no words of a language
NOT_WORDS = re.compile(r"\b(?:sha256:)?[0-9a-f]{16,}\b|\S+\.(?:zip|imscc|json)\b")


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def source_words(folder: Path) -> set[str]:
    """Every word of the authors' files under `folder` (pages, notebooks, metadata, data)."""
    return {w for p in folder.rglob("*") if p.is_file() and p.suffix in (
        ".md", ".ipynb", ".yml", ".bib", ".csv", ".py", ".txt") for w in words(
        p.read_text(encoding="utf-8", errors="replace"))}


def foreign_words(html: str, allowed: set[str]) -> dict[str, str]:
    """Each visible word of a page (text and labelling attributes, outside code) that is not in
    `allowed`, with the text it stands in."""
    return {w: text for text in ui_texts(html) for w in WORD.findall(NOT_WORDS.sub(" ", text))
            if w.lower() not in allowed}


def interface_words(language: str, tags: set[str]) -> set[str]:
    """The words the catalogue of `language` has, and Babel's names of the languages `tags`."""
    from lcmodules.render.catalog import language_label

    names = " ".join(language_label(tag, language) for tag in tags)
    return {w for text in catalogue(language).values() for w in words(text)} | words(names)


def test_a_page_with_an_english_interface_word_is_caught() -> None:
    html = ('<html><body><nav>Volgende</nav><p class="lc-unit-body">De oven.</p>'
            '<button aria-label="Next">→</button><code>print</code></body></html>')
    allowed = interface_words("nl", {"nl"}) | {"de", "oven"}
    assert foreign_words(html, allowed) == {"Next": "Next"}


@pytest.fixture(scope="module", params=["nl", "de"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example course with every module in `language`, built in SCORM 1.2, SCORM 2004,
    Common Cartridge and catalogue."""
    language = request.param
    work = tmp_path_factory.mktemp(f"built-{language}")
    shutil.copy(ROOT / "_config.yml", work / "_config.yml")
    shutil.copytree(ROOT / "modules", work / "modules")
    for meta in work.glob("modules/*/module.yml"):
        meta.write_text(re.sub(r"(?m)^language: .*$", f"language: {language}",
                               meta.read_text(encoding="utf-8")), encoding="utf-8")
    run_cli("build", work, "-f", "scorm12,scorm2004,imscc,catalog", "--out",
                  work / "dist", check=0)
    return work, language


def allowed_words(course: Path, language: str, slug: str | None) -> set[str]:
    """What a page of module `slug` (None: of the whole course) may say: its authors' words,
    the course's, and the interface words of `language`."""
    folders = [course / "modules" / slug] if slug else sorted(course.glob("modules/*/"))
    own = set().union(*(source_words(f) for f in folders))
    return own | words((course / "_config.yml").read_text(encoding="utf-8")) | UNITS | \
        interface_words(language, {language})


def test_every_package_page_speaks_the_module_language(built: tuple[Path, str]) -> None:
    course, language = built
    slugs = sorted(p.parent.name for p in course.glob("modules/*/module.yml"))
    checked = 0
    for package in sorted((course / "dist").glob("*.zip")) + sorted((course / "dist").glob("*.imscc")):
        slug = next((s for s in slugs if package.name.startswith(f"{s}-")), None)
        allowed = allowed_words(course, language, slug)
        with zipfile.ZipFile(package) as zf:
            for name in (n for n in zf.namelist() if n.endswith(".html")):
                foreign = foreign_words(zf.read(name).decode("utf-8"), allowed)
                assert foreign == {}, (package.name, name, foreign)
                checked += 1
    assert checked > 20


def test_the_catalogue_speaks_the_course_language(built: tuple[Path, str]) -> None:
    course, language = built
    html = (course / "dist" / "catalog.html").read_text(encoding="utf-8")
    assert f'<html lang="{language}">' in html
    assert foreign_words(html, allowed_words(course, language, None)) == {}
    assert {"Module catalogue", "Downloads"} & set(ui_texts(html)) <= {"Downloads"}


def test_serve_and_preview_speak_the_module_language(built: tuple[Path, str]) -> None:
    import urllib.request

    from localservers import running

    course, language = built
    warning = translator(language).gettext("warning")
    with running("serve", course) as base:
        urls = ["/", *(f"/{p.parent.name}/{edition}/" for p in course.glob("modules/*/module.yml")
                       for edition in ("learner", "teacher"))]
        for url in urls:
            with urllib.request.urlopen(base + url, timeout=120) as response:
                html = response.read().decode("utf-8")
            slug = url.split("/")[1] or None
            root = lxml.html.fromstring(html)
            for item in root.xpath('//*[contains(@class, "lcserve-problems")]/li'):  # validate's diagnostics
                assert (item.text_content().split(": ", 2)[1] == warning
                        if "lcserve-warning" in item.get("class", "") else True), item.text_content()
                item.drop_tree()
            page = lxml.html.tostring(root, encoding="unicode")
            allowed = allowed_words(course, language, slug) | {"lcmodules", "serve"}  # its name
            assert foreign_words(page, allowed) == {}, url
    slug = "voorspellend-onderhoud"
    with running("preview", course / "modules" / slug) as base, \
            urllib.request.urlopen(base + "/", timeout=120) as response:
        html = response.read().decode("utf-8")
    assert f'<html lang="{language}">' in html
    player = island_of(html, "preview-config")["text"]
    allowed = allowed_words(course, language, slug) | {"lcmodules", "sco", "cmi", "lms"}
    assert foreign_words(html, allowed) == {}
    assert all(not (words(text) - allowed) for text in player.values()), player


def island_of(html: str, element_id: str) -> dict[str, object]:
    element = lxml.html.fromstring(html).get_element_by_id(element_id)
    return json.loads(element.text)
