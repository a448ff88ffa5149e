"""The test helper that waits for a subprocess's line keeps its deadline."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "harness"))
from waiting import wait_for_match  # noqa: E402


def test_a_silent_process_cannot_hang_the_wait() -> None:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                            stdout=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        assert wait_for_match(proc, r"(http://\S+)", 1) is None
        assert time.monotonic() - started < 10
    finally:
        proc.kill()
        proc.communicate()


def test_the_rest_of_stdout_is_left_to_the_caller() -> None:
    code = "print('noise'); print('at http://127.0.0.1:1/', flush=True); print('Stopped.')"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert wait_for_match(proc, r"(http://\S+)", 30) == "http://127.0.0.1:1/"
    assert proc.communicate(timeout=30)[0] == "Stopped.\n"
