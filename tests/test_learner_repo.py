"""The learner-edition repository tree, and launch buttons that open it."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from solutions import solution_lines  # noqa: E402


@pytest.fixture()
def mirror(cli, course: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    cli("build", "--format", "learner-repo", "--out", out, cwd=course, check=0)
    return out / "lc-ai-modules-learner-repo"


def test_mirror_has_learner_editions_only(course: Path, mirror: Path) -> None:
    teacher = sorted((course / "modules").rglob("*.ipynb"))
    assert teacher
    secrets = solution_lines(course)
    assert secrets
    for source in teacher:
        rel = source.relative_to(course)
        learner = nbformat.read(mirror / rel, as_version=4)
        nbformat.validate(learner)
        text = (mirror / rel).read_text(encoding="utf-8")
        assert {line for line in secrets if line in text} == set(), rel
        assert "raise NotImplementedError()" in text
    assert not list(mirror.rglob("*.quiz.yml")), "knowledge checks hold their answers"
    assert not list(mirror.rglob("module.lock"))
    for data in (course / "modules").rglob("data/*"):
        assert (mirror / data.relative_to(course)).read_bytes() == data.read_bytes()
    assert (mirror / "binder" / "requirements.txt").is_file()
    assert "learner edition" in (mirror / "README.md").read_text()


def test_markdown_solutions_are_removed_from_pages(course: Path, cli, tmp_path: Path) -> None:
    page = course / "modules" / "email-triage" / "case.md"
    page.write_text(page.read_text() + "\n<!-- BEGIN SOLUTION -->\nHet geheime antwoord.\n"
                    "<!-- END SOLUTION -->\n", encoding="utf-8")
    out = tmp_path / "out"
    cli("build", "--format", "learner-repo", "--out", out, cwd=course, check=0)
    text = (out / "lc-ai-modules-learner-repo/modules/email-triage/case.md").read_text()
    assert "geheime antwoord" not in text and "Triage" in text


def test_launch_buttons_open_the_learner_branch(course: Path, cli, tmp_path: Path) -> None:
    config = course / "_config.yml"
    text = config.read_text()
    assert "    branch: learner" in text  # the example course publishes its learner edition
    config.write_text(text.replace("    branch: learner", "    branch: leerlingen"), encoding="utf-8")
    out = tmp_path / "out"
    cli("build", "modules/email-triage", "-f", "scorm12", "-f", "jupyter-book", "--out", out,
        cwd=course, check=0)
    with zipfile.ZipFile(out / "email-triage-1.0.0-scorm12.zip") as zf:
        page = zf.read("index.html").decode()
    binder = re.findall(r'href="([^"]*/v2/gh/[^"]*)"', page)
    assert binder and all("/lc-ai-modules/leerlingen?labpath=modules/email-triage/notebooks/"
                          in url for url in binder), binder
    book = yaml.safe_load((out / "email-triage-1.0.0-jupyter-book" / "_config.yml").read_text())
    assert book["repository"]["branch"] == "leerlingen"


def test_unknown_launch_key_is_reported(course: Path, cli) -> None:
    config = course / "_config.yml"
    config.write_text(config.read_text().replace("    branch: learner", "    brnach: learner"),
                      encoding="utf-8")
    proc = cli("validate", cwd=course)
    assert proc.returncode == 1 and "did you mean 'branch'?" in proc.stderr


def test_a_module_on_its_own_is_named_after_itself(cli, tmp_path: Path) -> None:
    import shutil

    module = tmp_path / "minimal"
    shutil.copytree(Path(__file__).parent / "fixtures" / "minimal", module)
    out = tmp_path / "out"
    cli("build", module, "--format", "learner-repo", "--out", out, check=0)
    tree = out / "minimal-learner-repo"
    assert (tree / "notebooks" / "verkennen.ipynb").is_file()
    assert "return sum(xs)" not in (tree / "notebooks" / "verkennen.ipynb").read_text()
    assert not (tree / "toets.quiz.yml").exists()
