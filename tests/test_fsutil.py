"""Atomic output and byte-reproducible zips."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from lcmodules.core.fsutil import atomic_path, write_zip


def test_zip_is_reproducible_and_sorted(tmp_path: Path) -> None:
    data = tmp_path / "data.bin"
    data.write_bytes(b"x" * 100_000)
    entries = [("b.txt", "bee"), ("a/c.bin", data), ("a.txt", b"a")]
    write_zip(tmp_path / "one.zip", entries)
    data.touch()  # a newer mtime must not change the bytes
    write_zip(tmp_path / "two.zip", list(reversed(entries)))
    one, two = (hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in ("one.zip", "two.zip"))
    assert one == two
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        assert zf.namelist() == ["a.txt", "a/c.bin", "b.txt"]
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert zf.read("a/c.bin") == b"x" * 100_000


def test_zip_rejects_duplicate_names_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate"):
        write_zip(tmp_path / "dup.zip", [("a", "1"), ("a", "2")])
    assert list(tmp_path.iterdir()) == []


def test_atomic_file_keeps_the_old_version_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_atomic_directory_replaces_in_one_step(tmp_path: Path) -> None:
    target = tmp_path / "book"
    target.mkdir()
    (target / "stale.md").write_text("stale")
    with atomic_path(target, directory=True) as tmp:
        (tmp / "index.md").write_text("new")
    assert sorted(p.name for p in target.iterdir()) == ["index.md"]
    assert target.stat().st_mode & 0o777 == 0o755
    with pytest.raises(RuntimeError), atomic_path(target, directory=True) as tmp:
        (tmp / "half.md").write_text("half")
        raise RuntimeError("boom")
    assert sorted(p.name for p in target.iterdir()) == ["index.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["book"]


def test_compressed_formats_are_stored_not_deflated_again(tmp_path: Path) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(bytes(range(256)) * 100)
    write_zip(tmp_path / "p.zip", [("media/clip.mp4", video), ("page.html", "<p>hi</p>" * 100)])
    with zipfile.ZipFile(tmp_path / "p.zip") as zf:
        kinds = {i.filename: i.compress_type for i in zf.infolist()}
        assert zf.read("media/clip.mp4") == video.read_bytes()
    assert kinds == {"media/clip.mp4": zipfile.ZIP_STORED, "page.html": zipfile.ZIP_DEFLATED}
