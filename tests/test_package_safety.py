"""Issue 14: `preview` streams files with ranges; `inspect` and `preview` name what packages do."""

from __future__ import annotations

import http.client
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lcmodules.core.fsutil import write_zip
from lcmodules.inspect.package import inspect_package
from lcmodules.preview.server import Prepared, PreviewServer, byte_range
from tests.conftest import run_cli

MANIFEST = b"""<?xml version="1.0"?>
<manifest identifier="m" version="1" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
 xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
<metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
<organizations default="o"><organization identifier="o"><title>T</title>
<item identifier="i" identifierref="r"><title>T</title></item></organization></organizations>
<resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="index.html">
<file href="index.html"/></resource></resources></manifest>"""


@pytest.fixture()
def server(tmp_path: Path):
    root = tmp_path / "package"
    root.mkdir()
    with (root / "video.mp4").open("wb") as handle:  # sparse: costs no disk
        handle.truncate(400 * 1024 * 1024)
    (root / "small.txt").write_bytes(b"0123456789")
    bundle = tmp_path / "scorm-again.js"
    bundle.write_text("// runtime")
    prepared = Prepared(root=root, version="1.2", title="T", identifier="m", package_version="1")
    srv = PreviewServer(prepared, bundle, 0)
    srv.start_background()
    yield srv
    srv.shutdown()
    srv.server_close()


def get(srv: PreviewServer, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=60)
    conn.request("GET", path, headers=headers or {})
    return conn, conn.getresponse()


def test_range_requests_get_206_with_content_range(server: PreviewServer) -> None:
    conn, resp = get(server, "/package/small.txt", {"Range": "bytes=2-5"})
    assert resp.status == 206 and resp.read() == b"2345"
    assert resp.getheader("Content-Range") == "bytes 2-5/10"
    conn.close()
    conn, resp = get(server, "/package/small.txt", {"Range": "bytes=-3"})
    assert resp.status == 206 and resp.read() == b"789"
    conn.close()
    conn, resp = get(server, "/package/small.txt", {"Range": "bytes=20-"})
    assert resp.status == 416 and resp.getheader("Content-Range") == "bytes */10"
    conn.close()
    conn, resp = get(server, "/package/small.txt")
    assert resp.status == 200 and resp.read() == b"0123456789"
    assert resp.getheader("Accept-Ranges") == "bytes"
    conn.close()


# Run in a fresh process: its own peak memory (ru_maxrss) before and after serving the file.
# In the test worker the peak covers everything the worker did before, so it cannot show growth.
STREAM_SCRIPT = """
import http.client, resource, sys
from pathlib import Path
from lcmodules.preview.server import Prepared, PreviewServer

root = Path(sys.argv[1])
prepared = Prepared(root=root, version="1.2", title="T", identifier="m", package_version="1")
srv = PreviewServer(prepared, Path(sys.argv[2]), 0)
srv.start_background()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=60)
conn.request("GET", "/package/video.mp4")
resp = conn.getresponse()
total = 0
while block := resp.read(1024 * 1024):
    total += len(block)
grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
conn.close()
srv.shutdown()
print(resp.status, resp.getheader("Content-Length"), total, grown)
"""


def test_large_file_is_streamed_in_flat_memory(server: PreviewServer) -> None:
    proc = subprocess.run([sys.executable, "-c", STREAM_SCRIPT, str(server.root),
                           str(server.bundle)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    status, length, total, grown = map(int, proc.stdout.split())
    assert status == 200 and length == total == 400 * 1024 * 1024
    assert grown < 64 * 1024, f"peak memory grew by {grown} KiB serving a 400 MB file"
    conn, resp = get(server, "/package/video.mp4", {"Range": "bytes=300000000-300000009"})
    assert resp.status == 206 and resp.read() == b"\0" * 10
    conn.close()


def test_byte_range_parsing() -> None:
    assert byte_range(None, 10) is None and byte_range("bytes=0-0,5-6", 10) is None
    assert byte_range("bytes=3-", 10) == (3, 9) and byte_range("bytes=3-100", 10) == (3, 9)
    assert byte_range("bytes=9-3", 10) == "unsatisfiable"


def clash_package(tmp_path: Path) -> Path:
    target = tmp_path / "clash.zip"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("imsmanifest.xml", MANIFEST)
        zf.writestr("index.html", "<html></html>")
        zf.writestr("a", "file")
        zf.writestr("a/b", "file in a folder of the same name")
    return target


def test_inspect_and_preview_name_a_file_folder_clash(tmp_path: Path) -> None:
    package = clash_package(tmp_path)
    for args in (("inspect", package), ("preview", package, "--no-browser", "--port", "0")):
        proc = run_cli(*args, check=1)
        text = proc.stdout + proc.stderr
        assert "'a' is both a file and a folder" in text and "a/b" in text
        assert "Traceback" not in text and "internal error" not in text


def test_inspect_names_external_hosts_and_foreign_scripts(tmp_path: Path) -> None:
    page = (b'<html><head><script src="https://cdn.tracker.example/t.js"></script>'
            b'<script src="own.js"></script><script>alert(1)</script>'
            b'<link rel="stylesheet" href="//fonts.example.net/f.css">'
            b'<script type="application/json">{"a": 1}</script></head>'
            b'<body style="background:url(https://bg.example.org/b.png)">'
            b'<img src="https://img.example.com/x.png" onerror="x()"><a href="https://link.example">'
            b'only a link</a><iframe src="https://h5p.example/embed"></iframe></body></html>')
    package = tmp_path / "foreign.zip"
    write_zip(package, [("imsmanifest.xml", MANIFEST), ("index.html", page),
                        ("own.js", b"alert('not lcmodules')"),
                        ("s.css", b"@import 'https://css.example/x.css';")])
    report = inspect_package(package)
    assert sorted(report.external_hosts) == [
        "bg.example.org", "cdn.tracker.example", "css.example", "fonts.example.net",
        "h5p.example", "img.example.com"]
    scripts = " ".join(report.foreign_scripts)
    assert "cdn.tracker.example" in scripts and "own.js" in scripts
    assert "inline <script>" in scripts and "onerror" in scripts
    proc = run_cli("inspect", package)  # the manifest of this test has other errors
    assert "needs internet: bg.example.org" in proc.stdout
    assert "pages run scripts that did not come from lcmodules" in proc.stdout


def test_inspect_recognises_lcmodules_own_scripts(repo: Path, tmp_path: Path) -> None:
    run_cli("build", repo / "tests" / "fixtures" / "minimal", "--format", "scorm2004", "--out",
            tmp_path, check=0)
    report = inspect_package(next(tmp_path.glob("*.zip")))
    assert report.foreign_scripts == [] and report.external_hosts == {}
