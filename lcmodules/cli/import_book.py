"""`lcmodules import-book`: a Jupyter Book 1 → a course, one module per chapter."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from lcmodules.cli.common import console


@click.command("import-book")
@click.argument("book", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--out", "-o", type=click.Path(path_type=Path), required=True,
              help="The course folder to write (new, empty, or an earlier import).")
@click.option("--language", help="BCP 47 tag of the modules (default: the book's, else en).")
@click.option("--id-prefix", help="Module ids become PREFIX/<slug> (default: from the title).")
@click.option("--split", type=click.Choice(["chapters", "parts"]), default="chapters",
              show_default=True, help="One module per chapter, or per part.")
@click.option("--force", is_flag=True,
              help="Replace an earlier import in OUT even where it was edited since.")
@click.option("--update", is_flag=True,
              help="Bring the book's changes into an earlier import in OUT, keeping your edits.")
def command(book: Path, out: Path, language: str | None, id_prefix: str | None,
            split: str, force: bool, update: bool) -> None:
    """Import the Jupyter Book BOOK as an lcmodules course in OUT (the book is never changed)."""
    from lcmodules.importbook.importer import REPORT, ImportOptions, import_book
    from lcmodules.model import BCP47, MODULE_ID

    if language and not BCP47.match(language):
        raise click.BadParameter(f"'{language}' is not a BCP 47 tag such as nl or en",
                                 param_hint="--language")
    if id_prefix and not MODULE_ID.match(id_prefix):
        raise click.BadParameter(f"'{id_prefix}' is not a module id prefix such as lc-ai",
                                 param_hint="--id-prefix")
    if force and update:
        raise click.UsageError("--force and --update exclude each other")
    result = import_book(book, out, ImportOptions(language, id_prefix, split, force, update))
    for note in result.notes:
        colour = "red" if note.severity == "error" else "yellow"
        where = "" if note.file == "--out" else f"{book.name}/"
        console.print(f"{where}{note.format()}", style=colour, markup=False)
    if not result.ok:
        console.print("[red]Nothing was imported.[/]")
        sys.exit(1)
    for conflict in result.update.conflicts if result.update else []:
        console.print(f"{out}/{conflict}", style="yellow", markup=False)
    console.print(f"[green]{len(result.modules)} module(s) written to {out}; "
                  f"{len(result.notes)} note(s) in {out / REPORT}.[/]")
