"""`lcmodules preview`: try a module or SCORM package in an LMS-like page, live CMI beside it."""

from __future__ import annotations

import errno
import signal
import sys
import threading
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lcmodules.cli.common import console, fail, report
from lcmodules.core.diagnostics import InputError

if TYPE_CHECKING:
    from lcmodules.export.base import ScoMode
    from lcmodules.preview.server import Prepared, PreviewServer

DEFAULT_PORT = 8780


@click.command("preview")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help=f"Port on 127.0.0.1 (default {DEFAULT_PORT}, or a free one if it is taken; "
                   "0 picks a free one).")
@click.option("--version", "scorm_version", type=click.Choice(["12", "2004"]), default=None,
              help="SCORM version to build a module as (default 2004); a package keeps its own.")
@click.option("--sco", type=click.Choice(["single", "per-unit"]), default="single",
              show_default=True, help="Build a module as one SCO or one SCO per unit.")
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
def command(source: Path, port: int | None, scorm_version: str | None, sco: ScoMode,
            no_browser: bool) -> None:
    """Preview SOURCE (a module folder or a SCORM .zip) as an LMS would run it: the real
    scorm-again runtime, the SCO in a frame and, beside it, live, what the LMS records.
    Learner data is kept in the browser, so leaving and reopening shows resume. Ctrl-C stops."""
    from lcmodules.inspect.safezip import remove_folder, temporary_folder
    from lcmodules.preview.server import (
        PreviewError,
        build_package,
        find_scorm_again,
        unpack_package,
    )

    try:
        bundle = find_scorm_again()
    except PreviewError as exc:
        console.print(f"[red]lcmodules preview: {exc}[/]")
        sys.exit(1)
    workdir = temporary_folder("lcmodules-preview-")
    server: PreviewServer | None = None
    try:
        if source.is_dir():
            version = "1.2" if scorm_version == "12" else "2004"
            package, problems = build_package(source, version, sco, workdir)
            report(problems)  # warnings only
        elif source.suffix.lower() == ".zip":
            package = source
        else:
            raise click.UsageError("SOURCE must be a module folder or a SCORM .zip")
        prepared = unpack_package(package, workdir)
        if source.is_file() and scorm_version and \
                {"12": "1.2", "2004": "2004"}[scorm_version] != prepared.version:
            raise click.UsageError(f"{source.name} is a SCORM {prepared.version} package; "
                                   "--version applies to module folders only")
        for warning in prepared.warnings:
            console.print(f"[yellow]{warning}[/]", markup=True, highlight=False)
        server = _serve(prepared, bundle, port)
        url = server.url
        click.echo(f"Previewing {prepared.title} (SCORM {prepared.version}) at {url}")
        click.echo("Press Ctrl-C to stop.")
        sys.stdout.flush()
        if not no_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        # Ctrl-C and `kill` both stop cleanly (also when started from a shell that ignores SIGINT)
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)
        server.serve_forever()
    except PreviewError as exc:
        console.print(f"[red]lcmodules preview: {exc}[/]")
        sys.exit(1)
    except InputError as exc:
        fail(exc.problems)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        if server is not None:
            server.server_close()
        remove_folder(workdir)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _serve(prepared: Prepared, bundle: Path, port: int | None) -> PreviewServer:
    from lcmodules.preview.server import PreviewError, PreviewServer

    try:
        return PreviewServer(prepared, bundle, DEFAULT_PORT if port is None else port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        if port is not None:
            raise PreviewError(f"port {port} on 127.0.0.1 is in use; choose another with --port") \
                from None
        return PreviewServer(prepared, bundle, 0)
