"""`lcmodules serve` and `lcmodules preview` started as a user starts them (a subprocess on a
free port), and stopped with Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


def start(*args: str | os.PathLike) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    """Start `lcmodules ARGS --no-browser --port 0`; the process and its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "lcmodules", *map(str, args), "--no-browser",
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, "NO_COLOR": "1"})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.stdout is not None:
        match = re.search(r"(http://127\.0\.0\.1:\d+)/?", proc.stdout.readline())
        if match:
            return proc, match.group(1)
    proc.kill()
    raise AssertionError(f"{args[0]} did not start")


def stop(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    proc.send_signal(signal.SIGINT)
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()


@contextmanager
def running(*args: str | os.PathLike) -> Iterator[str]:
    """The base URL of `lcmodules ARGS` while the block runs."""
    proc, base = start(*args)
    try:
        yield base
    finally:
        stop(proc)
