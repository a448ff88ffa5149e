"""Registered platforms (keyed by issuer + client id), their deployments, and the LMS presets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, and_, select
from sqlalchemy.exc import IntegrityError

from lcmodules.lti import db
from lcmodules.lti.errors import LtiError

LMS_NAMES = ("moodle", "canvas", "brightspace", "other")
CANVAS_ISSUER = "https://canvas.instructure.com"

# Per LMS: the endpoints relative to the issuer ("{iss}") or absolute; token_audience "" = token URL.
PRESETS: dict[str, dict[str, str]] = {
    "moodle": {
        "login_url": "{iss}/mod/lti/auth.php",
        "token_url": "{iss}/mod/lti/token.php",
        "jwks_url": "{iss}/mod/lti/certs.php",
        "token_audience": "",
    },
    "canvas": {
        "issuer": CANVAS_ISSUER,
        "login_url": "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "token_url": "https://sso.canvaslms.com/login/oauth2/token",
        "jwks_url": "https://sso.canvaslms.com/api/lti/security/jwks",
        "token_audience": "",
    },
    "brightspace": {
        "login_url": "{iss}/d2l/lti/authenticate",
        "token_url": "https://auth.brightspace.com/core/connect/token",
        "jwks_url": "{iss}/d2l/.well-known/jwks",
        "token_audience": "https://api.brightspace.com/auth/token",
    },
    "other": {},
}


@dataclass(frozen=True)
class Platform:
    """One registration of the tool in an LMS."""

    id: int
    issuer: str
    client_id: str
    lms: str
    name: str
    login_url: str
    token_url: str
    jwks_url: str | None
    public_key_pem: str | None
    token_audience: str

    def origin(self) -> str:
        """scheme://host[:port] of the platform's pages (for frame-ancestors)."""
        parts = urlsplit(self.issuer if self.lms != "canvas" else self.login_url)
        return f"{parts.scheme}://{parts.netloc}"

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "public_key_pem"} | {
            "public_key": bool(self.public_key_pem)}


def _check_url(field: str, value: str | None) -> None:
    if value is None:
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LtiError(f"{field} '{value}' is not an http(s) URL", f"give the full URL of the {field}")


def resolve(lms: str, issuer: str | None, **given: str | None) -> dict[str, str | None]:
    """The platform's fields: what was given, else the LMS preset filled in with the issuer."""
    preset = PRESETS[lms]
    issuer = (issuer or preset.get("issuer") or "").rstrip("/")
    if not issuer:
        raise LtiError(f"a {lms} platform needs its issuer", "give --issuer https://lms.example.org")
    fields: dict[str, str | None] = {"issuer": issuer}
    for name in ("login_url", "token_url", "jwks_url", "token_audience"):
        value = given.get(name) or preset.get(name, "").replace("{iss}", issuer) or None
        fields[name] = value
    for name in ("login_url", "token_url"):
        if not fields[name]:
            raise LtiError(f"the platform needs its {name.replace('_', ' ')}",
                           f"give --{name.replace('_', '-')} or --lms with a preset")
    fields["token_audience"] = fields["token_audience"] or fields["token_url"]
    for name in ("issuer", "login_url", "token_url", "jwks_url"):
        _check_url(name, fields[name])
    return fields


def add_platform(engine: Engine, lms: str, client_id: str, name: str | None = None,
                 public_key_pem: str | None = None, **given: str | None) -> Platform:
    """Register a platform; LtiError when (issuer, client id) is registered already."""
    fields = resolve(lms, given.pop("issuer", None), **given)
    if not fields["jwks_url"] and not public_key_pem:
        raise LtiError("the platform needs a JWKS URL or a public key",
                       "give --jwks-url URL or --public-key FILE.pem")
    try:
        with engine.begin() as conn:
            conn.execute(db.platforms.insert().values(
                client_id=client_id, lms=lms, name=name or f"{lms} {fields['issuer']}",
                public_key_pem=public_key_pem, **fields))
    except IntegrityError:
        raise LtiError(f"a platform with issuer {fields['issuer']} and client id {client_id} "
                       "is registered already",
                       "remove it first (`lcmodules lti platform remove`)") from None
    found = find_platform(engine, str(fields["issuer"]), client_id)
    assert found is not None
    return found


def _platform(row: Any) -> Platform:
    return Platform(**{k: row[k] for k in Platform.__dataclass_fields__})


def list_platforms(engine: Engine) -> list[Platform]:
    """Every registered platform."""
    with engine.connect() as conn:
        rows = conn.execute(select(db.platforms).order_by(db.platforms.c.id)).mappings().all()
    return [_platform(r) for r in rows]


def find_platform(engine: Engine, issuer: str, client_id: str | None) -> Platform | None:
    """The registration of (issuer, client id); without a client id, the only one of the issuer."""
    found = [p for p in list_platforms(engine) if p.issuer == issuer.rstrip("/")
             and (client_id is None or p.client_id == client_id)]
    return found[0] if len(found) == 1 else None


def get_platform(engine: Engine, platform_id: int) -> Platform:
    """The platform of a stored id."""
    for p in list_platforms(engine):
        if p.id == platform_id:
            return p
    raise LtiError(f"no platform {platform_id}", "see `lcmodules lti platform list`")


def remove_platform(engine: Engine, issuer: str, client_id: str) -> None:
    """Remove a registration and its deployments."""
    platform = _named(engine, issuer, client_id)
    with engine.begin() as conn:
        conn.execute(db.deployments.delete().where(db.deployments.c.platform_id == platform.id))
        conn.execute(db.platforms.delete().where(db.platforms.c.id == platform.id))


def _named(engine: Engine, issuer: str, client_id: str) -> Platform:
    platform = find_platform(engine, issuer, client_id)
    if platform is None:
        raise LtiError(f"no platform with issuer {issuer} and client id {client_id}",
                       "see `lcmodules lti platform list`")
    return platform


def add_deployment(engine: Engine, issuer: str, client_id: str, deployment_id: str) -> None:
    """Register a deployment id of a platform."""
    platform = _named(engine, issuer, client_id)
    try:
        with engine.begin() as conn:
            conn.execute(db.deployments.insert().values(
                platform_id=platform.id, deployment_id=deployment_id))
    except IntegrityError:
        raise LtiError(f"deployment {deployment_id} is registered already",
                       "see `lcmodules lti deployment list`") from None


def list_deployments(engine: Engine) -> list[tuple[Platform, str]]:
    """Every (platform, deployment id)."""
    by_id = {p.id: p for p in list_platforms(engine)}
    with engine.connect() as conn:
        rows = conn.execute(select(db.deployments).order_by(db.deployments.c.id)).mappings().all()
    return [(by_id[r["platform_id"]], r["deployment_id"]) for r in rows]


def remove_deployment(engine: Engine, issuer: str, client_id: str, deployment_id: str) -> None:
    """Remove a deployment id."""
    platform = _named(engine, issuer, client_id)
    with engine.begin() as conn:
        done = conn.execute(db.deployments.delete().where(and_(
            db.deployments.c.platform_id == platform.id,
            db.deployments.c.deployment_id == deployment_id)))
    if not done.rowcount:
        raise LtiError(f"no deployment {deployment_id} of that platform",
                       "see `lcmodules lti deployment list`")


def known_deployment(engine: Engine, platform_id: int, deployment_id: str) -> bool:
    """Whether a launch's deployment id is registered for its platform."""
    with engine.connect() as conn:
        return conn.execute(select(db.deployments.c.id).where(and_(
            db.deployments.c.platform_id == platform_id,
            db.deployments.c.deployment_id == deployment_id))).first() is not None
