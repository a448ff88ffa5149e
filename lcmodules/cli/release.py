"""`lcmodules release`: bump a module's version, add a changelog entry and record module.lock."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from lcmodules.cli.common import console, fail, out, report
from lcmodules.core.diagnostics import InputError, display_path

if TYPE_CHECKING:
    from lcmodules.core.versions import Bump
    from lcmodules.versioning.release import ReleasePlan


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from lcmodules.versioning.release import validate_date

    try:
        return validate_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _note(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.strip():
        raise click.BadParameter("the note may not be empty: say what changed")
    return value


@click.command("release")
@click.argument("module", metavar="MODULE")
@click.option("--bump", type=click.Choice(["patch", "minor", "major"]), default=None,
              help="Which part of the version goes up. Required once a module has been "
                   "released; a first release without it records the version in module.yml.")
@click.option("--note", required=True, callback=_note,
              help="What changed, for CHANGELOG.md (Markdown; `### Added` etc. kept as written).")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--tag", is_flag=True,
              help="Also commit the release files and make an annotated git tag <slug>-v<version>.")
@click.option("--date", "date", callback=_date, metavar="YYYY-MM-DD",
              help="Release date (default: today, UTC).")
@click.option("--force", is_flag=True, help="Release even when nothing changed since the last release.")
@click.option("--strict", is_flag=True,
              help="Refuse (exit 1) on any warning too, e.g. changes not committed in git.")
def command(module: str, bump: Bump | None, note: str, dry_run: bool, tag: bool, date: str | None,
            force: bool, strict: bool) -> None:
    """Release MODULE (a module folder, or the slug of a module of the course here)."""
    from lcmodules.versioning.release import (
        UsageError,
        apply_release,
        load_valid_module,
        plan_release,
        resolve_module,
    )

    try:
        folder = resolve_module(module)
    except UsageError as exc:
        raise click.BadParameter(str(exc), param_hint="MODULE") from exc
    try:
        loaded = load_valid_module(folder)
        if bump is None and (loaded.root / "module.lock").exists():
            raise click.UsageError(
                "--bump patch|minor|major is required: this module was released before "
                "(module.lock exists)")
        plan = plan_release(loaded, bump, note, date, force=force, tag=tag)
        if strict and plan.warnings:
            report(plan.warnings)
            console.print("[red]--strict: the release is refused for the warnings above; "
                          "nothing was changed.[/]")
            sys.exit(1)
        if dry_run:
            _describe(plan, dry_run=True)
            return
        apply_release(plan)
    except InputError as exc:
        fail(exc.problems)
    _describe(plan, dry_run=False)


def _describe(plan: ReleasePlan, dry_run: bool) -> None:
    """What the release does (or did), file by file."""
    yml = display_path(plan.module.module_file)
    head = "would release" if dry_run else "released"
    out.print(f"[bold]{head} {plan.slug}[/] {plan.old_version} → [bold]{plan.new_version}[/] "
              f"({plan.date})")
    if plan.previous is None:
        out.print("  first release (no module.lock yet)")
    elif plan.changes:
        out.print(f"  since {plan.previous.version}: {plan.changes.describe(limit=20)}",
                  markup=False)
    if plan.old_version == plan.new_version:
        out.print(f"  {yml}: version {plan.new_version}, unchanged", markup=False)
    else:
        out.print(f"  {yml}: version {plan.old_version} → {plan.new_version}", markup=False)
    changelog = display_path(plan.module.root / "CHANGELOG.md")
    out.print(f"  {changelog}: {'created, with ' if plan.changelog_created else ''}entry", markup=False)
    if dry_run:
        for line in plan.entry.splitlines():
            out.print(f"    | {line}", markup=False)
    lock = display_path(plan.module.root / "module.lock")
    out.print(f"  {lock}: version {plan.new_version}, fingerprint {plan.lock.fingerprint}",
              markup=False)
    if plan.tag:
        verb = "would commit these files and tag" if dry_run else "committed and tagged"
        out.print(f"  git: {verb} {plan.tag}", markup=False)
    report(plan.warnings)
    if dry_run:
        console.print("[yellow]dry run: nothing was changed.[/]")
