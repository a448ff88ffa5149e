"""Grades the learner cannot forge: answers graded from the stored quiz, the attempt policy, and
the score outbox that sends to the LMS (AGS) and survives its downtime without duplicates."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Table, and_, func, select

from lcmodules.lti import db, services, store
from lcmodules.lti.errors import LtiError
from lcmodules.lti.launch import Launch
from lcmodules.lti.platforms import Platform, get_platform
from lcmodules.lti.serving import ATTEMPTS, MODULE, QUIZ
from lcmodules.questions.grading import QuizResult, grade_quiz

POLICIES = ("highest", "latest", "first")
LINEITEM_LEASE = 30.0  # s one worker may take to find or make a line item before another may


@dataclass(frozen=True)
class Graded:
    """What the grade endpoint answers: lc.js's result and whether the LMS took the score
    (None: the link has no gradebook column)."""

    result: QuizResult
    score_sent: bool | None

    def to_json(self) -> dict[str, Any]:
        return {"result": self.result.to_json(), "scoreSent": self.score_sent}


def attempt_policy(launch: Launch) -> str:
    """The link's attempt policy (custom `lc_attempts`), `highest` by default."""
    policy = str(launch.claims.get("custom", {}).get(ATTEMPTS) or "highest")
    if policy not in POLICIES:
        raise LtiError(f"attempt policy '{policy}' is unknown", f"use one of {', '.join(POLICIES)}")
    return policy


def _record(engine: Engine, launch: Launch, digest: str, quiz: str, result: QuizResult) -> float:
    """Store the attempt; the points the policy says the gradebook holds now."""
    module_id = str(launch.claims.get("custom", {}).get(MODULE) or "")
    link = str(launch.claims.get("resource_link", {}).get("id") or "")
    where = and_(db.attempts.c.platform_id == launch.platform_id, db.attempts.c.sub == launch.sub,
                 db.attempts.c.resource_link == link, db.attempts.c.quiz == quiz)
    with engine.begin() as conn:
        conn.execute(db.attempts.insert().values(
            platform_id=launch.platform_id, sub=launch.sub, resource_link=link,
            module_id=module_id, quiz=quiz, release=digest, points=result.points,
            max_points=result.max_points, created_at=db.now()))
        policy = attempt_policy(launch)
        if policy == "highest":
            best = conn.execute(select(func.max(db.attempts.c.points)).where(where)).scalar()
            return float(best if best is not None else result.points)
        if policy == "first":
            first = select(db.attempts.c.points).where(where).order_by(db.attempts.c.id).limit(1)
            found = conn.execute(first).scalar()
            return float(found if found is not None else result.points)
    return result.points


def grade(engine: Engine, launch: Launch, digest: str, body: Any) -> Graded:
    """Grade a quiz post `{"quiz": name, "answers": {...}}` of the session's release, never
    trusting a score from the browser; enqueue and send the policy's score."""
    if not isinstance(body, dict) or not isinstance(body.get("quiz"), str) \
            or not isinstance(body.get("answers", {}), dict):
        raise LtiError("the quiz post is not {\"quiz\": name, \"answers\": {…}}", "reload the page")
    name = body["quiz"]
    result = grade_quiz(store.quiz_of(engine, digest, name), body.get("answers", {}), name)
    points = _record(engine, launch, digest, name, result)
    ags = launch.claims.get("ags") or {}
    if services.SCOPE_SCORE not in ags.get("scope", []) or not (
            ags.get("lineitems") or ags.get("lineitem")):
        return Graded(result, None)
    manifest = store.manifest(engine, digest)
    if ags.get("lineitem") and name == link_quiz(manifest, launch):
        ags = {"lineitem": ags["lineitem"]}  # the link's own column: no search needed
    else:
        ags = {"lineitems": ags.get("lineitems")}
    if not any(ags.values()):
        return Graded(result, None)
    label = f"{manifest['module']['title']}: {name}"
    row = enqueue(engine, launch, ags, name, label, points, result.max_points)
    return Graded(result, send(engine, row))


