"""The command line: exit statuses, messages, scaffolding, template overrides, schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from tests.conftest import run_cli


def test_validate_example_course(repo: Path) -> None:
    proc = run_cli("validate", ".", cwd=repo, check=0)
    # validate runs the format checks of every default format too: the cartridge warns that
    # it cannot hold a tolerance; a build of SCORM alone has nothing to say
    assert "0 errors" in proc.stderr and "Common Cartridge cannot hold a tolerance" in proc.stderr
    proc = run_cli("validate", ".", "-f", "scorm2004", cwd=repo, check=0)
    assert "module(s) valid" in proc.stderr


def test_list_example_course(repo: Path) -> None:
    proc = run_cli("list", "--json", cwd=repo, check=0)
    rows = json.loads(proc.stdout)
    assert len(rows) >= 3 and all(r["units"] >= 3 for r in rows)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run_cli("validate", "--nonsense", cwd=tmp_path).returncode == 2
    assert run_cli("frobnicate", cwd=tmp_path).returncode == 2
    proc = run_cli("build", "--format", "pdf", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown format pdf" in proc.stderr


def test_not_a_module_exits_1(tmp_path: Path) -> None:
    proc = run_cli("validate", tmp_path, cwd=tmp_path)
    assert proc.returncode == 1
    assert "not a course or a module folder" in proc.stderr and "Traceback" not in proc.stderr
    assert run_cli("validate", tmp_path / "missing", cwd=tmp_path).returncode == 1


def test_new_then_validate_in_a_course(tmp_path: Path) -> None:
    course = tmp_path / "mijn-cursus"
    (course / "modules").mkdir(parents=True)
    config = "title: Cursus\n# comment kept\nlcmodules:\n  modules:\n    - bestaand  # ook\n"
    (course / "_config.yml").write_text(config)
    run_cli("new", "bestaand", "--course", course, check=0)
    run_cli("new", "tweede", "--language", "en", "--title", "Second", "--course", course, check=0)
    text = (course / "_config.yml").read_text()
    assert text == config + "    - tweede\n"  # one line added, nothing else touched
    run_cli("validate", course, check=0)
    meta = YAML(typ="safe").load((course / "modules/tweede/module.yml").read_text())
    assert meta["id"] == "mijn-cursus/tweede" and meta["language"] == "en"
    assert (course / "modules/tweede/knowledge-check.quiz.yml").is_file()
    # the module can be scaffolded only once
    assert run_cli("new", "tweede", "--course", course).returncode == 1


def test_new_rejects_a_bad_slug(tmp_path: Path) -> None:
    proc = run_cli("new", "Mijn Module", cwd=tmp_path)
    assert proc.returncode == 2 and "'mijn-module'" in proc.stderr
    assert not any(tmp_path.iterdir())


def test_course_templates_override_builtin_ones_file_by_file(tmp_path: Path) -> None:
    course = tmp_path / "c"
    override = course / "templates" / "new"
    override.mkdir(parents=True)
    (course / "_config.yml").write_text("title: C\nlcmodules:\n  organisation: Fontys\n")
    (override / "case.md.j2").write_text("# {{ title }} bij Fontys\n\nHuisstijl-casus.\n")
    run_cli("new", "huisstijl", "--course", course, check=0)
    module = course / "modules" / "huisstijl"
    assert (module / "case.md").read_text() == "# Huisstijl bij Fontys\n\nHuisstijl-casus.\n"
    # files that are not overridden come from the built-in templates
    assert "Fontys" in (module / "module.yml").read_text()
    assert (module / "notebooks" / "01-start.ipynb").is_file()


def test_broken_override_is_reported(tmp_path: Path) -> None:
    course = tmp_path / "c"
    (course / "templates" / "new").mkdir(parents=True)
    (course / "_config.yml").write_text("title: C\n")
    (course / "templates" / "new" / "module.yml.j2").write_text("id: x\ntitel: y\n")
    proc = run_cli("new", "kapot", "--course", course)
    assert proc.returncode == 1 and "unknown field 'titel'" in proc.stderr


def test_schemas_validate_the_example_course(repo: Path) -> None:
    schemas = {k: json.loads(run_cli("schema", k, check=0).stdout) for k in ("module", "quiz", "course")}
    yaml = YAML(typ="safe")
    jsonschema.validate(yaml.load((repo / "_config.yml").read_text()), schemas["course"])
    for module_file in (repo / "modules").glob("*/module.yml"):
        jsonschema.validate(yaml.load(module_file.read_text()), schemas["module"])
    for quiz in (repo / "modules").glob("*/*.quiz.yml"):
        jsonschema.validate(yaml.load(quiz.read_text()), schemas["quiz"])
    bad = {"id": "x", "title": "t", "version": "1.0.0", "language": "nl", "contents": ["a.md"],
           "titel": "typo"}
    try:
        jsonschema.validate(bad, schemas["module"])
    except jsonschema.ValidationError as exc:
        assert "titel" in exc.message
    else:
        raise AssertionError("the module schema accepted an unknown field")


def test_version_flag() -> None:
    proc = run_cli("--version", check=0)
    assert proc.stdout.startswith("lcmodules, version ")
