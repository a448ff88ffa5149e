"""What an imported book needs to build as a Jupyter Book travels with it: the files that
directives of the book's own extensions name, and those extensions (`sphinx.local_extensions`).

The fixture book `tests/fixtures/books/extbook` has an extension of its own in `_ext/`
(`{fetch_table} ./data/rates.csv` shows the first row of a CSV file named relative to the
page, and fails as TeachBooks' `download_link_replacer` does when the file is not there; it
imports a helper package of the same folder and reads a `sphinx.config` value).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from lcmodules.core.diagnostics import Diagnostics
from lcmodules.core.localext import local_extensions
from lcmodules.load.loader import load_module
from lcmodules.versioning.fingerprint import fingerprint_module
from tests.conftest import run_cli

BOOK = Path(__file__).parent / "fixtures" / "books" / "extbook"
RAN = 'open(__file__ + ".ran", "w").close()  # the test sees whether this code ran\n'


def imported(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    run_cli("import-book", BOOK, "--out", course, check=0)
    return course


def test_directive_files_are_copied_and_carried(tmp_path: Path) -> None:
    course = imported(tmp_path)
    module = course / "modules" / "flow-rates"
    assert (module / "data" / "rates.csv").read_bytes() == (BOOK / "rates/data/rates.csv").read_bytes()
    assert (module / "data" / "levels.csv").is_file()  # named in a notebook's markdown cell
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert "rates/index.md:5: './data/rates.csv' that {fetch_table} names was copied into the " \
        "module" in report
    assert "'data/levels.csv' that {fetch_table} names was copied" in report
    assert "not-a-file" not in report  # an argument that is no file of the book
    # pages show the directive as any unknown one: validate names it, it never vanishes unsaid
    out = run_cli("validate", course, check=0).stderr
    assert "modules/flow-rates/index.md:5: warning: unknown directive '{fetch_table}'" in out
    dist = tmp_path / "dist"
    run_cli("build", "-f", "jupyter-book", "-f", "scorm2004", "--out", dist, cwd=course, check=0)
    tree = dist / "flow-rates-1.0.0-jupyter-book"
    assert (tree / "data" / "rates.csv").is_file() and (tree / "data" / "levels.csv").is_file()
    assert (dist / "extension-book-jupyter-book" / "flow-rates" / "data" / "rates.csv").is_file()
    with zipfile.ZipFile(dist / "flow-rates-1.0.0-scorm2004.zip") as package:
        assert not [n for n in package.namelist() if n.endswith(".csv")]  # no page links to it
        page = package.read("index.html").decode("utf-8")
    assert page.count('class="lc-directive lc-fetch-table"') == 3
    # the file is part of the module: in its fingerprint, and a change to it is built again
    loaded = load_module(module, Diagnostics())
    assert loaded is not None
    assert {"data/rates.csv", "data/levels.csv"} <= set(fingerprint_module(loaded).files)
    (module / "data" / "rates.csv").write_text("river,rate\nRhine,2.4\n", encoding="utf-8")
    run_cli("build", "-f", "jupyter-book", "--out", dist, cwd=course, check=0)
    assert "Rhine,2.4" in (tree / "data" / "rates.csv").read_text(encoding="utf-8")
    # a package ships the file once a page links to it
    page_file = module / "index.md"
    page_file.write_text(page_file.read_text(encoding="utf-8") + "\n[The table](data/rates.csv)\n",
                         encoding="utf-8")
    run_cli("build", "-f", "scorm2004", "--out", dist, cwd=course, check=0)
    with zipfile.ZipFile(dist / "flow-rates-1.0.0-scorm2004.zip") as package:
        assert [n for n in package.namelist() if n.endswith("rates.csv")]


def test_a_notebook_a_directive_names_is_the_learner_edition(tmp_path: Path) -> None:
    module = tmp_path / "mod"
    module.mkdir()
    (module / "module.yml").write_text(
        "id: test/download\ntitle: Download\nversion: 1.0.0\nlanguage: en\n"
        "contents:\n  - page.md\n", encoding="utf-8")
    (module / "page.md").write_text(
        "# Work\n\n```{custom_download_link} ./work.ipynb\n:replace_default: \"True\"\n```\n",
        encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1\n### BEGIN SOLUTION\nsecret_answer = 42\n"
                                          "### END SOLUTION\n")]
    nbformat.write(nb, module / "work.ipynb")
    dist = tmp_path / "dist"
    run_cli("build", module, "-f", "jupyter-book", "--out", dist, check=0)
    carried = (dist / "mod-1.0.0-jupyter-book" / "work.ipynb").read_text(encoding="utf-8")
    assert "x = 1" in carried and "secret_answer" not in carried
    run_cli("build", module, "-f", "jupyter-book", "--edition", "teacher", "--out",
            tmp_path / "teacher", check=0)
    teacher = tmp_path / "teacher" / "mod-1.0.0-jupyter-book" / "work.ipynb"
    assert "secret_answer" in teacher.read_text(encoding="utf-8")


def test_local_extensions_are_copied_merged_and_never_run(tmp_path: Path) -> None:
    shutil.copytree(BOOK, tmp_path / "book")
    (tmp_path / "book" / "_ext" / "__pycache__").mkdir()
    (tmp_path / "book" / "_ext" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    course = tmp_path / "course"
    run_cli("import-book", tmp_path / "book", "--out", course, check=0)
    ext = course / "_ext"
    assert sorted(p.relative_to(ext).as_posix() for p in ext.rglob("*") if p.is_file()) == \
        ["fetch_table.py", "riverhelp/__init__.py"]
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert "_config.yml:5: the book's Sphinx extension 'fetch_table' (2 file(s) of '_ext/') " \
        "was copied into the course; only `build --html` (Sphinx) runs it" in report
    for name in ("fetch_table.py", "riverhelp/__init__.py"):
        path = ext / name
        path.write_text(RAN + path.read_text(encoding="utf-8"), encoding="utf-8")
    run_cli("validate", course, "-f", "jupyter-book", check=0)
    dist = tmp_path / "dist"
    run_cli("build", "-f", "jupyter-book", "-f", "scorm2004", "-f", "imscc", "--out", dist,
            cwd=course, check=0)
    assert not list(course.rglob("*.ran")) and not list(dist.rglob("*.ran"))
    for tree in (dist / "flow-rates-1.0.0-jupyter-book", dist / "extension-book-jupyter-book"):
        config = (tree / "_config.yml").read_text(encoding="utf-8")
        assert 'local_extensions:\n    fetch_table: "_ext"\n    lc_mathml: "_ext"\n' \
            '    lc_a11y: "_ext"\n' in config
        assert 'fetch_table_prefix: "Measured"' in config
        assert (tree / "_ext" / "riverhelp" / "__init__.py").read_text(encoding="utf-8") \
            .startswith(RAN)
        assert (tree / "_ext" / "lc_mathml.py").is_file()
    # a changed extension is a changed input: the trees are written again
    (ext / "fetch_table.py").write_text((ext / "fetch_table.py").read_text(encoding="utf-8")
                                        + "# changed\n", encoding="utf-8")
    run_cli("build", "-f", "jupyter-book", "--out", dist, cwd=course, check=0)
    assert (dist / "flow-rates-1.0.0-jupyter-book" / "_ext" / "fetch_table.py") \
        .read_text(encoding="utf-8").endswith("# changed\n")


def test_validate_names_a_missing_local_extension(tmp_path: Path) -> None:
    course = imported(tmp_path)
    (course / "_ext" / "fetch_table.py").unlink()
    config = course / "_config.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("    fetch_table: _ext/\n",
                                   "    fetch_table: _ext/\n    styles: ../elsewhere\n"),
                      encoding="utf-8")
    out = run_cli("validate", course, "--strict", check=1).stderr
    assert f"{config}:5: warning: the Sphinx extension 'fetch_table' is missing: neither " \
        "'_ext/fetch_table.py' nor '_ext/fetch_table/__init__.py' is in the course, so " \
        "`build --html` will stop on it" in out
    assert f"{config}:6: warning: the folder '../elsewhere' of the Sphinx extension 'styles' " \
        "is not one inside the course" in out


@pytest.mark.book
def test_imported_book_builds_html_with_its_extension_and_files(tmp_path: Path) -> None:
    course = imported(tmp_path)
    dist = tmp_path / "dist"
    run_cli("build", "-f", "jupyter-book", "--html", "--out", dist, cwd=course, check=0)
    for page in (dist / "flow-rates-1.0.0-jupyter-book" / "_build" / "html" / "index.html",
                 dist / "extension-book-jupyter-book" / "_build" / "html" / "flow-rates"
                 / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert "Measured: Rhine = 2.3" in html and "no table" in html
    levels = dist / "flow-rates-1.0.0-jupyter-book" / "_build" / "html" / "levels.html"
    assert "Measured: Lobith = 9.1" in levels.read_text(encoding="utf-8")
    # without the file the extension reads, the book's build fails as it did before
    (course / "modules" / "flow-rates" / "data" / "rates.csv").unlink()
    proc = run_cli("build", "modules/flow-rates", "-f", "jupyter-book", "--html", "--out",
                   tmp_path / "dist2", cwd=course, check=1)
    assert "FileNotFoundError" in proc.stderr + proc.stdout


def test_local_extension_files(tmp_path: Path) -> None:
    (tmp_path / "_ext" / "helpers").mkdir(parents=True)
    for name in ("_ext/style.py", "_ext/helpers/__init__.py", "_ext/.hidden.py", "root_ext.py",
                 "other.py"):
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    (tmp_path / "_ext" / "__pycache__").mkdir()
    (tmp_path / "_ext" / "__pycache__" / "style.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "outside.py").write_text("y = 2\n", encoding="utf-8")
    (tmp_path / "_ext" / "linked.py").symlink_to(tmp_path / "outside.py")
    found = local_extensions({"local_extensions": {
        "style": "_ext/", "root_ext": ".", "gone": "missing", "away": "../x", "abs": "/etc"}},
        tmp_path)
    style, root_ext, gone, away, absolute = found
    assert sorted(style.files()) == ["_ext/helpers/__init__.py", "_ext/style.py"]
    assert style.rel == "_ext" and style.module_file == tmp_path.resolve() / "_ext" / "style.py"
    assert list(root_ext.files()) == ["root_ext.py"] and root_ext.rel == "."  # not the whole root
    assert gone.module_file is None and gone.files() == {}
    assert away.folder is None and absolute.folder is None and away.rel is None
    assert local_extensions({"local_extensions": ["not", "a", "mapping"]}, tmp_path) == []


def test_import_notes_an_extension_the_book_lacks(tmp_path: Path) -> None:
    book = tmp_path / "book"
    shutil.copytree(BOOK, book)
    config = book / "_config.yml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "    fetch_table: _ext/\n", "    fetch_table: _ext/\n    gone: _ext/\n    away: ../x\n"),
        encoding="utf-8")
    course = tmp_path / "course"
    run_cli("import-book", book, "--out", course, check=0)
    report = (course / "import-report.md").read_text(encoding="utf-8")
    assert "_config.yml:6: the Sphinx extension 'gone' is not in the book (no 'gone.py' in " \
        "'_ext/'); the course names it without its code" in report
    assert "_config.yml:7: the folder '../x' of the Sphinx extension 'away' lies outside the " \
        "book; not copied" in report
    assert (course / "_ext" / "fetch_table.py").is_file()
