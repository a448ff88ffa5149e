"""`import-book` carries the book's environment files into the course, and `validate` and
`build --html` name the pip package behind each Sphinx extension that is not installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from lcmodules.core.extensions import guessed_distribution, install_hint, requirement_line
from tests.conftest import run_cli

REQUIREMENTS = """\
jupyter-book
# the book's own extensions
teachbooks-sphinx-grasple>=1.3
git+https://github.com/Example-Org/Download-Link-Replacer.git@main
Jupyterbook_Patches
"""


def book_in_repo(tmp_path: Path) -> Path:
    """A book folder inside a git repository whose root holds requirements.txt."""
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    book = repo / "book"
    book.mkdir()
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (book / "intro.md").write_text("# Rivers\n\nWater flows downhill.\n", encoding="utf-8")
    (book / "environment.yml").write_text("name: rivers\ndependencies:\n  - python=3.11\n",
                                          encoding="utf-8")
    (book / "Project.toml").write_text('[deps]\nPlots = "91a5bcdd-55d7-5caf-9e0b-520d859cae80"\n',
                                       encoding="utf-8")
    (book / "_config.yml").write_text(
        "title: Rivers\nsphinx:\n  extra_extensions:\n    - sphinx_grasple\n"
        "    - download_link_replacer\n    - jupyterbook_patches\n"
        "    - sphinx_image_inverter\n", encoding="utf-8")
    return book


def test_environment_files_travel_and_validate_names_packages(tmp_path: Path) -> None:
    course = tmp_path / "course"
    run_cli("import-book", book_in_repo(tmp_path), "--out", course, check=0)
    assert (course / "requirements.txt").read_text(encoding="utf-8") == REQUIREMENTS
    assert (course / "environment.yml").is_file() and (course / "Project.toml").is_file()
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert "requirements.txt: copied to the course from the book's repository root" in report
    out = run_cli("validate", course, check=0).stderr
    config = str(course / "_config.yml")
    assert (f"{config}:4: warning: Sphinx extension 'sphinx_grasple' is not installed") in out
    assert "`pip install -r requirements.txt` (its line 3, `teachbooks-sphinx-grasple>=1.3`, provides it)" \
        in out
    assert "its line 4, `git+https://github.com/Example-Org/Download-Link-Replacer.git@main`" \
        in out
    assert "its line 5, `Jupyterbook_Patches`" in out
    assert f"{config}:7: warning: Sphinx extension 'sphinx_image_inverter'" in out
    assert "most likely `pip install sphinx-image-inverter`" in out


@pytest.mark.parametrize(("module", "package"), [
    ("sphinx_grasple", "teachbooks-sphinx-grasple"), ("download_link_replacer", "download-link-replacer"),
    ("sphinxcontrib.bibtex", "sphinxcontrib-bibtex"), ("sphinx.ext.mathjax", "sphinx"),
    ("notfound.extension", "sphinx-notfound-page"), ("some_new_ext", "some-new-ext")])
def test_extension_to_package(module: str, package: str) -> None:
    assert guessed_distribution(module) == package


def test_installed_extension_named_by_its_distribution() -> None:
    # myst_nb is installed with lcmodules[test]: packages_distributions() knows its package
    assert guessed_distribution("myst_nb").lower().replace("_", "-") == "myst-nb"


def test_requirement_lines_that_do_not_provide_it(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(
        "teachbooks-sphinx-grasple-extra\n-r other.txt\n# teachbooks-sphinx-grasple\n", encoding="utf-8")
    assert requirement_line("sphinx_grasple", tmp_path) is None
    assert "most likely `pip install teachbooks-sphinx-grasple`" in install_hint("sphinx_grasple", tmp_path)


@pytest.mark.book
def test_build_html_names_the_missing_extension(tmp_path: Path) -> None:
    course = tmp_path / "course"
    run_cli("import-book", book_in_repo(tmp_path), "--out", course, check=0)
    proc = run_cli("build", "-f", "jupyter-book", "--html", "--out", tmp_path / "dist",
                   cwd=course, check=1)
    assert "the Sphinx extension `sphinx_grasple` is not installed: `pip install -r " \
        "requirements.txt` (its line 3, `teachbooks-sphinx-grasple>=1.3`, provides it)" \
        in proc.stderr + proc.stdout  # the course's own requirements, as validate says
    assert "Traceback" not in proc.stderr


def book_with_extensions(tmp_path: Path) -> Path:
    """A book of our own whose `_config.yml` names two installed Sphinx extensions (one of
    Jupyter Book's own, one from the test extra) and one that is not installed."""
    book = tmp_path / "tabs"
    book.mkdir()
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    (book / "intro.md").write_text(
        "# Tabs\n\n````{tab} Python\nprint(1)\n````\n\n````{tab} R\nprint(2)\n````\n",
        encoding="utf-8")
    (book / "_config.yml").write_text(
        "title: Tabs\nsphinx:\n  extra_extensions:\n    - sphinx_togglebutton\n"
        "    - sphinx_inline_tabs\n    - sphinx_grasple\n", encoding="utf-8")
    return book


@pytest.mark.book
def test_an_installed_extension_builds_and_a_missing_one_is_named(tmp_path: Path) -> None:
    course = tmp_path / "course"
    run_cli("import-book", book_with_extensions(tmp_path), "--out", course, check=0)
    out = run_cli("validate", course, check=0).stderr
    config = course / "_config.yml"
    assert f"{config}:6: warning: Sphinx extension 'sphinx_grasple' is not installed" in out
    assert "most likely `pip install teachbooks-sphinx-grasple`" in out
    assert "sphinx_inline_tabs" not in out and "sphinx_togglebutton" not in out
    dist = tmp_path / "dist"
    proc = run_cli("build", "-f", "jupyter-book", "--html", "--out", dist, cwd=course, check=1)
    said = proc.stderr + proc.stdout
    assert "the Sphinx extension `sphinx_grasple` is not installed" in said
    assert "`pip install teachbooks-sphinx-grasple`" in said and "Traceback" not in said
    assert not dist.exists() or not list(dist.glob("*-jupyter-book"))  # nothing written
    # with only the installed extensions, the same course builds its HTML
    config.write_text(config.read_text(encoding="utf-8").replace("    - sphinx_grasple\n", ""),
                      encoding="utf-8")
    run_cli("validate", course, "--strict", check=0)
    run_cli("build", "-f", "jupyter-book", "--html", "--out", dist, cwd=course, check=0)
    page = dist / "tabs-jupyter-book" / "_build" / "html" / "tabs" / "intro.html"
    html = page.read_text(encoding="utf-8")
    assert 'class="tab-set' in html  # sphinx-inline-tabs made the tabs
