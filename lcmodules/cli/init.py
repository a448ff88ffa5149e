"""`lcmodules init`: start a course (its _config.yml, .gitignore, modules/ and a first module)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lcmodules.cli.common import console


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False), default=Path("."))
@click.option("--title", help="The course's title (default: from the folder's name).")
@click.option("--language", default="nl", show_default=True,
              help="The first module's language, a BCP 47 tag: nl, en, de …")
@click.option("--institution", default="",
              help="Your hogeschool or organisation, shown in packages and the catalogue.")
@click.option("--author", default="", help="The course's author (a person or a group).")
def command(folder: Path, title: str | None, language: str, institution: str,
            author: str) -> None:
    """Start a course in FOLDER (default: here): _config.yml, .gitignore, modules/ and a
    first module that validates and builds at once."""
    from lcmodules.cli.new import check_language, write_module
    from lcmodules.core.locate import COURSE_FILE, MODULES_DIR, is_course
    from lcmodules.scaffold.texts import first_module_slug
    from lcmodules.scaffold.writer import scaffold_course

    check_language(language)
    folder = folder.resolve()
    if folder.exists() and not folder.is_dir():
        console.print(f"[red]{folder}: is a file — give a folder for the course[/]")
        sys.exit(1)
    if is_course(folder):
        has = " and ".join(n for n in (COURSE_FILE, f"{MODULES_DIR}/")
                           if (folder / n.rstrip("/")).exists())
        console.print(f"[red]{folder}: already a course (it has {has}) — add a module with "
                      "`lcmodules new SLUG`, or give `lcmodules init` another folder[/]")
        sys.exit(1)
    first = first_module_slug(language)
    written = scaffold_course(folder, {
        "title": title or folder.name.replace("-", " ").replace("_", " ").capitalize(),
        "author": author, "institution": institution, "first_module": first, "language": language,
    })
    for name in written:
        console.print(f"[green]created[/] {name}")
    if not write_module(folder, first, None, language, author=author):
        sys.exit(1)
    where = "" if folder == Path.cwd().resolve() else f"cd {_shown(folder)}\n  "
    console.print(f"Next:\n  {where}lcmodules validate\n  lcmodules build\n  "
                  "lcmodules serve", markup=False)


def _shown(folder: Path) -> str:
    try:
        return folder.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(folder)
