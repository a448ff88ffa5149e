"""`lcmodules inspect NEW --against OLD`: does replacing a package keep the learners' records?"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

RENAMED = "contents:\n  - case.md\n  - notebooks/01-verkennen.ipynb\n  - check.quiz.yml\n"
WITH_ID = ("contents:\n  - case.md\n  - file: notebooks/01-verkennen.ipynb\n"
           "    id: notebooks-verkennen-ipynb\n  - check.quiz.yml\n")
REMOVED = "contents:\n  - notebooks/verkennen.ipynb\n  - check.quiz.yml\n"


def version_of(src: Path, name: str, version: str, contents: str | None, out: Path) -> Path:
    """The test module at `version`, its contents replaced, built per unit as SCORM 2004."""
    module = scormtest.write_module(src / name, version=version)
    if contents is not None:
        if "01-verkennen" in contents:
            (module / "notebooks" / "verkennen.ipynb").rename(
                module / "notebooks" / "01-verkennen.ipynb")
        yml = module / "module.yml"
        text = yml.read_text(encoding="utf-8")
        yml.write_text(text[: text.index("contents:")] + contents, encoding="utf-8")
    return scormtest.build(module, out / name, formats=("scorm2004",), sco="per-unit")[0]


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("out")
    built = {
        "old": version_of(src, "old", "1.0.0", None, out),
        "renamed": version_of(src, "renamed", "1.1.0", RENAMED, out),
        "with-id": version_of(src, "with-id", "1.1.0", WITH_ID, out),
        "removed": version_of(src, "removed", "2.0.0", REMOVED, out),
    }
    module = scormtest.write_module(src / "v12", version="1.1.0")
    built["scorm12"] = scormtest.build(module, out / "v12", formats=("scorm12",),
                                       sco="per-unit")[0]
    return built


def against(cli, new: Path, old: Path, code: int) -> dict:
    return json.loads(cli("inspect", new, "--against", old, "--json", check=code).stdout)


def test_kept_items_keep_every_record(cli, packages: dict[str, Path]) -> None:
    data = against(cli, packages["with-id"], packages["old"], 0)
    assert data["ok"] is True and data["removed"] == [] and data["added"] == []
    assert data["kept"] == ["itm-case-md", "itm-notebooks-verkennen-ipynb", "itm-check-quiz-yml"]
    assert (data["old"]["version"], data["new"]["version"]) == ("1.0.0", "1.1.0")
    assert data["new"]["identifier"] == data["old"]["identifier"] == "lcm-lc-test_testmodule"
    # the page is named after the file: a launch change, a warning only
    assert data["launch_changed"] == [{"identifier": "itm-notebooks-verkennen-ipynb",
                                       "old": "02-verkennen.html", "new": "02-01-verkennen.html"}]
    assert [f["severity"] for f in data["findings"] if f["code"] == "launch-changed"] == ["warning"]
    text = cli("inspect", packages["with-id"], "--against", packages["old"], check=0).stdout
    assert "keeps every learner record" in text


def test_a_renamed_unit_loses_its_records(cli, packages: dict[str, Path]) -> None:
    data = against(cli, packages["renamed"], packages["old"], 1)
    assert data["removed"] == ["itm-notebooks-verkennen-ipynb"]
    assert data["added"] == ["itm-notebooks-01-verkennen-ipynb"]
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    assert [f["code"] for f in errors] == ["item-removed"]
    assert "id: notebooks-verkennen-ipynb" in errors[0]["hint"]
    text = cli("inspect", packages["renamed"], "--against", packages["old"], check=1).stdout
    assert "itm-notebooks-verkennen-ipynb" in text and "would lose learners' records" in text


def test_a_removed_unit_loses_its_records(cli, packages: dict[str, Path]) -> None:
    data = against(cli, packages["removed"], packages["old"], 1)
    assert data["removed"] == ["itm-case-md"] and data["added"] == []
    # the units after it moved: their pages have new names, their records stay
    assert {c["identifier"] for c in data["launch_changed"]} == {
        "itm-notebooks-verkennen-ipynb", "itm-check-quiz-yml"}
    # the other way round nothing is lost: OLD only adds an item
    assert against(cli, packages["old"], packages["removed"], 0)["added"] == ["itm-case-md"]


def test_another_scorm_version_is_an_error(cli, packages: dict[str, Path]) -> None:
    data = against(cli, packages["scorm12"], packages["old"], 1)
    assert "scorm-version-changed" in [f["code"] for f in data["findings"]]


MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="{ident}" version="{version}"
    xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
    xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG">
    <organization identifier="ORG"><title>Cursus</title>
      <item identifier="CHAPTER"><title>Hoofdstuk</title>
{items}
      </item>
    </organization>
  </organizations>
  <resources>
{resources}
  </resources>
</manifest>
"""


def foreign(path: Path, ident: str, version: str, scos: dict[str, str]) -> Path:
    """A package as another authoring tool writes it: nested items, upper-case identifiers."""
    items = "\n".join(f'<item identifier="{i}" identifierref="R_{i}"><title>{i}</title></item>'
                      for i in scos)
    resources = "\n".join(
        f'<resource identifier="R_{i}" type="webcontent" adlcp:scormtype="sco" href="{h}">'
        f'<file href="{h}"/></resource>' for i, h in scos.items())
    files: dict[str, bytes | str] = {h: "<html><body>les</body></html>" for h in scos.values()}
    files["imsmanifest.xml"] = MANIFEST.format(ident=ident, version=version, items=items,
                                               resources=resources)
    return scormtest.zip_of(path, files)


def test_foreign_packages(cli, tmp_path: Path) -> None:
    old = foreign(tmp_path / "old.zip", "COURSE_1", "3", {"SCO_A": "a.html", "SCO_B": "b.html"})
    same = foreign(tmp_path / "new.zip", "COURSE_1", "4", {"SCO_A": "a2.html", "SCO_B": "b.html"})
    data = against(cli, same, old, 0)
    assert data["kept"] == ["SCO_A", "SCO_B"]
    assert data["launch_changed"] == [{"identifier": "SCO_A", "old": "a.html", "new": "a2.html"}]
    gone = foreign(tmp_path / "gone.zip", "COURSE_2", "4", {"SCO_B": "b.html", "SCO_C": "c.html"})
    data = against(cli, gone, old, 1)
    assert (data["removed"], data["added"]) == (["SCO_A"], ["SCO_C"])
    codes = {f["code"]: f for f in data["findings"]}
    assert codes["item-removed"]["severity"] == "error"
    assert "lcmodules" not in codes["item-removed"]["hint"]  # not our package: no id advice
    assert codes["identifier-changed"]["severity"] == "warning"
    # not a package at all: an error, not a traceback
    broken = scormtest.zip_of(tmp_path / "broken.zip", {"index.html": "x"})
    proc = cli("inspect", broken, "--against", old, check=1)
    assert "Traceback" not in proc.stderr and "no imsmanifest.xml" in proc.stdout
