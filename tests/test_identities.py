"""Stable unit ids, the item identifiers module.lock records, and the warning when a release
would delete learners' records in the LMS."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402

CONTENTS = "contents:\n  - case.md\n  - notebooks/verkennen.ipynb\n  - check.quiz.yml\n"
WARNING = "will be deleted in Moodle when this version replaces the old package"


def course(tmp_path: Path, sco: str = "per-unit") -> Path:
    """A course whose packages use `sco`, holding the harness's test module."""
    root = tmp_path / "course"
    scormtest.write_module(root / "modules")
    (root / "_config.yml").write_text(f"title: Testcursus\nlcmodules:\n  build:\n    sco: {sco}\n",
                                      encoding="utf-8")
    return root


def set_contents(module: Path, contents: str) -> None:
    yml = module / "module.yml"
    text = yml.read_text(encoding="utf-8")
    yml.write_text(text[: text.index("contents:")] + contents, encoding="utf-8")


def rename_notebook(module: Path, contents: str) -> None:
    (module / "notebooks" / "verkennen.ipynb").rename(module / "notebooks" / "01-verkennen.ipynb")
    set_contents(module, contents)


def item_ids(package: Path) -> list[str]:
    with zipfile.ZipFile(package) as zf:
        doc = etree.fromstring(zf.read("imsmanifest.xml"))
    return [i.get("identifier") for i in doc.iter("{*}item")]


def test_unit_ids_load_and_name_the_items(tmp_path: Path) -> None:
    module = scormtest.write_module(tmp_path)
    set_contents(module, "contents:\n  - case.md\n  - file: notebooks/verkennen.ipynb\n"
                         "    id: verkennen\n  - check.quiz.yml\n")
    built = scormtest.build(module, tmp_path / "out", sco="per-unit")
    for package in built:
        assert item_ids(package) == ["itm-case-md", "itm-verkennen", "itm-check-quiz-yml"]
    single = scormtest.build(module, tmp_path / "single", formats=("scorm12",))
    assert item_ids(single[0]) == ["itm-module"]


@pytest.mark.parametrize(("contents", "line", "message"), [
    ("contents:\n  - case.md\n  - file: notebooks/verkennen.ipynb\n    id: Verkennen\n",
     "module.yml:13", "is not a valid unit id"),
    ("contents:\n  - file: case.md\n    id: deel\n  - file: notebooks/verkennen.ipynb\n"
     "    id: deel\n", "module.yml:14", "unit id 'deel' is given twice in contents"),
    ("contents:\n  - file: case.md\n    ident: casus\n", "module.yml:12",
     "unknown field 'contents[0].ident' — remove it; the fields here are: file, id"),
])
def test_bad_unit_ids_are_errors_at_their_line(cli, tmp_path: Path, contents: str, line: str,
                                               message: str) -> None:
    module = scormtest.write_module(tmp_path)
    set_contents(module, contents)
    proc = cli("validate", module, check=1)
    assert line in proc.stderr and message in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_release_records_items_and_warns_on_a_renamed_unit(cli, tmp_path: Path) -> None:
    root = course(tmp_path)
    module = root / "modules" / "testmodule"
    cli("release", module, "--note", "Eerste versie", check=0)
    lock = json.loads((module / "module.lock").read_text())
    assert lock["items"] == {"itm-case-md": "case.md", "itm-check-quiz-yml": "check.quiz.yml",
                             "itm-notebooks-verkennen-ipynb": "notebooks/verkennen.ipynb"}
    assert WARNING not in cli("status", root, check=0).stderr

    rename_notebook(module, CONTENTS.replace("notebooks/verkennen", "notebooks/01-verkennen"))
    status = cli("status", root, check=0)
    assert WARNING in status.stderr
    assert "learners' records of unit 'notebooks/verkennen.ipynb'" in status.stderr
    assert "module.yml:12: warning:" in status.stderr  # the renamed entry
    data = json.loads(cli("status", root, "--json", check=0).stdout)
    assert [w["severity"] for w in data["modules"][0]["warnings"]] == ["warning"]

    dry = cli("release", module, "--bump", "minor", "--note", "Hernoemd", "--dry-run", check=0)
    assert WARNING in dry.stderr
    assert "give the unit 'notebooks/01-verkennen.ipynb' `id: notebooks-verkennen-ipynb`" \
        in dry.stderr

    # the lecturer follows the advice: the unit keeps its identifier, and nothing is said
    set_contents(module, "contents:\n  - case.md\n  - file: notebooks/01-verkennen.ipynb\n"
                         "    id: notebooks-verkennen-ipynb\n  - check.quiz.yml\n")
    done = cli("release", module, "--bump", "minor", "--note", "Hernoemd", check=0)
    assert WARNING not in done.stderr and WARNING not in done.stdout
    lock = json.loads((module / "module.lock").read_text())
    assert lock["items"]["itm-notebooks-verkennen-ipynb"] == "notebooks/01-verkennen.ipynb"


def test_giving_an_existing_unit_a_new_id_is_warned_too(cli, tmp_path: Path) -> None:
    root = course(tmp_path)
    module = root / "modules" / "testmodule"
    cli("release", module, "--note", "Eerste versie", check=0)
    set_contents(module, "contents:\n  - file: case.md\n    id: casus\n"
                         "  - notebooks/verkennen.ipynb\n  - check.quiz.yml\n")
    proc = cli("status", root, check=0)
    assert "learners' records of unit 'case.md'" in proc.stderr
    assert "give the unit `id: case-md`" in proc.stderr


def test_single_sco_courses_keep_their_one_item(cli, tmp_path: Path) -> None:
    root = course(tmp_path, sco="single")
    module = root / "modules" / "testmodule"
    cli("release", module, "--note", "Eerste versie", check=0)
    assert json.loads((module / "module.lock").read_text())["items"] == {"itm-module": ""}
    rename_notebook(module, CONTENTS.replace("notebooks/verkennen", "notebooks/01-verkennen"))
    proc = cli("release", module, "--bump", "patch", "--note", "Hernoemd", check=0)
    assert WARNING not in proc.stderr
    # switching the course to one SCO per unit drops the module's one item
    (root / "_config.yml").write_text("title: T\nlcmodules:\n  build:\n    sco: per-unit\n")
    proc = cli("status", root, check=0)
    assert "learners' records of the module (item itm-module)" in proc.stderr
    assert "sco: single" in proc.stderr


def test_locks_without_items_stay_readable(cli, tmp_path: Path) -> None:
    root = course(tmp_path)
    module = root / "modules" / "testmodule"
    cli("release", module, "--note", "Eerste versie", check=0)
    lock = json.loads((module / "module.lock").read_text())
    del lock["items"]  # as lcmodules wrote it before it recorded items
    (module / "module.lock").write_text(json.dumps(lock, indent=2, sort_keys=True) + "\n")
    rename_notebook(module, CONTENTS.replace("notebooks/verkennen", "notebooks/01-verkennen"))
    proc = cli("status", root, "--check", check=1)  # changed content, same version
    assert WARNING not in proc.stderr and "module.lock" not in proc.stderr.split("content")[0]
    proc = cli("release", module, "--bump", "patch", "--note", "Hernoemd", check=0)
    assert "items" in json.loads((module / "module.lock").read_text())
