"""`lcmodules init` and `new` write every sentence in the module's language (nl, en, de), from
the string catalogue; a German course validates and builds."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from ruamel.yaml import YAML

from lcmodules.core.strings import catalogue_languages, translator
from lcmodules.model import SLUG
from lcmodules.scaffold import texts, writer
from tests.conftest import run_cli

SCAFFOLD = Path(writer.__file__).resolve().parent


def scaffold_msgids() -> set[str]:
    """Every message the scaffold's templates and texts.py ask the catalogue for."""
    methods = [("**.j2", "jinja2"), ("texts.py", "python")]
    keywords = {"_": None, "N_": None}
    return {message for _f, _l, message, _c, _x in extract_from_dir(
        str(SCAFFOLD), method_map=methods, keywords=keywords) if isinstance(message, str)}


def pattern(text: str) -> re.Pattern[str]:
    """`text` as a whole-word pattern, each `{placeholder}` standing for any text."""
    parts = re.split(r"\{[a-z_]*\}", text)
    return re.compile(r"(?<!\w)" + r".+?".join(re.escape(p) for p in parts) + r"(?!\w)")


def written_text(course: Path) -> str:
    """Every file `init` wrote, notebooks as their cells' text."""
    out = []
    for path in sorted(p for p in course.rglob("*") if p.is_file()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join("".join(c["source"]) for c in json.loads(text)["cells"])
        out.append(text)
    return "\n".join(out)


def test_the_scaffold_asks_the_catalogue_for_its_sentences() -> None:
    msgids = scaffold_msgids()
    assert len(msgids) > 25
    assert "Which formula gives the mean?" in msgids and "Knowledge check" in msgids
    for template in SCAFFOLD.rglob("*.j2"):  # no language branches left in the templates
        assert "if nl" not in template.read_text(encoding="utf-8"), template


@pytest.mark.parametrize("language", catalogue_languages())
def test_names_the_scaffold_writes_are_slugs_and_identifiers(language: str) -> None:
    gettext = translator(language).gettext
    assert SLUG.match(texts.first_module_slug(language))
    assert SLUG.match(gettext(texts.QUIZ_NAME))
    for msgid in texts.CODE_NAMES.values():
        assert gettext(msgid).isidentifier(), (language, gettext(msgid))
    assert texts.placeholders(language)["case"] in texts.placeholder_texts()


@pytest.mark.parametrize(("language", "module", "quiz"), [
    ("nl", "eerste-module", "kennischeck"), ("de", "erstes-modul", "wissenscheck")])
def test_init_writes_a_course_without_an_english_sentence(
        tmp_path: Path, language: str, module: str, quiz: str) -> None:
    run_cli("init", tmp_path, "--language", language, cwd=tmp_path, check=0)
    folder = tmp_path / "modules" / module
    assert (folder / f"{quiz}.quiz.yml").is_file()
    text = written_text(tmp_path)
    gettext = translator(language).gettext
    english = [m for m in scaffold_msgids() if gettext(m) != m and pattern(m).search(text)]
    assert english == []
    own = [m for m in scaffold_msgids() if pattern(gettext(m)).search(text)]
    assert len(own) > 25, own
    notebook = json.loads((folder / "notebooks/01-start.ipynb").read_text(encoding="utf-8"))
    code = "".join(notebook["cells"][2]["source"])
    mean, values = gettext(texts.CODE_NAMES["mean"]), gettext(texts.CODE_NAMES["argument"])
    assert code.startswith(f"def {mean}({values}):\n")


def test_a_german_course_validates_and_builds(tmp_path: Path) -> None:
    course = tmp_path / "kurs"
    run_cli("init", course, "--language", "de", "--title", "Datenanalyse", cwd=tmp_path, check=0)
    run_cli("new", "zweites-modul", "--language", "de", cwd=course, check=0)
    modules = YAML(typ="safe").load((course / "_config.yml").read_text())["lcmodules"]["modules"]
    assert modules == ["erstes-modul", "zweites-modul"]
    meta = YAML(typ="safe").load((course / "modules/zweites-modul/module.yml").read_text())
    assert meta["authors"] == [{"name": "Lehrende"}]
    assert meta["summary"].startswith("Ein Absatz über den Praxisfall")
    proc = run_cli("validate", cwd=course, check=0)
    assert "no interface strings" not in proc.stderr
    assert "placeholder text 'Name des Unternehmens'" in proc.stderr  # the example text is known
    run_cli("build", "-f", "scorm12", cwd=course, check=0)
    package = zipfile.ZipFile(course / "dist/erstes-modul-0.1.0-scorm12.zip")
    pages = [n for n in package.namelist() if n.endswith(".html")]
    html = "".join(package.read(n).decode("utf-8") for n in pages)
    assert "Der Mittelwert ist" in html and "Welche Formel ergibt den Mittelwert?" in html
    assert "Wissenscheck" in html and "Knowledge check" not in html
