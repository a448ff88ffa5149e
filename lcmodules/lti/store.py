"""The release store: each released version's learner site and quiz definitions, content-addressed,
so a version stays servable after the sources move on."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, select
from sqlalchemy.exc import IntegrityError

from lcmodules.core.versions import VersionError, compare, is_version, parse_range
from lcmodules.lti import db
from lcmodules.lti.errors import LtiError
from lcmodules.model import Course, Module, Quiz

POLICY_HINT = "use latest, a range such as ^1 or >=1.2,<2, or an exact version such as 1.2.0"


@dataclass(frozen=True)
class Release:
    """One stored version of a module."""

    module_id: str
    version: str
    title: str
    language: str
    manifest: str  # digest: /lti/r/<manifest>/… serves it


@dataclass(frozen=True)
class Published:
    """What `publish` did with one module."""

    module_id: str
    version: str
    outcome: str  # published | up to date | skipped | conflict
    reason: str = ""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put_blob(conn: Any, data: bytes) -> str:
    digest = _digest(data)
    if conn.execute(select(db.blobs.c.digest).where(db.blobs.c.digest == digest)).first() is None:
        conn.execute(db.blobs.insert().values(digest=digest, data=data))
    return digest


def blob(engine: Engine, digest: str) -> bytes | None:
    """The bytes stored under a digest."""
    with engine.connect() as conn:
        data = conn.execute(select(db.blobs.c.data).where(db.blobs.c.digest == digest)).scalar()
    return None if data is None else bytes(data)


def build_release(module: Module) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The learner edition's site (per unit) and the manifest describing it."""
    from lcmodules.render.site import SiteOptions, render_site
    from lcmodules.transform.learner import module_edition

    edition = module_edition(module, "learner")
    # quizzes without their answer key: the server grades (see grading.py)
    site = render_site(edition, SiteOptions(layout="per-unit", answer_key=False))
    files = {path: (c.read_bytes() if isinstance(c, Path) else bytes(c))
             for path, c in sorted(site.files.items())}
    units = [{"index": u.index, "kind": u.kind, "title": u.title, "slug": u.slug, "uid": u.uid,
              "quiz": u.quiz_name if u.kind == "quiz" else None,
              "page": site.unit_pages.get(u.index)} for u in edition.units]
    quizzes = {u.quiz_name: u.quiz.model_dump(mode="json") for u in edition.units
               if u.kind == "quiz" and u.quiz is not None}
    manifest = {"module": {"id": edition.meta.id, "version": edition.meta.version,
                           "title": edition.meta.title, "language": edition.meta.language},
                "pages": site.pages, "units": units, "quizzes": quizzes}
    return files, manifest


def publish_module(engine: Engine, module: Module, fingerprint: str) -> Published:
    """Store the module's current (released) version; a version stored with other sources is a
    conflict, never overwritten."""
    mid, version = module.meta.id, module.meta.version
    with engine.connect() as conn:
        old = conn.execute(select(db.releases.c.fingerprint).where(and_(
            db.releases.c.module_id == mid, db.releases.c.version == version))).scalar()
    if old is not None:
        if old == fingerprint:
            return Published(mid, version, "up to date")
        return Published(mid, version, "conflict",
                         "this version is stored with other sources — release a new version")
    files, manifest = build_release(module)
    try:
        with engine.begin() as conn:
            manifest["files"] = {path: _put_blob(conn, data) for path, data in files.items()}
            text = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode("utf-8")
            conn.execute(db.releases.insert().values(
                module_id=mid, version=version, title=module.meta.title,
                language=module.meta.language, fingerprint=fingerprint,
                manifest=_put_blob(conn, text), published_at=db.now()))
    except IntegrityError:  # another worker published it at the same time
        return Published(mid, version, "up to date")
    return Published(mid, version, "published")


def publish(engine: Engine, courses: list[Course]) -> list[Published]:
    """Publish every module whose sources are its released version (module.lock)."""
    from lcmodules.versioning.status import STATE_TEXT, course_status, release_hint

    results: list[Published] = []
    for status in course_status(courses):
        meta = status.module.meta
        if status.state != "unchanged":
            results.append(Published(meta.id, meta.version, "skipped",
                                     f"{STATE_TEXT[status.state]} — {release_hint(status.module)}"))
            continue
        results.append(publish_module(engine, status.module, status.fingerprint.digest))
    return results


def releases(engine: Engine, module_id: str | None = None) -> list[Release]:
    """Stored releases (of one module), newest version first per module."""
    stmt = select(db.releases)
    if module_id is not None:
        stmt = stmt.where(db.releases.c.module_id == module_id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    found = [Release(r["module_id"], r["version"], r["title"], r["language"], r["manifest"])
             for r in rows]
    def order(a: Release, b: Release) -> int:
        return (a.module_id > b.module_id) - (a.module_id < b.module_id) or -compare(
            a.version, b.version)

    return sorted(found, key=functools.cmp_to_key(order))


def check_policy(policy: str) -> str:
    """A version policy as written (`latest`, a range, an exact version); LtiError otherwise."""
    policy = policy.strip()
    if policy == "latest":
        return policy
    try:
        parse_range(policy)
    except VersionError as exc:
        raise LtiError(f"version policy '{policy}' is not valid: {exc}", POLICY_HINT) from None
    return policy


def resolve(engine: Engine, module_id: str, policy: str) -> Release:
    """The newest stored release of a module that the policy allows."""
    policy = check_policy(policy)
    wanted = None if policy == "latest" else parse_range(policy)
    for release in releases(engine, module_id):
        if is_version(release.version) and (wanted is None or wanted.contains(release.version)):
            return release
    raise LtiError(f"no published version of {module_id} satisfies '{policy}'",
                   "publish one with `lcmodules lti publish`, or change the link's version policy",
                   404)


def manifest(engine: Engine, digest: str) -> dict[str, Any]:
    """The manifest of a release."""
    data = blob(engine, digest)
    if data is None:
        raise LtiError("no such release", "open the activity again from the LMS", 404)
    return dict(json.loads(data))


def quiz_of(engine: Engine, digest: str, name: str) -> Quiz:
    """The stored definition of a release's quiz (what grading reads, never the browser)."""
    quizzes = manifest(engine, digest)["quizzes"]
    if name not in quizzes:
        raise LtiError(f"the module has no quiz '{name}'", "reload the page", 404)
    return Quiz.model_validate(quizzes[name])
