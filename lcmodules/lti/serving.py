"""What a resource-link launch serves: the release its link's policy picks, and its pages with
the tool's grade URL and CSRF token put in."""

from __future__ import annotations

import html
import mimetypes
from typing import Any

from sqlalchemy import Engine

from lcmodules.lti import store
from lcmodules.lti.errors import LtiError

# custom parameters a deep link gives a resource link (see docs/lti.md)
MODULE, POLICY, UNIT, QUIZ, ATTEMPTS = "lc_module", "lc_version", "lc_unit", "lc_quiz", "lc_attempts"


def landing(engine: Engine, custom: dict[str, Any]) -> tuple[str, str]:
    """(release manifest digest, page) a resource link opens: the newest release its policy
    allows, at its unit or quiz, else the first page."""
    module_id = str(custom.get(MODULE) or "")
    if not module_id:
        raise LtiError("this link names no module",
                       "the instructor adds modules through the tool's selection (Deep Linking)", 404)
    release = store.resolve(engine, module_id, str(custom.get(POLICY) or "latest"))
    manifest = store.manifest(engine, release.manifest)
    wanted = str(custom.get(UNIT) or custom.get(QUIZ) or "")
    for unit in manifest["units"]:
        if wanted and wanted in (unit["slug"], unit["uid"], unit["quiz"], str(unit["index"])):
            return release.manifest, str(unit["page"])
    if wanted:
        raise LtiError(f"version {release.version} of {module_id} has no unit or quiz '{wanted}'",
                       "ask the instructor to link the module again", 404)
    return release.manifest, str(manifest["pages"][0])


def file_of(engine: Engine, digest: str, path: str) -> tuple[bytes, str]:
    """The bytes and MIME type of a release's file."""
    files = store.manifest(engine, digest)["files"]
    if path not in files:
        raise LtiError(f"no file {path} in this module", "follow the module's own links", 404)
    data = store.blob(engine, files[path])
    assert data is not None
    return data, mimetypes.guess_type(path)[0] or "application/octet-stream"


def with_meta(page: bytes, grade_url: str, csrf: str) -> bytes:
    """A served page with `lc-grade-url` and `lc-csrf-token` in its head (what lc.js reads)."""
    tags = (f'<meta name="lc-grade-url" content="{html.escape(grade_url)}">'
            f'<meta name="lc-csrf-token" content="{html.escape(csrf)}">').encode()
    head = page.find(b"</head>")
    return page[:head] + tags + page[head:] if head >= 0 else tags + page
