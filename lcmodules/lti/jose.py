"""JWTs on PyJWT, the one place of them: platform id_tokens checked, the tool's own signed."""

from __future__ import annotations

import json
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from lcmodules.lti import db
from lcmodules.lti.errors import LtiError
from lcmodules.lti.keys import current_key
from lcmodules.lti.platforms import Platform

ALGORITHM = "RS256"  # the only one LTI 1.3 allows and the only one accepted
JWKS_TTL = 600.0  # seconds a platform's key set is used before it is fetched again
JWKS_REFRESH = 10.0  # an unknown kid fetches the set again, at most this often
HTTP_TIMEOUT = 10.0


def _refused(message: str, hint: str = "start the launch again from the LMS") -> LtiError:
    return LtiError(message, hint, status=401)


def _fetch_jwks(engine: Engine, url: str, max_age: float) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(db.jwks_cache).where(db.jwks_cache.c.url == url)).mappings().first()
    if row is not None and db.now() - row["fetched_at"] < max_age:
        return dict(json.loads(row["body"]))
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise LtiError(f"cannot read the platform's key set {url}: {exc}",
                       "check the JWKS URL of the platform (`lti platform list`)", 502) from None
    try:
        with engine.begin() as conn:
            conn.execute(db.jwks_cache.delete().where(db.jwks_cache.c.url == url))
            conn.execute(db.jwks_cache.insert().values(url=url, body=json.dumps(body),
                                                       fetched_at=db.now()))
    except IntegrityError:
        pass  # another worker stored the set at the same moment: theirs is as fresh as ours
    return dict(body)


def platform_key(engine: Engine, platform: Platform, kid: str | None) -> Any:
    """The public key that signed a token of `platform`: its registered PEM, or `kid` of its JWKS
    (fetched again once when the cached set does not hold the kid)."""
    if platform.public_key_pem:
        return load_pem_public_key(platform.public_key_pem.encode("ascii"))
    assert platform.jwks_url
    for max_age in (JWKS_TTL, JWKS_REFRESH):
        for jwk in _fetch_jwks(engine, platform.jwks_url, max_age).get("keys", []):
            if jwk.get("kid") == kid and jwk.get("kty") == "RSA":
                return jwt.PyJWK(jwk, ALGORITHM).key
    raise _refused(f"the platform's key set has no key '{kid}'",
                   "the LMS signed with a key it does not publish; check its JWKS URL")


def header(token: str) -> dict[str, Any]:
    """The unverified header of a token; only RS256 passes."""
    try:
        found = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise _refused(f"the id_token is not a JWT: {exc}") from None
    if found.get("alg") != ALGORITHM:
        raise _refused(f"the id_token is signed with {found.get('alg')!r}, not RS256")
    return found


def verify(token: str, key: Any, issuer: str, audience: str, leeway: float) -> dict[str, Any]:
    """The claims of a token signed by `key` for `audience` by `issuer`, with exp and iat
    checked within `leeway` seconds; LtiError (401) naming what is wrong otherwise."""
    try:
        claims = jwt.decode(
            token, key, algorithms=[ALGORITHM], audience=audience, issuer=issuer, leeway=leeway,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise _refused("the id_token has expired (or the clocks differ more than the leeway)") from None
    except jwt.ImmatureSignatureError:
        raise _refused("the id_token is issued in the future (the clocks differ more than the leeway)") from None
    except jwt.InvalidAudienceError:
        raise _refused("the id_token is not meant for this tool (aud)",
                       "check the client id of the platform registration") from None
    except jwt.InvalidIssuerError:
        raise _refused("the id_token has another issuer") from None
    except jwt.InvalidSignatureError:
        raise _refused("the id_token's signature does not verify",
                       "check the platform's key (JWKS URL or public key)") from None
    except jwt.PyJWTError as exc:
        raise _refused(f"the id_token is not valid: {exc}") from None
    aud = claims["aud"]
    if (isinstance(aud, list) and len(aud) > 1 and "azp" not in claims) or \
            ("azp" in claims and claims["azp"] != audience):
        raise _refused("the id_token is authorised for another party (azp)",
                       "check the client id of the platform registration")
    return dict(claims)


def sign(engine: Engine, claims: dict[str, Any]) -> str:
    """A JWT of `claims` signed with the tool's current key (kid in the header)."""
    key = current_key(engine)
    assert key.private_pem
    return jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