def link_quiz(manifest: dict[str, Any], launch: Launch) -> str | None:
    """The quiz a link's own gradebook column is for: its `lc_quiz`, else the module's first."""
    custom = launch.claims.get("custom", {})
    if custom.get(QUIZ):
        return str(custom[QUIZ])
    return next((u["quiz"] for u in manifest["units"] if u["quiz"]), None)


def enqueue(engine: Engine, launch: Launch, ags: dict[str, Any], tag: str, label: str,
            points: float, maximum: float) -> int:
    """A score in the outbox (older waiting scores for the same column and learner are
    superseded, so a retry never sends a stale one after a newer one)."""
    module_id = str(launch.claims.get("custom", {}).get(MODULE) or "")
    column = and_(db.scores.c.platform_id == launch.platform_id, db.scores.c.sub == launch.sub,
                  db.scores.c.resource_id == module_id, db.scores.c.tag == tag)
    with engine.begin() as conn:
        _lock_column(conn, launch.platform_id, launch.sub, module_id, tag)
        last = conn.execute(select(func.max(db.scores.c.timestamp)).where(column)).scalar()
        stamp = score_timestamp(last)
        conn.execute(db.scores.update().where(and_(column, db.scores.c.state == "pending"))
                     .values(state="superseded"))
        done = conn.execute(db.scores.insert().values(
            platform_id=launch.platform_id, sub=launch.sub, lineitems_url=ags.get("lineitems"),
            lineitem_url=None if ags.get("lineitems") else ags.get("lineitem"),
            resource_id=module_id, tag=tag, label=label, score_given=points,
            score_maximum=maximum, timestamp=stamp, state="pending", tries=0,
            created_at=db.now()))
    key = done.inserted_primary_key
    assert key is not None
    return int(key[0])


def _lock_column(conn: Connection, platform_id: int, sub: str, resource_id: str, tag: str) -> None:
    """Hold the learner's column row until the transaction ends: scores for one column are
    stamped one at a time across every worker process, each later than the one before."""
    key = {"platform_id": platform_id, "sub": sub, "resource_id": resource_id, "tag": tag}
    db.insert_missing(conn, db.columns, **key, touched_at=db.now())
    conn.execute(db.columns.update().where(_is(db.columns, key)).values(touched_at=db.now()))


def _is(table: Table, key: dict[str, Any]) -> ColumnElement[bool]:
    return and_(*(table.c[name] == value for name, value in key.items()))


def score_timestamp(last: str | None, now: datetime | None = None) -> str:
    """A new score's timestamp: now, but in a later whole second than the column's `last` one
    (Moodle stores seconds and refuses, HTTP 409, a score not later than the grade it holds)."""
    stamp = now or datetime.now(UTC)
    if last:
        after = datetime.fromisoformat(last).replace(microsecond=0) + timedelta(seconds=1)
        stamp = max(stamp, after)
    return stamp.isoformat(timespec="microseconds").replace("+00:00", "Z")


def send(engine: Engine, score_id: int) -> bool:
    """Send one waiting score; True when the LMS accepted it. Claimed first, so two workers
    never both send it; on failure it waits in the outbox again."""
    with engine.begin() as conn:
        claimed = conn.execute(db.scores.update().where(and_(
            db.scores.c.id == score_id, db.scores.c.state == "pending")).values(
            state="sending", tries=db.scores.c.tries + 1))
        if claimed.rowcount != 1:
            return False
        row = dict(conn.execute(select(db.scores).where(db.scores.c.id == score_id)).mappings().one())
    platform = get_platform(engine, row["platform_id"])
    try:
        lineitem = row["lineitem_url"] or lineitem_url(engine, platform, row)
        services.post_score(engine, platform, lineitem, {
            "userId": row["sub"], "scoreGiven": row["score_given"],
            "scoreMaximum": row["score_maximum"], "activityProgress": "Completed",
            "gradingProgress": "FullyGraded", "timestamp": row["timestamp"]})
    except LtiError as exc:
        if isinstance(exc, services.LineItemGone) and not row["lineitem_url"]:
            _forget_lineitem(engine, row)
        _settle(engine, score_id, "pending", error=str(exc))
        return False
    _settle(engine, score_id, "sent", lineitem=lineitem)
    return True


