"""The example course rendered in nl, en and de: no English interface word in a Dutch or German page."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import lxml.html
import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.strings import catalogue_path
from lcmodules.load.loader import load_paths
from lcmodules.render.site import SiteOptions, render_site

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

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
