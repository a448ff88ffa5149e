"""LTI Advantage services: OAuth2 client-credentials tokens, AGS line items and scores, NRPS."""

from __future__ import annotations

import secrets
import threading
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from sqlalchemy import Engine

from lcmodules.lti import db, jose
from lcmodules.lti.errors import LtiError
from lcmodules.lti.platforms import Platform

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
MEMBERS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
BACKDATE = 5  # seconds: Moodle's token.php allows no clock skew on the assertion's iat
TIMEOUT = 15.0
MAX_PAGES = 100

# (token URL, client id, scopes) -> (token, expiry); per process, as each worker asks its own
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}
_lock = threading.Lock()


def _failed(what: str, exc: Exception) -> LtiError:
    return LtiError(f"the LMS refused or did not answer {what}: {exc}",
                    "`lcmodules lti scores retry` sends waiting scores again", 502)


def access_token(engine: Engine, platform: Platform, scopes: list[str]) -> str:
    """A bearer token for `scopes` (cached until shortly before it expires)."""
    key = (platform.token_url, platform.client_id, " ".join(sorted(scopes)))
    with _lock:
        cached = _tokens.get(key)
    if cached and cached[1] > db.now():
        return cached[0]
    now = int(db.now()) - BACKDATE
    assertion = jose.sign(engine, {
        "iss": platform.client_id, "sub": platform.client_id, "aud": platform.token_audience,
        "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(16)})
    try:
        response = requests.post(platform.token_url, timeout=TIMEOUT, data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion, "scope": key[2]})
        response.raise_for_status()
        body = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise _failed("the access token request", exc) from None
    token = str(body["access_token"])
    with _lock:
        _tokens[key] = (token, db.now() + float(body.get("expires_in", 3600)) - 30)
    return token


def _pages(url: str, token: str, accept: str) -> list[Any]:
    """Every page of a paginated GET (`Link: <…>; rel="next"`), as parsed JSON."""
    found: list[Any] = []
    for _ in range(MAX_PAGES):
        response = requests.get(url, timeout=TIMEOUT, headers={
            "Authorization": f"Bearer {token}", "Accept": accept})
        response.raise_for_status()
        found.append(response.json())
        url = response.links.get("next", {}).get("url", "")
        if not url:
            break
    return found


def with_query(url: str, **params: str) -> str:
    """`url` with `params` added to its query (kept as it is otherwise)."""
    parts = urlsplit(url)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def scores_url(lineitem: str) -> str:
    """`<lineitem path>/scores`, keeping the line item URL's query (Moodle's carries one)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


class LineItemGone(LtiError):
    """The LMS no longer has the line item (a teacher deleted the column)."""


def find_or_create_lineitem(engine: Engine, platform: Platform, lineitems: str, resource_id: str,
                            tag: str, label: str, maximum: float) -> str:
    """The URL of the line item with this resourceId and tag; made when there is none. Callers
    make sure one worker at a time does this per column (grading's lease), or the LMS gets twins."""
    token = access_token(engine, platform, [SCOPE_LINEITEM, SCOPE_SCORE])
    return _find_or_create(lineitems, token, resource_id, tag, label, maximum)


def _find_or_create(lineitems: str, token: str, resource_id: str, tag: str, label: str,
                    maximum: float) -> str:
    try:
        pages = _pages(with_query(lineitems, resource_id=resource_id, tag=tag), token, LINEITEMS)
        for item in (i for page in pages for i in page):
            if item.get("resourceId") == resource_id and item.get("tag") == tag:
                return str(item["id"])
        response = requests.post(lineitems, timeout=TIMEOUT, json={
            "label": label, "scoreMaximum": maximum, "resourceId": resource_id, "tag": tag},
            headers={"Authorization": f"Bearer {token}", "Content-Type": LINEITEM,
                     "Accept": LINEITEM})
        response.raise_for_status()
        return str(response.json()["id"])
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise _failed("the line item request", exc) from None


def post_score(engine: Engine, platform: Platform, lineitem: str, score: dict[str, Any]) -> None:
    """POST one score to a line item."""
    token = access_token(engine, platform, [SCOPE_LINEITEM, SCOPE_SCORE])
    try:
        response = requests.post(scores_url(lineitem), timeout=TIMEOUT, json=score, headers={
            "Authorization": f"Bearer {token}", "Content-Type": SCORE})
        response.raise_for_status()
    except requests.RequestException as exc:
        if exc.response is not None and exc.response.status_code in (404, 410):
            raise LineItemGone(f"the LMS has no line item {lineitem} any more",
                               "the next try finds or makes the column again", 502) from None
        raise _failed("the score", exc) from None


def members(engine: Engine, platform: Platform, url: str) -> list[dict[str, Any]]:
    """The context's members (every page), keeping only the pseudonymous `sub` and roles."""
    token = access_token(engine, platform, [SCOPE_NRPS])
    try:
        pages = _pages(url, token, MEMBERS)
    except (requests.RequestException, ValueError) as exc:
        raise _failed("the membership request", exc) from None
    return [{"sub": str(m["user_id"]), "roles": list(m.get("roles", [])),
             "status": m.get("status", "Active")}
            for page in pages for m in page.get("members", [])]
