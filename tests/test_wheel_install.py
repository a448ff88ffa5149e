"""`pip install <wheel>` alone gives every command: preview runs with the vendored scorm-again."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import venv
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "harness"))
import scormtest  # noqa: E402
from waiting import wait_for_match  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def copy_checkout(dest: Path) -> Path:
    """The files of the checkout git does not ignore, and a link to its node_modules."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    (dest / "node_modules").symlink_to(REPO / "node_modules", target_is_directory=True)
    return dest


def wait_for_url(proc: subprocess.Popen[str]) -> str:
    url = wait_for_match(proc, r"(http://127\.0\.0\.1:\d+/)", 90)
    if url is not None:
        return url
    proc.kill()
    raise AssertionError(f"preview did not start: {proc.communicate()}")


@pytest.mark.slow
@pytest.mark.browser
def test_wheel_in_a_fresh_venv_without_node_previews_a_module(browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = copy_checkout(tmp_path / "src")
    dist = tmp_path / "dist"
    # sdist first, then the wheel from the unpacked sdist (python -m build does both)
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(src)],
                   check=True, capture_output=True)
    sdist = next(dist.glob("lcmodules-*.tar.gz"))
    import tarfile

    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    assert any(n.endswith("preview/vendor/scorm-again/scorm-again.js") for n in names)
    assert any(n.endswith("preview/vendor/scorm-again/LICENSE") for n in names)
    wheel = next(dist.glob("lcmodules-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    pip_env = {k: v for k, v in os.environ.items() if not k.startswith("LCMODULES_")}
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True, env=pip_env)

    module = scormtest.write_module(tmp_path / "work" / "mod")
    # no node, no npm, no repository: only the fresh venv's bin on PATH, run outside the checkout
    env = {"PATH": str(env_dir / "bin"), "HOME": str(tmp_path), "NO_COLOR": "1",
           "LCMODULES_CACHE_DIR": str(tmp_path / "cache")}
    assert shutil.which("node", path=env["PATH"]) is None
    proc = subprocess.Popen([str(env_dir / "bin" / "lcmodules"), "preview", str(module),
                             "--port", "0", "--no-browser"], cwd=tmp_path / "work",
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        url = wait_for_url(proc)
        page = browser.new_page()
        page.goto(url)
        assert page.evaluate("typeof window.API_1484_11.Initialize") == "function"
        page.frame_locator("#sco").locator("main[data-lc-unit='0']").wait_for()
        served = page.request.get(url + "scorm-again.js").body()
        page.close()
        installed = next(env_dir.glob("lib/python*/site-packages/lcmodules/preview/vendor/"
                                      "scorm-again/scorm-again.js"))
        assert served == installed.read_bytes()
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
