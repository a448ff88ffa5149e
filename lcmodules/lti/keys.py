"""The tool's signing keys: RSA-2048, kid = RFC 7638 thumbprint, rotated next → current → retired."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine, select

from lcmodules.lti import db
from lcmodules.lti.errors import LtiError

GRACE_SETTING = "key_grace_seconds"
DEFAULT_GRACE = 7 * 24 * 3600  # a retired key stays in the JWKS this long after a rotation


@dataclass(frozen=True)
class Key:
    """One signing key as stored."""

    kid: str
    state: str
    public_jwk: dict[str, Any]
    private_pem: str | None
    created_at: float
    retired_at: float | None

    def public_pem(self) -> str:
        """The public key as PEM (for an LMS that registers a tool by key)."""
        numbers = rsa.RSAPublicNumbers(_int(self.public_jwk["e"]), _int(self.public_jwk["n"]))
        return numbers.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def _b64int(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an RSA key: the required members, sorted, no spaces."""
    required = {"e": jwk["e"], "kty": jwk["kty"], "n": jwk["n"]}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(canonical.encode("utf-8")).digest())


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, Any]:
    """The public JWK of an RSA key, with kid, use and alg."""
    numbers = public_key.public_numbers()
    jwk: dict[str, Any] = {"kty": "RSA", "e": _b64int(numbers.e), "n": _b64int(numbers.n)}
    return {**jwk, "kid": thumbprint(jwk), "use": "sig", "alg": "RS256"}


def _new_key(engine: Engine, state: str) -> str:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = public_jwk(private.public_key())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    with engine.begin() as conn:
        conn.execute(db.keys.insert().values(
            kid=jwk["kid"], state=state, private_pem=pem, public_jwk=json.dumps(jwk),
            created_at=db.now(), retired_at=None,
        ))
    return str(jwk["kid"])


def list_keys(engine: Engine) -> list[Key]:
    """Every stored key, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(select(db.keys).order_by(db.keys.c.created_at.desc())).mappings().all()
    return [Key(r["kid"], r["state"], json.loads(r["public_jwk"]), r["private_pem"],
                r["created_at"], r["retired_at"]) for r in rows]


def ensure_keys(engine: Engine) -> list[str]:
    """A current and a next key exist (made when missing); the kids made."""
    made: list[str] = []
    found = {k.state for k in list_keys(engine)}
    if "current" not in found:
        made.append(_new_key(engine, "current"))
    if "next" not in found:
        made.append(_new_key(engine, "next"))
    return made


def current_key(engine: Engine) -> Key:
    """The key the tool signs with now."""
    for key in list_keys(engine):
        if key.state == "current":
            return key
    raise LtiError("the tool has no current signing key", "run `lcmodules lti init`")


def rotate(engine: Engine) -> tuple[str, str]:
    """current → retired, next → current, a new next; (the new current kid, the new next kid).
    The retired key stays in the JWKS for the grace period, so tokens signed just before stay valid."""
    ensure_keys(engine)
    with engine.begin() as conn:
        conn.execute(db.keys.update().where(db.keys.c.state == "current")
                     .values(state="retired", retired_at=db.now()))
        conn.execute(db.keys.update().where(db.keys.c.state == "next").values(state="current"))
    new_next = _new_key(engine, "next")
    return current_key(engine).kid, new_next


def retire(engine: Engine, kid: str | None = None) -> list[str]:
    """End the grace of retired keys (one, or all): out of the JWKS, private key dropped."""
    stmt = db.keys.update().where(db.keys.c.state == "retired")
    if kid is not None:
        if not any(k.kid == kid and k.state == "retired" for k in list_keys(engine)):
            raise LtiError(f"no retired key '{kid}'", "see `lcmodules lti keys list`; rotate first")
        stmt = stmt.where(db.keys.c.kid == kid)
    expired = [k.kid for k in list_keys(engine)
               if k.state == "retired" and (kid is None or k.kid == kid)]
    with engine.begin() as conn:
        conn.execute(stmt.values(state="expired", private_pem=None))
    return expired


def grace_seconds(engine: Engine) -> float:
    """How long a retired key is still published."""
    return float(db.get_setting(engine, GRACE_SETTING, str(DEFAULT_GRACE)) or DEFAULT_GRACE)


def jwks(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The public key set: current, next, and retired keys still in their grace period."""
    limit = db.now() - grace_seconds(engine)
    published = [
        k.public_jwk for k in list_keys(engine)
        if k.state in ("current", "next")
        or (k.state == "retired" and (k.retired_at or 0) >= limit)
    ]
    return {"keys": published}
