"""The `lcmodules` command line: a thin group; each subcommand lives in its own module."""

from __future__ import annotations

import importlib
import os
import sys

import click

from lcmodules import __version__

# name -> module under lcmodules.cli that defines `command` (loaded only when used)
SUBCOMMANDS = {
    "init": "init",
    "new": "new",
    "validate": "validate",
    "list": "list_modules",
    "schema": "schema",
    "build": "build",
    "execute": "execute",
    "inspect": "inspect_package",
    "preview": "preview",
    "serve": "serve",
    "status": "status",
    "release": "release",
    "import-book": "import_book",
    "lti": "lti",
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand runs (fast start-up)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [name for name in SUBCOMMANDS if self._load(name) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return self._load(cmd_name)

    @staticmethod
    def _load(name: str) -> click.Command | None:
        module_name = SUBCOMMANDS.get(name)
        if module_name is None:
            return None
        try:
            module = importlib.import_module(f"lcmodules.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"lcmodules.cli.{module_name}":
                return None
            raise
        return module.command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lcmodules")
def cli() -> None:
    """Turn case write-ups and Jupyter notebooks into versioned training modules,
    exported as Jupyter Books and SCORM packages."""


def main() -> None:
    """Entry point: user errors exit 1 with a message, never a traceback."""
    try:
        cli.main(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug in lcmodules, not in the user's input
        if os.environ.get("LCMODULES_DEBUG"):
            raise
        click.echo(
            f"lcmodules: internal error: {type(exc).__name__}: {exc}\n"
            "Run again with LCMODULES_DEBUG=1 for the details, and please report it.",
            err=True,
        )
        sys.exit(1)