def lineitem_url(engine: Engine, platform: Platform, row: Mapping[str, Any]) -> str:
    """The line item for a score row's resourceId and tag: found or made once, by one worker of
    all processes at a time (a lease in the database), then remembered for every later score."""
    deadline = time.monotonic() + LINEITEM_LEASE + services.TIMEOUT
    while True:
        mine, url = _claim_lineitem(engine, _lineitem_key(row))
        if url:
            return url
        if mine:
            return _find_lineitem(engine, platform, row)
        if time.monotonic() > deadline:
            raise LtiError("another worker is still looking for the gradebook column",
                           "`lcmodules lti scores retry` sends the score later", 503)
        time.sleep(0.1)


def _lineitem_key(row: Mapping[str, Any]) -> dict[str, Any]:
    container = hashlib.sha256(str(row["lineitems_url"]).encode()).hexdigest()
    return {"platform_id": row["platform_id"], "container": container,
            "resource_id": row["resource_id"], "tag": row["tag"]}


def _claim_lineitem(engine: Engine, key: dict[str, Any]) -> tuple[bool, str | None]:
    """(this worker holds the lease now, the known URL)."""
    with engine.begin() as conn:
        db.insert_missing(conn, db.lineitems, **key, url=None, claimed_at=0.0)
        found = conn.execute(select(db.lineitems.c.url, db.lineitems.c.claimed_at)
                             .where(_is(db.lineitems, key))).one()
        if found.url:
            return False, str(found.url)
        now = db.now()
        if found.claimed_at > now - LINEITEM_LEASE:
            return False, None
        taken = conn.execute(db.lineitems.update().where(and_(
            _is(db.lineitems, key), db.lineitems.c.claimed_at == found.claimed_at))
            .values(claimed_at=now))
        return taken.rowcount == 1, None


def _find_lineitem(engine: Engine, platform: Platform, row: Mapping[str, Any]) -> str:
    key = _lineitem_key(row)
    try:
        url = services.find_or_create_lineitem(
            engine, platform, row["lineitems_url"], row["resource_id"], row["tag"], row["label"],
            row["score_maximum"])
    except LtiError:
        _forget_lineitem(engine, row)  # the lease ends now: the next try may look again
        raise
    with engine.begin() as conn:
        conn.execute(db.lineitems.update().where(_is(db.lineitems, key)).values(url=url))
    return url


def _forget_lineitem(engine: Engine, row: Mapping[str, Any]) -> None:
    with engine.begin() as conn:
        conn.execute(db.lineitems.update().where(_is(db.lineitems, _lineitem_key(row)))
                     .values(url=None, claimed_at=0.0))


def _settle(engine: Engine, score_id: int, state: str, error: str | None = None,
            lineitem: str | None = None) -> None:
    values: dict[str, Any] = {"state": state, "last_error": error}
    if state == "sent":
        values |= {"sent_at": db.now(), "lineitem_url": lineitem}
    with engine.begin() as conn:
        conn.execute(db.scores.update().where(db.scores.c.id == score_id).values(**values))


def outbox(engine: Engine, state: str | None = None) -> list[dict[str, Any]]:
    """The outbox's rows (of one state), oldest first."""
    stmt = select(db.scores).order_by(db.scores.c.id)
    if state:
        stmt = stmt.where(db.scores.c.state == state)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def retry(engine: Engine, stale_after: float = 300.0) -> tuple[int, int]:
    """Send every waiting score again (and those a crashed worker left `sending` for longer than
    `stale_after` s); (sent, still waiting)."""
    with engine.begin() as conn:
        conn.execute(db.scores.update().where(and_(
            db.scores.c.state == "sending",
            db.scores.c.created_at < db.now() - stale_after)).values(state="pending"))
    sent = sum(send(engine, row["id"]) for row in outbox(engine, "pending"))
    return sent, len(outbox(engine, "pending"))
