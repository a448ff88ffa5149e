"""`lcmodules new`: scaffold a module that validates at once."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lcmodules.cli.common import console, report


@click.command("new")
@click.argument("slug")
@click.option("--title", help="The module's title (default: from the slug).")
@click.option("--language", default="nl", show_default=True, help="BCP 47 language tag, e.g. nl, en, de.")
@click.option("--id", "module_id", help="Stable module id (default: the id prefix the course's "
              "modules share, else the course folder's name, then /<slug>).")
@click.option("--author", default="", help="Author name (default: the course author).")
@click.option("--course", "course_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("."), show_default=True,
              help="The course folder (or a folder inside it).")
def command(slug: str, title: str | None, language: str, module_id: str | None, author: str,
            course_dir: Path) -> None:
    """Create modules/SLUG in the course here (the course's templates/new/ overrides the
    templates). Start a course with `lcmodules init`."""
    from lcmodules.core.locate import courses_above

    check_slug(slug)
    check_language(language)
    course = next(courses_above(course_dir), None) if course_dir.exists() else None
    if course is None:
        console.print(f"[red]{course_dir.resolve()}: not in a course — start one with "
                      "`lcmodules init` (or give --course FOLDER), then run "
                      f"`lcmodules new {slug}` in it[/]")
        sys.exit(1)
    if not write_module(course, slug, title, language, module_id, author):
        sys.exit(1)
    console.print("Replace the templates' example text with your own: `lcmodules validate` "
                  "warns where it is left.")


def check_slug(slug: str) -> None:
    """A usage error (exit 2) unless `slug` is a module slug."""
    from lcmodules.load.units import ascii_slug
    from lcmodules.model import SLUG

    if not SLUG.match(slug):
        raise click.BadParameter(f"'{slug}' is not a slug; use lowercase letters, digits and '-', "
                                 f"e.g. '{ascii_slug(slug)}'", param_hint="SLUG")


def check_language(language: str) -> None:
    """A usage error (exit 2) unless `language` is a BCP 47 tag."""
    from lcmodules.model import BCP47

    if not BCP47.match(language):
        raise click.BadParameter(f"'{language}' is not a BCP 47 tag such as nl or en",
                                 param_hint="--language")


def write_module(course_dir: Path, slug: str, title: str | None, language: str,
                 module_id: str | None = None, author: str = "") -> bool:
    """Write `<course>/modules/<slug>` from the templates, list it in _config.yml and report
    what was written; False (problems reported) when it exists or does not load."""
    from lcmodules.core.diagnostics import Diagnostics
    from lcmodules.load.loader import load_config, load_module
    from lcmodules.load.units import ascii_slug
    from lcmodules.scaffold.texts import module_variables
    from lcmodules.scaffold.writer import add_to_course_list, scaffold, shared_id_prefix

    course_dir = course_dir.resolve()
    target = course_dir / "modules" / slug
    if target.exists():
        console.print(f"[red]{target}: already exists — choose another slug or remove it[/]")
        return False
    diag = Diagnostics()
    config, _ = load_config(course_dir, diag)
    if not diag.ok:
        report(diag.sorted())
        return False
    templates = course_dir / config.lcmodules.templates
    prefix = shared_id_prefix(course_dir / "modules") or ascii_slug(course_dir.name)
    variables = module_variables(slug, language, title=title, module_id=module_id or f"{prefix}/{slug}",
                                 author=author or config.author or "",
                                 organisation=config.lcmodules.organisation or "")
    written = scaffold(target, variables, templates if templates.is_dir() else None)
    listed = (course_dir / "_config.yml").is_file() and add_to_course_list(
        course_dir / "_config.yml", slug)
    check = Diagnostics()
    load_module(target, check)
    for name in written:
        console.print(f"[green]created[/] modules/{slug}/{name}", markup=True)
    if listed:
        console.print(f"[green]added[/] {slug} to lcmodules.modules in _config.yml")
    if not check.ok:
        report(check.sorted())
        console.print("[yellow]the templates gave a module with problems; fix them above[/]")
    return check.ok
