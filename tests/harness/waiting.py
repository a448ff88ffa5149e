"""Waiting for a line from a subprocess with a deadline that holds even when it prints nothing."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading


def wait_for_match(proc: subprocess.Popen[str], pattern: str, seconds: float) -> str | None:
    """The first match of `pattern` (its first group, if any) in the lines `proc` prints on
    stdout within `seconds`, or None (at the deadline, or when stdout ends first). A reader
    thread does the blocking reads and stops at the end of the first matching line; it reads
    the pipe byte by byte, so nothing after that line is buffered away from the caller
    (`communicate`). A process that hangs silently cannot hang the test: at the deadline the
    caller kills it, which ends the thread too."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    found: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        line = b""
        while byte := os.read(fd, 1):
            line += byte
            if byte != b"\n":
                continue
            match = re.search(pattern, line.decode("utf-8", "replace"))
            if match:
                found.put(match.group(1) if match.groups() else match.group(0))
                return
            line = b""
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        return found.get(timeout=seconds)
    except queue.Empty:
        return None
