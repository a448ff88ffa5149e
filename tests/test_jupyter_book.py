"""The Jupyter Book export: source trees per module and for the course, built offline."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml  # PyYAML reads YAML 1.1 like Jupyter Book does ("off" would be a boolean there)

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.export.jupyter_book import (
    build_failure,
    build_html,
    jupyter_book_command,
    rewrite_targets,
    yaml_text,
)
from lcmodules.load.loader import load_paths

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from bookaxe import axe_problems, book_pages, serve  # noqa: E402

FIXTURE = Path(__file__).parent / "fixtures" / "render"
EXTERNAL_LOAD = re.compile(r'<(script|link|img|iframe|source)\b[^>]*\b(src|href)="(https?:)?//', re.I)


def export(cli, source: Path, out: Path, *extra: str) -> Path:
    cli("build", source, "--format", "jupyter-book", "--out", out, *extra, check=0)
    return out


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.conftest import run_cli

    out = tmp_path_factory.mktemp("book")
    return export(run_cli, FIXTURE, out)


# ---------------------------------------------------------------- the tree


def test_module_tree_layout(fixture_out: Path) -> None:
    tree = fixture_out / "demo-en-1.2.0-jupyter-book"
    assert sorted(tree_bytes(tree)) == [
        "_config.yml", "_ext/lc_a11y.py", "_ext/lc_mathml.py", "_static/lc.css", "_static/lc.js",
        "_templates/search-button-field.html", "_toc.yml",
        "check.md", "data/meetgegevens-ovens-e.csv", "img/oven-foto.png", "index.md", "intro.md",
        "notebooks/analyse.ipynb",
    ]
    assert read_yaml(tree / "_toc.yml") == {
        "format": "jb-book", "root": "index",
        "chapters": [{"file": "intro"}, {"file": "notebooks/analyse"}, {"file": "check"}],
    }


def test_config_copies_course_keys_and_keeps_the_book_offline(fixture_out: Path) -> None:
    config = read_yaml(fixture_out / "demo-en-1.2.0-jupyter-book" / "_config.yml")
    assert config["title"] == "Predictive maintenance demo"
    assert config["execute"] == {"execute_notebooks": "off"}
    assert config["repository"] == {"url": "https://github.com/example-hogeschool/lc-fixture",
                                    "branch": "main", "path_to_book": "modules/demo-en"}
    assert config["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert config["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert config["launch_buttons"]["jupyterhub_url"] == "https://hub.example.nl"
    sphinx = config["sphinx"]
    assert sphinx["local_extensions"] == {"lc_mathml": "_ext", "lc_a11y": "_ext"}
    assert sphinx["config"]["html_math_renderer"] == "lc_mathml"
    assert sphinx["config"]["html_static_path"] == ["_static"]
    assert sphinx["config"]["html_js_files"] == ["lc.js"]
    assert sphinx["config"]["html_css_files"] == ["lc.css"]
    assert sphinx["config"]["language"] == "en"


def test_landing_page_has_the_module_metadata(fixture_out: Path) -> None:
    index = (fixture_out / "demo-en-1.2.0-jupyter-book" / "index.md").read_text()
    assert index.startswith("# Predictive maintenance demo\n\nA small module to test the renderer.\n")
    for line in ("- **Version:** 1.2.0", "- **Licence:** CC-BY-4.0",
                 "- **Authors:** A. Lecturer (Test University)", "- **Study load:** 2 hours",
                 "- **Level:** EQF 6", "- **Case partner:** Bakery De Korenschuur", "- **Sector:** food",
                 "- **Hub:** AI hub East", "## Learning objectives",
                 "- The student can choose a threshold.", "3. [Knowledge check](<check.md>)"):
        assert line in index, line
    dutch = (fixture_out / "demo-nl-0.3.0-jupyter-book" / "index.md").read_text()
    assert "- **Versie:** 0.3.0" in dutch and "- **Licentie:** CC-BY-SA-4.0" in dutch


def test_units_are_the_learner_edition(fixture_out: Path) -> None:
    tree = fixture_out / "demo-en-1.2.0-jupyter-book"
    everything = "\n".join(b.decode("utf-8", "replace") for b in tree_bytes(tree).values())
    for secret in ("PAGE-SECRET-ANSWER", "NB-MD-SECRET", "SOLUTION-CODE-SECRET", "SOLUTION-OUTPUT-SECRET",
                   "TAGGED-SOLUTION-SECRET", "REMOVED-CELL-SECRET"):
        assert secret not in everything
    nb = nbformat.read(tree / "notebooks" / "analyse.ipynb", as_version=4)
    nbformat.validate(nb)
    assert any("raise NotImplementedError()" in c.source for c in nb.cells)
    assert any(c.metadata.get("tags") == ["remove-input"] for c in nb.cells)


def test_links_follow_renamed_files(fixture_out: Path) -> None:
    intro = (fixture_out / "demo-en-1.2.0-jupyter-book" / "intro.md").read_text()
    assert "[the check](check.md)" in intro
    assert "[measurements](<data/meetgegevens-ovens-e.csv>)" in intro
    assert "```{figure} img/oven-foto.png" in intro
    assert "[the analysis](notebooks/analyse.ipynb)" in intro


def test_rewrite_targets_only_touches_targets(tmp_path: Path) -> None:
    (tmp_path / "a b.csv").write_text("x")
    text = "The file a b.csv: [a b.csv](<a b.csv>) and <img src=\"a b.csv\"> and {download}`it <a b.csv>`"
    out = rewrite_targets(text, tmp_path, {(tmp_path / "a b.csv").resolve(): tmp_path / "a-b.csv"})
    assert out == ("The file a b.csv: [a b.csv](<a-b.csv>) and <img src=\"a-b.csv\"> and "
                   "{download}`it <a-b.csv>`")


def test_quiz_is_an_interactive_page(fixture_out: Path) -> None:
    page = (fixture_out / "demo-en-1.2.0-jupyter-book" / "check.md").read_text()
    assert page.startswith("# Knowledge check\n\n````{raw} html\n")
    assert '<form class="lc-quiz" data-lc-quiz="check"' in page
    assert 'data-lc-quiz-key="check"' in page and 'id="lc-i18n"' in page
    assert page.rstrip().endswith("````")


def test_collection_book_has_a_part_per_module(fixture_out: Path) -> None:
    tree = fixture_out / "lc-fixture-jupyter-book"  # named after the repository
    toc = read_yaml(tree / "_toc.yml")
    assert toc["root"] == "index"
    assert [p["caption"] for p in toc["parts"]] == ["Predictive maintenance demo", "Kennismaking met taalmodellen"]
    assert toc["parts"][0]["chapters"] == [{"file": "demo-en/index"}, {"file": "demo-en/intro"},
                                           {"file": "demo-en/notebooks/analyse"}, {"file": "demo-en/check"}]
    assert (tree / "demo-nl" / "toets.md").is_file()
    assert read_yaml(tree / "_config.yml")["repository"]["path_to_book"] == "modules"
    index = (tree / "index.md").read_text()
    assert "[Predictive maintenance demo](<demo-en/index.md>)" in index


def test_teacher_edition(cli, tmp_path: Path) -> None:
    out = export(cli, FIXTURE, tmp_path / "out", "--edition", "teacher")
    tree = out / "demo-en-1.2.0-jupyter-book"
    assert "PAGE-SECRET-ANSWER" in (tree / "intro.md").read_text()
    assert "SOLUTION-CODE-SECRET" in (tree / "notebooks" / "analyse.ipynb").read_text()


def test_export_is_reproducible_and_replaces_the_old_tree(cli, tmp_path: Path, fixture_out: Path) -> None:
    out = tmp_path / "out"
    stale = out / "demo-en-1.2.0-jupyter-book" / "stale.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    export(cli, FIXTURE, out)
    assert not stale.exists()
    for name in ("demo-en-1.2.0-jupyter-book", "demo-nl-0.3.0-jupyter-book", "render-jupyter-book"):
        assert tree_bytes(out / name) == tree_bytes(fixture_out / name)
    assert not [p for p in out.iterdir() if p.name.endswith((".tmp", ".old"))]  # atomic: no leftovers


def test_yaml_keeps_strings_strings() -> None:
    data = {"a": "off", "b": ["no", "1.0"], "c": {"d": True, "e": {}}, "f": [{"file": "x", "n": 2}]}
    assert yaml.safe_load(yaml_text(data)) == data


def test_html_without_jupyter_book_says_how_to_install(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['jupyter_book'] = None; from lcmodules.cli.main import main; "
            "sys.argv = ['lcmodules', 'build', sys.argv[1], '--format', 'jupyter-book', '--html', "
            "'--out', sys.argv[2]]; main()")
    proc = subprocess.run([sys.executable, "-c", code, str(FIXTURE), str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "pip install lcmodules[book]" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "demo-en-1.2.0-jupyter-book").exists()


def test_jupyter_book_is_found_here() -> None:
    """The command really runs this environment's Jupyter Book (its version, not another's)."""
    from importlib.metadata import version

    proc = subprocess.run([*jupyter_book_command(), "--version"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert version("jupyter-book") in proc.stdout + proc.stderr


# ---------------------------------------------------------------- real builds


def jb_build_strict(tree: Path) -> str:
    proc = build_html(tree, ["-W", "--keep-going"])
    output = proc.stdout + proc.stderr
    assert "WARNING" not in output and "ERROR" not in output, output[-3000:]
    return output


def check_site(html_dir: Path) -> None:
    pages = sorted(html_dir.rglob("*.html"))
    assert pages
    for page in pages:
        assert not EXTERNAL_LOAD.search(page.read_text(encoding="utf-8")), page
    for css in html_dir.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*[\"']?https?:|url\(\s*[\"']?https?://", css.read_text("utf-8")), css


@pytest.mark.book
@pytest.mark.slow
@pytest.mark.browser
def test_example_course_builds_without_warnings(cli, browser, course: Path, tmp_path: Path) -> None:
    out = export(cli, course, tmp_path / "out")
    diag = Diagnostics()
    loaded = load_paths([course], diag)[0]
    modules = loaded.modules
    # the collection book is named after the repository (lc-ai-modules), not the checkout folder
    assert loaded.slug == "lc-ai-modules"
    trees = [out / f"{m.slug}-{m.meta.version}-jupyter-book" for m in modules]
    trees.append(out / f"{loaded.slug}-jupyter-book")
    for tree in trees:
        assert (tree / "_config.yml").is_file(), tree
        jb_build_strict(tree)
        html = tree / "_build" / "html"
        check_site(html)
        assert (html / "_static" / "lc.js").is_file() and (html / "_static" / "lc.css").is_file()
    first = trees[0] / "_build" / "html"
    quiz_pages = [p for p in first.rglob("*.html") if 'data-lc-quiz="' in p.read_text("utf-8")]
    assert quiz_pages and 'src="_static/lc.js' in quiz_pages[0].read_text("utf-8")
    assert any("<math" in p.read_text("utf-8") for p in first.rglob("*.html"))
    assert not any("mathjax@" in p.read_text("utf-8") for p in first.rglob("*.html"))
    collection = trees[-1] / "_build" / "html"  # every module's pages, in the course's language
    outside: list[str] = []
    with serve(collection) as base:
        problems = axe_problems(browser, base, book_pages(collection), outside)
    assert not problems, problems
    assert not outside, outside


@pytest.mark.book
@pytest.mark.slow
def test_html_option_builds_the_site(cli, tmp_path: Path) -> None:
    module = tmp_path / "demo-nl"
    shutil.copytree(FIXTURE / "modules" / "demo-nl", module)
    out = export(cli, module, tmp_path / "out", "--html")
    html = out / "demo-nl-0.3.0-jupyter-book" / "_build" / "html"
    assert (html / "index.html").is_file() and (html / "toets.html").is_file()
    check_site(html)
    assert "<math" in (html / "uitleg.html").read_text("utf-8")
    info = json.loads(re.search(r'id="lc-i18n">(.*?)</script>', (html / "toets.html").read_text("utf-8")).group(1))
    assert info["passed"] == "Geslaagd"


def test_a_failed_build_names_the_cause_not_a_page_called_errors() -> None:
    """Sphinx's progress lines name pages ("errors/intro"); the cause is the exception line."""
    output = "\n".join([
        "Running Sphinx v7.4.7",
        "reading sources... [ 33%] errors/intro",
        "reading sources... [ 66%] exceptions/handling",
        "",
        "Extension error (download_link_replacer):",
        "Handler <function replace> for event 'doctree-resolved' threw an exception "
        "(exception: [Errno 2] No such file or directory: 'sympy_stripped.ipynb')",
        "Traceback (most recent call last):",
        "  File \"x.py\", line 3, in <module>",
        "FileNotFoundError: [Errno 2] No such file or directory: 'sympy_stripped.ipynb'",
    ])
    cause = build_failure(output)
    assert "errors/intro" not in cause and "exceptions/handling" not in cause
    assert "Extension error (download_link_replacer):" in cause
    assert "FileNotFoundError: [Errno 2]" in cause


def test_a_missing_module_of_an_extension_is_named_not_the_extension() -> None:
    from lcmodules.export.jupyter_book import _missing_extension_hint

    own = _missing_extension_hint(
        "Extension error:\nCould not import extension apastyle (exception: No module named 'six')",
        None)
    assert "`apastyle` imports `six`, which is not installed" in own and "`pip install six`" in own
    absent = _missing_extension_hint("Could not import extension sphinx_grasple (exception: No "
                                     "module named 'sphinx_grasple')", None)
    assert "`sphinx_grasple` is not installed" in absent
    assert "`pip install teachbooks-sphinx-grasple`" in absent
