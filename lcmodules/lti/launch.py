"""LTI 1.3 login initiation and launch: every check of the Core spec and Security Framework."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, and_, select
from sqlalchemy.exc import IntegrityError

from lcmodules.core.strings import N_
from lcmodules.lti import db, jose
from lcmodules.lti.errors import LtiError
from lcmodules.lti.platforms import Platform, find_platform, get_platform, known_deployment
from lcmodules.lti.toolconfig import base_url, urls

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINKING = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK, DEEP_LINKING)

LEEWAY = "leeway_seconds"  # settings, with their defaults
DEFAULTS = {LEEWAY: 5.0, "state_seconds": 600.0, "session_seconds": 8 * 3600.0}
INSTRUCTOR_ROLES = ("#Instructor", "#Administrator", "#ContentDeveloper", "#TeachingAssistant")


def setting(engine: Engine, name: str) -> float:
    """A number the administrator may change in the settings table (see docs/lti.md)."""
    return float(db.get_setting(engine, name, str(DEFAULTS[name])) or DEFAULTS[name])


def digest(secret: str) -> str:
    """What is stored of a cookie's secret: its SHA-256, so a database leak opens no session."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _bad(message: str, hint: str = N_("start the launch again from the LMS"),
         status: int = 400) -> LtiError:
    return LtiError(message, hint, status)


def begin_login(engine: Engine, params: dict[str, str], browser: str) -> str:
    """OIDC login initiation: the URL of the platform's auth request, with a new state (bound to
    the `browser` cookie's secret) and nonce stored."""
    for name in ("iss", "login_hint", "target_link_uri"):
        if not params.get(name):
            raise _bad(f"the login request has no {name}", "the LMS must send it (LTI 1.3 §5.1.1)")
    platform = find_platform(engine, params["iss"], params.get("client_id"))
    if platform is None:
        raise _bad(f"no platform registered for issuer {params['iss']} "
                   f"and client id {params.get('client_id', '(none)')}",
                   "register it with `lcmodules lti platform add`", 403)
    _check_target(engine, params["target_link_uri"])
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = db.now()
    with engine.begin() as conn:
        conn.execute(db.states.delete().where(
            db.states.c.created_at < now - 2 * setting(engine, "state_seconds")))
        conn.execute(db.states.insert().values(
            state=state, nonce=nonce, browser=digest(browser), platform_id=platform.id,
            created_at=now, used=False))
    query = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": platform.client_id,
        "redirect_uri": urls(base_url(engine))["redirect_uri"],
        "login_hint": params["login_hint"], "state": state, "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.login_url else "?"
    return f"{platform.login_url}{separator}{urlencode(query)}"


def _check_target(engine: Engine, target: str) -> None:
    base = base_url(engine)
    if target != base and not target.startswith(base + "/"):
        raise _bad(f"target_link_uri {target} is not this tool's ({base})",
                   "check the tool URL in the LMS registration (`lcmodules lti config`)", 403)


def _take_state(engine: Engine, state: str, browser: str | None) -> tuple[Platform, str]:
    """The platform and nonce of a state made for this browser, used up; LtiError otherwise."""
    with engine.connect() as conn:
        row = conn.execute(select(db.states).where(db.states.c.state == state)).mappings().first()
    if row is None:
        raise _bad("unknown state", status=401)
    if not browser or not secrets.compare_digest(row["browser"], digest(browser)):
        raise _bad("this launch was started in another browser (state not bound to it)",
                   "allow the tool's cookies and start again from the LMS", 401)
    if db.now() - row["created_at"] > setting(engine, "state_seconds"):
        raise _bad("the state has expired", status=401)
    with engine.begin() as conn:
        taken = conn.execute(db.states.update().where(
            and_(db.states.c.state == state, db.states.c.used.is_(False))).values(used=True))
    if taken.rowcount != 1:
        raise _bad("the state has been used already (a replayed launch)", status=401)
    return get_platform(engine, row["platform_id"]), row["nonce"]


def _use_nonce(engine: Engine, platform: Platform, nonce: str, expires: float) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(db.nonces.delete().where(db.nonces.c.expires_at < db.now()))
            conn.execute(db.nonces.insert().values(
                platform_id=platform.id, nonce=nonce, expires_at=expires))
    except IntegrityError:
        raise _bad("the nonce has been used already (a replayed id_token)", status=401) from None


