"""Import constructs found in a real multi-chapter Jupyter Book, on small books of our own."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.conftest import run_cli


def write(book: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (book / rel).parent.mkdir(parents=True, exist_ok=True)
        (book / rel).write_text(text, encoding="utf-8")


def module_yml(course: Path, slug: str) -> dict:
    return yaml.safe_load((course / "modules" / slug / "module.yml").read_text(encoding="utf-8"))


FIGURE = "```{figure} pics/{name}.png\n---\nheight: 90px\nname: {name}\n---\nA {name}.\n```\n"


def test_figure_names_in_a_yaml_option_block_are_labels(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: ponds\nchapters:\n  - file: frogs\n",
        "ponds.md": "# Ponds\n\n" + FIGURE.replace("{name}", "pond-map")
                    + "\nSee {numref}`pond-map` and {numref}`frog-legs`.\n",
        "frogs.md": "# Frogs\n\n````{tip}\n" + FIGURE.replace("{name}", "frog-legs")
                    + "````\n\nAs in {numref}`frog-legs`.\n",
    })
    for name in ("pond-map", "frog-legs"):
        (book / "pics").mkdir(exist_ok=True)
        (book / "pics" / f"{name}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    proc = run_cli("import-book", book, "--out", out, check=0)
    assert "no such label" not in proc.stderr, proc.stderr
    assert "{numref} 'frog-legs' is a label in module 'frogs'" in proc.stderr
    ponds = (out / "modules/ponds/ponds.md").read_text(encoding="utf-8")
    assert "See {numref}`pond-map` and module *Frogs*." in ponds
    assert "As in {numref}`frog-legs`." in (out / "modules/frogs/frogs.md").read_text()


def test_a_chapter_whose_page_is_missing_keeps_its_sections(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: start\nchapters:\n"
                    "  - file: tools\n    title: Our tools\n    sections:\n"
                    "      - file: tools/saw\n      - file: tools/gone\n"
                    "        sections:\n          - file: tools/drill\n"
                    "      - file: tools/hammer\n",
        "start.md": "# Start\n\nSee [the saw](tools/saw.md).\n",
        "tools/saw.md": "# Saw\n",
        "tools/drill.md": "# Drill\n",
        "tools/hammer.md": "# Hammer\n",
    })
    proc = run_cli("import-book", book, "--out", out, check=0)
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    assert config["lcmodules"]["modules"] == ["start", "our-tools"]
    tools = module_yml(out, "our-tools")
    assert tools["title"] == "Our tools"
    assert tools["contents"] == ["saw.md", "drill.md", "hammer.md"]
    assert "_toc.yml:4: 'tools/saw.md' stands in for the missing page" in proc.stderr
    assert "_toc.yml:8: 'tools/drill.md' stands in" in proc.stderr
    assert "module *Our tools*" in (out / "modules/start/start.md").read_text(encoding="utf-8")
    run_cli("validate", "--strict", out, check=0)


def test_html_in_the_book_author_becomes_text(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: start\n",
        "_config.yml": 'title: Birds\nauthor: Ada Wren, made with <a href="https://example.org/">'
                       'Nest</a> <img src="https://example.org/x.svg" alt=""> #a comment\n',
        "start.md": "# Start\n\nHello.\n",
    })
    proc = run_cli("import-book", book, "--out", out, check=0)
    assert module_yml(out, "start")["authors"] == [{"name": "Ada Wren, made with Nest"}]
    assert "_config.yml:2: the book's `author` holds HTML" in proc.stderr
    plain = tmp_path / "plain"
    write(plain, {"_toc.yml": "format: jb-book\nroot: start\n", "_config.yml": "author: Ada\n",
                  "start.md": "# Start\n"})
    proc = run_cli("import-book", plain, "--out", tmp_path / "c2", check=0)
    assert module_yml(tmp_path / "c2", "start")["authors"] == [{"name": "Ada"}]
    assert "0 note(s)" in proc.stderr


def test_sphinx_extension_not_installed_warns_and_names_the_cause(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: start\n",
        "_config.yml": "title: Owls\nsphinx:\n  extra_extensions:\n    - sphinx.ext.todo\n"
                       "    - lc_no_such_extension\n",
        "start.md": "# Start\n\nHello.\n",
    })
    run_cli("import-book", book, "--out", out, check=0)
    proc = run_cli("validate", out, check=0)
    assert "_config.yml:5: warning: Sphinx extension 'lc_no_such_extension' is not installed" \
        in proc.stderr, proc.stderr
    assert "sphinx.ext.todo" not in proc.stderr
    proc = run_cli("build", out, "--out", tmp_path / "dist", "--format", "jupyter-book", "--html",
                   check=1)
    assert "No module named 'lc_no_such_extension'" in proc.stderr, proc.stderr
    assert "Look above for the cause" not in proc.stderr


def test_the_book_favicon_is_copied(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: start\n",
        "_config.yml": "title: Owls\nhtml:\n  favicon: art/owl.ico\n",
        "start.md": "# Start\n\nHello.\n",
    })
    (book / "art").mkdir()
    (book / "art/owl.ico").write_bytes(b"\x00\x00\x01\x00")
    run_cli("import-book", book, "--out", out, check=0)
    assert (out / "art/owl.ico").read_bytes() == b"\x00\x00\x01\x00"
    assert "favicon: art/owl.ico" in (out / "_config.yml").read_text(encoding="utf-8")


def test_a_module_title_from_a_heading_loses_its_markdown(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: start\nchapters:\n  - file: tools\n",
        "start.md": "# Welcome to the `Owl-Watch` *guide*\n\nHello.\n",
        "tools.md": "# Tools & tricks\n",
    })
    run_cli("import-book", book, "--out", out, check=0)
    config = yaml.safe_load((out / "_config.yml").read_text(encoding="utf-8"))
    assert config["lcmodules"]["modules"] == ["welcome-to-the-owl-watch-guide", "tools-tricks"]
    assert module_yml(out, "welcome-to-the-owl-watch-guide")["title"] == \
        "Welcome to the Owl-Watch guide"
    assert module_yml(out, "tools-tricks")["title"] == "Tools & tricks"
    # the page keeps its Markdown
    assert "# Welcome to the `Owl-Watch` *guide*" in \
        (out / "modules/welcome-to-the-owl-watch-guide/start.md").read_text(encoding="utf-8")


def test_the_course_book_balances_html_in_the_author(tmp_path: Path) -> None:
    book, out = tmp_path / "book", tmp_path / "course"
    write(book, {
        "_toc.yml": "format: jb-book\nroot: start\n",
        "_config.yml": 'title: Owls\nauthor: Ada, <a href="https://example.org/" x"">CC BY\n',
        "start.md": "# Start\n\nHello.\n",
    })
    run_cli("import-book", book, "--out", out, check=0)
    run_cli("build", out, "--out", tmp_path / "dist", "--format", "jupyter-book", check=0)
    config = yaml.safe_load((tmp_path / "dist/owls-jupyter-book/_config.yml").read_text())
    assert config["author"] == 'Ada, <a href="https://example.org/">CC BY</a>'
