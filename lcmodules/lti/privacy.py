"""Retention and erasure: what the tool keeps of learners (only the pseudonymous `sub`) and the purge."""

from __future__ import annotations

from sqlalchemy import Engine, and_, or_

from lcmodules.lti import db

RETENTION = "retention_days"
DEFAULT_RETENTION = 365.0


def retention_days(engine: Engine) -> float:
    """Days attempts and settled scores are kept (setting `retention_days`)."""
    return float(db.get_setting(engine, RETENTION, str(DEFAULT_RETENTION)) or DEFAULT_RETENTION)


def purge(engine: Engine, days: float | None = None, sub: str | None = None) -> dict[str, int]:
    """Delete what is past retention (expired sessions, used states and nonces, old attempts and
    settled scores), or everything of one learner (`sub`); rows deleted per table. A score still
    waiting for the LMS is kept unless its learner is erased."""
    now = db.now()
    limit = now - 86400 * (retention_days(engine) if days is None else days)
    rules = {
        db.sessions: db.sessions.c.expires_at < now,
        db.states: db.states.c.created_at < now - 86400,
        db.nonces: db.nonces.c.expires_at < now,
        db.attempts: db.attempts.c.created_at < limit,
        db.scores: and_(db.scores.c.created_at < limit,
                        db.scores.c.state.in_(("sent", "superseded"))),
    }
    if sub is not None:
        for table in (db.sessions, db.attempts, db.scores):
            rules[table] = or_(rules[table], table.c.sub == sub)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for table, where in rules.items():
            counts[table.name] = conn.execute(table.delete().where(where)).rowcount
    return counts