@dataclass(frozen=True)
class Launch:
    """A verified launch, as kept in the server-side session."""

    platform_id: int
    deployment_id: str
    sub: str
    message_type: str
    claims: dict[str, Any]  # the LTI claims the tool uses (no names, no e-mail)

    @property
    def instructor(self) -> bool:
        return any(r.endswith(INSTRUCTOR_ROLES) for r in self.claims.get("roles", []))


def complete_launch(engine: Engine, form: dict[str, str], browser: str | None) -> Launch:
    """Check a launch (form_post of id_token + state) and return what it says; LtiError
    (401/403) naming the first check that fails."""
    if not form.get("id_token") or not form.get("state"):
        raise _bad("the launch has no id_token or state", "the LMS must post both")
    header = jose.header(form["id_token"])
    platform, nonce = _take_state(engine, form["state"], browser)
    key = jose.platform_key(engine, platform, header.get("kid"))
    claims = jose.verify(form["id_token"], key, platform.issuer, platform.client_id,
                         setting(engine, LEEWAY))
    if not secrets.compare_digest(str(claims.get("nonce")), nonce):
        raise _bad("the id_token's nonce is not the one of this login", status=401)
    _use_nonce(engine, platform, nonce, float(claims["exp"]) + setting(engine, LEEWAY))
    return _checked_launch(engine, platform, claims)


def _checked_launch(engine: Engine, platform: Platform, claims: dict[str, Any]) -> Launch:
    message_type = claims.get(CLAIM + "message_type")
    if message_type not in MESSAGE_TYPES:
        raise _bad(f"message type {message_type!r} is not supported",
                   f"the tool takes {' and '.join(MESSAGE_TYPES)}")
    if claims.get(CLAIM + "version") != "1.3.0":
        raise _bad(f"LTI version {claims.get(CLAIM + 'version')!r} is not 1.3.0")
    deployment = str(claims.get(CLAIM + "deployment_id") or "")
    if not known_deployment(engine, platform.id, deployment):
        raise _bad(f"deployment {deployment!r} is not registered for this platform",
                   "add it with `lcmodules lti deployment add`", 403)
    _check_target(engine, str(claims.get(CLAIM + "target_link_uri") or ""))
    if message_type == RESOURCE_LINK and not (claims.get(CLAIM + "resource_link") or {}).get("id"):
        raise _bad("the launch has no resource link id")
    if not claims.get("sub"):
        raise _bad("the launch has no user (sub)", "the tool serves signed-in users only", 403)
    kept = {
        "roles": claims.get(CLAIM + "roles", []),
        "context": {k: v for k, v in (claims.get(CLAIM + "context") or {}).items()
                    if k in ("id", "title", "label")},
        "resource_link": claims.get(CLAIM + "resource_link") or {},
        "custom": claims.get(CLAIM + "custom") or {},
        "ags": claims.get(AGS_CLAIM) or {},
        "nrps": claims.get(NRPS_CLAIM) or {},
        "deep_linking": claims.get(DL_CLAIM + "deep_linking_settings") or {},
        # the user's language in the LMS (BCP 47): the tool's own pages speak it
        "locale": str((claims.get(CLAIM + "launch_presentation") or {}).get("locale") or ""),
    }
    return Launch(platform.id, deployment, str(claims["sub"]), str(message_type), kept)


def open_session(engine: Engine, launch: Launch) -> tuple[str, str]:
    """A server-side session of a launch: (the cookie's secret, the CSRF token)."""
    secret, csrf, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), db.now()
    with engine.begin() as conn:
        conn.execute(db.sessions.insert().values(
            id=digest(secret), csrf=csrf, platform_id=launch.platform_id,
            deployment_id=launch.deployment_id, sub=launch.sub, message_type=launch.message_type,
            claims=json.dumps(launch.claims), created_at=now,
            expires_at=now + setting(engine, "session_seconds")))
    return secret, csrf


def find_session(engine: Engine, secret: str | None) -> tuple[Launch, str] | None:
    """The launch and CSRF token of a session cookie's secret, while it has not expired."""
    if not secret:
        return None
    with engine.connect() as conn:
        row = conn.execute(select(db.sessions).where(
            and_(db.sessions.c.id == digest(secret), db.sessions.c.expires_at > db.now()))
        ).mappings().first()
    if row is None:
        return None
    launch = Launch(row["platform_id"], row["deployment_id"], row["sub"], row["message_type"],
                    json.loads(row["claims"]))
    return launch, row["csrf"]
