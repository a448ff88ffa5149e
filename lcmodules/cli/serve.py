"""`lcmodules serve`: the pages of a module or course, re-rendered and reloaded on every save."""

from __future__ import annotations

import errno
import signal
import sys
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from lcmodules.cli.common import console

if TYPE_CHECKING:
    from lcmodules.serve.workspace import Workspace

DEFAULT_PORT = 8790


@click.command("serve")
@click.argument("path", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help=f"Port on 127.0.0.1 (default {DEFAULT_PORT}, or a free one if it is taken; "
                   "0 picks a free one).")
@click.option("--no-browser", is_flag=True, help="Do not open a web browser.")
def command(path: Path, port: int | None, no_browser: bool) -> None:
    """Serve PATH (a course or a module folder, default: here) for authoring: the pages as
    learners see them, a switch to the teacher edition, a reload of the browser each time a
    source is saved, and the problems of the sources shown in the page. Ctrl-C stops."""
    from lcmodules.core.locate import WHAT_IS_A_COURSE, is_course
    from lcmodules.serve.server import ServeServer
    from lcmodules.serve.workspace import Workspace

    workspace = Workspace(path)
    if not workspace.is_module and not is_course(path):
        console.print(f"[red]lcmodules serve: {path} is not a course or a module folder[/] — "
                      + WHAT_IS_A_COURSE, markup=True)
        sys.exit(1)
    workspace.refresh()
    try:
        server = ServeServer(workspace, port=DEFAULT_PORT if port is None else port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or port is not None:
            console.print(f"[red]lcmodules serve: cannot listen on 127.0.0.1:{port}: "
                          f"{exc.strerror}[/] — choose another port with --port")
            sys.exit(1)
        server = ServeServer(workspace, port=0)
    stop = threading.Event()
    threading.Thread(target=workspace.watch, args=(stop,), daemon=True).start()
    workspace.watching.wait(timeout=10)
    click.echo(f"Serving {path} at {server.url} ({_counts(workspace)}; "
               f"read in {workspace.last_load_seconds:.2f} s)")
    if workspace.unchecked:
        click.echo(f"Checking {_plural(workspace.unchecked, 'module')} in the background; "
                   "each module is checked at once when you open it.")
        threading.Thread(target=workspace.check_all, args=(stop, _checked(workspace)),
                         daemon=True).start()
    click.echo("Saved sources show in the browser by themselves. Press Ctrl-C to stop.")
    sys.stdout.flush()
    if not no_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        stop.set()
        server.stopping.set()
        server.server_close()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counts(workspace: Workspace) -> str:
    """`3 modules, 1 error, 0 warnings`: what the workspace knows so far."""
    problems = list(workspace.all_problems())
    errors = sum(p.severity == "error" for p in problems)
    return (f"{_plural(len(workspace.entries), 'module')}, {_plural(errors, 'error')}, "
            f"{_plural(len(problems) - errors, 'warning')}")


def _checked(workspace: Workspace) -> Callable[[float], None]:
    def done(seconds: float) -> None:
        click.echo(f"Checked every module in {seconds:.2f} s: {_counts(workspace)}.")
        sys.stdout.flush()
    return done


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
