"""Waiting for a line from a subprocess with a deadline that holds even when it prints nothing."""

from __future__ import annotations

import queue
import re
import subprocess
import threading


def wait_for_match(proc: subprocess.Popen[str], pattern: str, seconds: float) -> str | None:
    """The first match of `pattern` (its first group, if any) in the lines `proc` prints on
    stdout within `seconds`, or None (at the deadline, or when stdout ends first). A reader
    thread does the blocking `readline` and stops at the first match, so the rest of stdout is
    left for the caller (`communicate`); a process that hangs silently cannot hang the test:
    at the deadline the caller kills it, which ends the thread too."""
    assert proc.stdout is not None
    found: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in iter(proc.stdout.readline, ""):
            match = re.search(pattern, line)
            if match:
                found.put(match.group(1) if match.groups() else match.group(0))
                return
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        return found.get(timeout=seconds)
    except queue.Empty:
        return None
