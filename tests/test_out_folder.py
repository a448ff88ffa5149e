"""Outputs stay outside sources: an output folder among a course's own files is refused
(exit 1, a clear message, nothing written)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.test_one_check import new_course


def snapshot(root: Path) -> dict[str, str]:
    """Every file and folder below `root` with the sha256 of its bytes."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            if p.is_file() else "dir" for p in sorted(root.rglob("*"))}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = new_course(tmp_path_factory.mktemp("out"))
    (root / "templates" / "html").mkdir(parents=True)
    (root / "templates" / "html" / "page.html").write_text("{% extends 'lc/page.html' %}\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (root / "_config.yml").write_text("title: Cursus\nlogo: logo.png\n", "utf-8")
    return root


@pytest.mark.parametrize(("out", "said"), [
    ("modules", "inside the course's modules/ folder"),
    ("modules/nieuw", "inside the course's modules/ folder"),
    ("modules/eerste", "inside the sources of module 'eerste'"),
    ("modules/eerste/dist", "inside the sources of module 'eerste'"),
    (".", "is the course folder itself"),
    ("templates", "inside the course's templates folder"),
    ("templates/html", "inside the course's templates folder"),
    ("_config.yml", "is the course's _config.yml"),
    ("logo.png", "is the course's logo"),
])
def test_an_output_folder_among_the_sources_is_refused(course: Path, out: str,
                                                       said: str) -> None:
    before = snapshot(course)
    proc = run_cli("build", course, "-f", "scorm12", "--out", course / out, cwd=course)
    assert proc.returncode == 1, proc.stderr
    assert said in proc.stderr and "choose a folder outside" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert snapshot(course) == before


def test_the_configured_output_folder_is_checked_too(course: Path, tmp_path: Path) -> None:
    config = course / "_config.yml"
    original = config.read_text("utf-8")
    config.write_text(original + "lcmodules:\n  build:\n    out: modules\n", "utf-8")
    try:
        before = snapshot(course)
        proc = run_cli("build", course, "-f", "scorm12", cwd=course)
        assert proc.returncode == 1 and "inside the course's modules/ folder" in proc.stderr
        assert snapshot(course) == before
    finally:
        config.write_text(original, "utf-8")
    # a folder of its own in the course, or outside it, is fine
    run_cli("build", course, "-f", "scorm12", "--out", course / "dist", cwd=course, check=0)
    run_cli("build", course / "modules" / "eerste", "-f", "scorm12", "--out", tmp_path / "o",
            check=0)
    assert any((course / "dist").glob("*.zip")) and any((tmp_path / "o").glob("*.zip"))
