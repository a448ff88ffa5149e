"""`lcmodules init` and `lcmodules new`: from an empty folder to a course that builds."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ruamel.yaml import YAML

from tests.conftest import run_cli


def test_init_makes_a_course_that_validates_and_builds_in_every_format(tmp_path: Path) -> None:
    course = tmp_path / "mijn-cursus"
    run_cli("init", course, "--title", "Data science in de praktijk", "--institution",
            "Saxion", cwd=tmp_path, check=0)
    config_text = (course / "_config.yml").read_text()
    assert config_text.startswith("# ")  # commented for the lecturer
    config = YAML(typ="safe").load(config_text)
    assert config["title"] == "Data science in de praktijk"
    assert config["lcmodules"]["organisation"] == "Saxion"
    assert config["lcmodules"]["modules"] == ["eerste-module"]
    ignored = (course / ".gitignore").read_text().splitlines()
    assert "dist/" in ignored and ".lcmodules-cache/" in ignored
    meta = YAML(typ="safe").load((course / "modules/eerste-module/module.yml").read_text())
    assert meta["language"] == "nl" and meta["id"] == "mijn-cursus/eerste-module"
    run_cli("validate", cwd=course, check=0)
    formats = run_cli("build", "--list-formats", cwd=course, check=0).stdout.split()
    proc = run_cli("build", cwd=course, check=0)
    built = {p.name for p in (course / "dist").iterdir()}
    for fmt in ("scorm12", "scorm2004", "imscc"):
        assert any(fmt in name for name in built), (fmt, built, proc.stderr)
    assert "jupyter-book" in formats and "catalog" in formats
    scorm = next((course / "dist").glob("eerste-module-0.1.0-scorm12.zip"))
    assert "imsmanifest.xml" in zipfile.ZipFile(scorm).namelist()


def test_init_in_the_current_folder_in_english_and_german(tmp_path: Path) -> None:
    run_cli("init", "--language", "en", cwd=tmp_path, check=0)
    assert (tmp_path / "modules/first-module/knowledge-check.quiz.yml").is_file()
    run_cli("validate", cwd=tmp_path, check=0)
    german = tmp_path / "kurs"
    run_cli("init", german, "--language", "de", cwd=tmp_path, check=0)
    meta = YAML(typ="safe").load((german / "modules/erstes-modul/module.yml").read_text())
    assert meta["language"] == "de"
    run_cli("validate", german, check=0)


def test_init_refuses_a_course_and_keeps_a_gitignore(tmp_path: Path) -> None:
    run_cli("init", tmp_path / "c", cwd=tmp_path, check=0)
    before = (tmp_path / "c/_config.yml").read_text()
    proc = run_cli("init", tmp_path / "c", cwd=tmp_path)
    assert proc.returncode == 1 and "already a course" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "c/_config.yml").read_text() == before
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".gitignore").write_text("*.pyc\ndist/\n")
    run_cli("init", repo, "--language", "en", cwd=tmp_path, check=0)
    assert (repo / ".gitignore").read_text().startswith("*.pyc\ndist/\n.lcmodules-cache/\n")


def test_new_outside_a_course_says_how_to_start_one(tmp_path: Path) -> None:
    proc = run_cli("new", "los", cwd=tmp_path)
    assert proc.returncode == 1 and "lcmodules init" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_new_inside_a_course_writes_into_modules(tmp_path: Path) -> None:
    run_cli("init", "--language", "en", cwd=tmp_path, check=0)
    run_cli("new", "second", "--language", "en", cwd=tmp_path / "modules", check=0)
    assert (tmp_path / "modules/second/module.yml").is_file()
    config = YAML(typ="safe").load((tmp_path / "_config.yml").read_text())
    assert config["lcmodules"]["modules"] == ["first-module", "second"]
    run_cli("validate", cwd=tmp_path, check=0)


def test_a_folder_with_only_modules_is_a_course(tmp_path: Path) -> None:
    (tmp_path / "modules").mkdir()
    run_cli("new", "alleen", cwd=tmp_path, check=0)
    assert (tmp_path / "modules/alleen/module.yml").is_file()
    proc = run_cli("validate", cwd=tmp_path, check=0)
    assert "1 module" in proc.stderr
    run_cli("build", "-f", "scorm12,imscc", cwd=tmp_path, check=0)
    assert {p.name for p in (tmp_path / "dist").glob("[!.]*")} == {
        "alleen-0.1.0-scorm12.zip", "alleen-0.1.0-imscc.imscc"}


def test_not_a_course_names_what_a_course_is(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x")
    proc = run_cli("validate", cwd=tmp_path)
    assert proc.returncode == 1
    assert "_config.yml or modules/" in proc.stderr and "lcmodules init" in proc.stderr
