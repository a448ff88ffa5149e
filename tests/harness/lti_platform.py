"""A test LTI 1.3 platform of our own: a real RSA key signing real JWTs, served over real HTTP.

It plays the LMS's part: its JWKS, the OIDC auth endpoint (answers with the form an LMS posts
to the tool), and the tool's server in a thread; `Browser` follows a launch like a browser does.
"""

from __future__ import annotations

import html
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
AGS_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def new_key() -> tuple[rsa.RSAPrivateKey, str]:
    """A fresh RSA key and a kid for it."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), uuid.uuid4().hex


@contextmanager
def serve_wsgi(app: Any) -> Iterator[str]:
    """Serve a WSGI app on 127.0.0.1 in a thread; yields its http://host:port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@dataclass
class TestPlatform:
    """The LMS: what its next id_token says is set on it before a launch."""

    client_id: str = "tool-client-1"
    deployment_id: str = "dep-1"
    issuer: str = ""
    key: rsa.RSAPrivateKey = field(default_factory=lambda: new_key()[0])
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    skew: float = 0.0  # seconds the platform's clock is ahead (+) or behind (-)
    lifetime: float = 60.0  # Moodle's id_token lives 60 s
    message_type: str = "LtiResourceLinkRequest"
    overrides: dict[str, Any] = field(default_factory=dict)  # claims replaced (None: removed)
    signing_key: tuple[Any, str, str] | None = None  # (key, kid, alg) instead of ours
    issued: list[str] = field(default_factory=list)
    tool_jwks: str = ""  # the tool's JWKS URL: deep-linking responses are checked against it
    deep_links: list[dict[str, Any]] = field(default_factory=list)  # verified responses
    lineitems: list[dict[str, Any]] = field(default_factory=list)  # AGS columns
    scores: list[dict[str, Any]] = field(default_factory=list)  # (lineitem id, score) received
    graded_at: dict[tuple[str, str], int] = field(default_factory=dict)  # (lineitem, user) -> s
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> scopes
    token_requests: int = 0
    down: bool = False  # the LMS answers 503 to scores
    members: list[dict[str, Any]] = field(default_factory=list)
    sub_from_hint: bool = False  # each login_hint its own learner (concurrent learners)
    search_delay: float = 0.0  # seconds a line item search takes (widens a search-then-create race)

    __test__ = False  # not a pytest class

    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()

    def jwks(self) -> dict[str, Any]:
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def claims(self, nonce: str, target: str, hint: str = "") -> dict[str, Any]:
        now = time.time() + self.skew
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id,
            "sub": hint if self.sub_from_hint and hint else "learner-sub-1",
            "iat": int(now), "exp": int(now + self.lifetime), "nonce": nonce,
            "name": "Should Not Be Kept", "email": "learner@example.org",
            CLAIM + "message_type": self.message_type, CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id, CLAIM + "target_link_uri": target,
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "resource_link": {"id": "rl-1", "title": "Module"},
            CLAIM + "context": {"id": "course-1", "title": "Course"},
        }
        claims[AGS] = {"scope": [AGS_SCOPE + "lineitem", AGS_SCOPE + "score"],
                       "lineitems": f"{self.issuer}/lineitems?type_id=7"}
        claims[NRPS] = {"context_memberships_url": f"{self.issuer}/members",
                        "service_versions": ["2.0"]}
        if self.message_type == "LtiDeepLinkingRequest":
            claims[CLAIM + "roles"] = [
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
            del claims[CLAIM + "resource_link"]
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets":
                ["iframe", "window"], "accept_multiple": True, "data": "opaque-42"}
        for name, value in self.overrides.items():
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return claims

    def id_token(self, nonce: str, target: str, hint: str = "") -> str:
        key, kid, alg = self.signing_key or (self.key, self.kid, "RS256")
        token = jwt.encode(self.claims(nonce, target, hint), key, algorithm=alg, headers={"kid": kid})
        self.issued.append(token)
        return token

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        if request.path == "/jwks":
            response = Response(_json(self.jwks()), content_type="application/json")
        elif request.path == "/auth":
            response = self._auth(request)
        elif request.path == "/deep-link-return":
            response = self._deep_link_return(request)
        elif request.path == "/token":
            response = self._token(request)
        elif request.path in ("/lineitems", "/members") or request.path.startswith("/lineitems/"):
            response = self._service(request)
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _deep_link_return(self, request: Request) -> Response:
        claims = _verify_tool_jwt(self.tool_jwks, request.form["JWT"], self.issuer)
        assert claims["iss"] == self.client_id
        assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
        assert claims[CLAIM + "deployment_id"] == self.deployment_id
        self.deep_links.append(claims)
        return Response("linked", content_type="text/plain")

    def _token(self, request: Request) -> Response:
        form = request.form
        assert form["grant_type"] == "client_credentials"
        assert form["client_assertion_type"].endswith("jwt-bearer")
        claims = _verify_tool_jwt(self.tool_jwks, form["client_assertion"], f"{self.issuer}/token")
        assert claims["iss"] == claims["sub"] == self.client_id and claims["jti"]
        if claims["iat"] > time.time():  # like Moodle's token.php: no leeway at all
            return Response('{"error": "invalid_client"}', status=400)
        self.token_requests += 1
        token = uuid.uuid4().hex
        self.tokens[token] = form["scope"]
        return Response(_json({"access_token": token, "token_type": "Bearer",
                               "expires_in": 3600, "scope": form["scope"]}),
                        content_type="application/json")

    def _service(self, request: Request) -> Response:
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in self.tokens:
            return Response("unauthorised", status=401)
        if request.path == "/members":
            return self._page(request, self.members, "members")
        if request.path == "/lineitems" and request.method == "POST":
            item = {**request.get_json(force=True),
                    "id": f"{self.issuer}/lineitems/{len(self.lineitems) + 1}/lineitem?type_id=7"}
            self.lineitems.append(item)
            return Response(_json(item), status=201, content_type="application/json")
        if request.path == "/lineitems":
            time.sleep(self.search_delay)
            return self._page(request, self.lineitems, None)
        if request.path.endswith("/scores") and request.method == "POST":
            if self.down:
                return Response("maintenance", status=503)
            assert request.args.get("type_id") == "7", "the line item's query was lost"
            assert request.content_type == "application/vnd.ims.lis.v1.score+json"
            lineitem = f"{self.issuer}{request.path.removesuffix('/scores')}?type_id=7"
            assert any(i["id"] == lineitem for i in self.lineitems), lineitem
            score = request.get_json(force=True)
            # like Moodle: the grade keeps whole seconds; a score not later than it is refused
            second = int(datetime.fromisoformat(score["timestamp"]).timestamp())
            if second <= self.graded_at.get((lineitem, score["userId"]), -1):
                return Response("Refusing score with an earlier timestamp", status=409)
            self.graded_at[(lineitem, score["userId"])] = second
            self.scores.append({"lineitem": lineitem, **score})
            return Response("", status=204)
        return Response("not found", status=404)

    def _page(self, request: Request, items: list[Any], key: str | None) -> Response:
        """One item per page, with `Link: rel="next"` (filters ignored: the tool must check)."""
        page = int(request.args.get("page", "1"))
        chunk = items[page - 1:page]
        body = {"id": request.base_url, key: chunk} if key else chunk
        response = Response(_json(body), content_type="application/json")
        if page < len(items):
            response.headers["Link"] = f'<{request.base_url}?page={page + 1}>; rel="next"'
        return response

    def _auth(self, request: Request) -> Response:
        q = request.args
        assert q["client_id"] == self.client_id and q["response_mode"] == "form_post"
        assert q["scope"] == "openid" and q["response_type"] == "id_token"
        token = self.id_token(q["nonce"], q["redirect_uri"], q.get("login_hint", ""))
        form = (f'<form method="post" action="{html.escape(q["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{html.escape(q["state"])}">'
                '</form><script>document.forms[0].submit()</script>')
        return Response(form, content_type="text/html")


def _verify_tool_jwt(jwks_url: str, token: str, audience: str) -> dict[str, Any]:
    kid = jwt.get_unverified_header(token)["kid"]
    keys = requests.get(jwks_url, timeout=10).json()["keys"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key
    return dict(jwt.decode(token, key, algorithms=["RS256"], audience=audience))


def _json(value: Any) -> str:
    import json

    return json.dumps(value)


class Browser:
    """A browser (its own cookies) going through login → platform auth → launch."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def login(self, tool: str, platform: TestPlatform, method: str = "GET",
              **extra: str) -> requests.Response:
        params = {"iss": platform.issuer, "login_hint": "hint-1", "client_id": platform.client_id,
                  "target_link_uri": f"{tool}/lti/launch", "lti_message_hint": "mh", **extra}
        if method == "GET":
            return self.session.get(f"{tool}/lti/login", params=params, allow_redirects=False)
        return self.session.post(f"{tool}/lti/login", data=params, allow_redirects=False)

    def auth_form(self, login: requests.Response) -> dict[str, str]:
        """Follow the login's redirect to the platform; the fields it posts to the tool."""
        assert login.status_code == 302, login.text
        page = self.session.get(login.headers["Location"]).text
        fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
        fields["action"] = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
        return fields

    def post_launch(self, fields: dict[str, str]) -> requests.Response:
        return self.session.post(fields["action"], data={
            "id_token": fields["id_token"], "state": html.unescape(fields["state"])})

    def launch(self, tool: str, platform: TestPlatform, **extra: str) -> requests.Response:
        """The whole launch; the response of the tool's page it ends on."""
        return self.post_launch(self.auth_form(self.login(tool, platform, **extra)))


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class World:
    """A tool (its database and server) and a platform registered in it, both serving."""

    engine: Any
    tool: str
    platform: TestPlatform
    db_url: str


@contextmanager
def lti_world(tmp_path: Any, db_url: str | None = None, publish: Sequence[Any] = (),
              **platform_args: Any) -> Iterator[World]:
    """A fresh tool database (SQLite in tmp_path, or `db_url` emptied first) holding the
    `publish` modules' releases, the tool serving over HTTP, a TestPlatform registered by JWKS
    with one deployment."""
    from lcmodules.lti import db, keys, platforms, store, toolconfig
    from lcmodules.lti.app import create_app

    url = db_url or f"sqlite:///{tmp_path / 'lti.db'}"
    engine = db.connect(url)
    db.metadata.drop_all(engine)
    db.schema_version.drop(engine, checkfirst=True)
    db.migrate(engine)
    keys.ensure_keys(engine)
    for module in publish:
        store.publish_module(engine, module, f"sha256:{module.slug}")
    platform = TestPlatform(**platform_args)
    db.set_setting(engine, toolconfig.BASE_URL, "http://127.0.0.1:1")  # until the port is known
    with serve_wsgi(platform.wsgi) as lms, serve_wsgi(create_app(engine)) as tool:
        db.set_setting(engine, toolconfig.BASE_URL, tool)
        platform.issuer = lms
        platform.tool_jwks = f"{tool}/lti/jwks"
        platforms.add_platform(engine, "other", platform.client_id, issuer=lms,
                               login_url=f"{lms}/auth", token_url=f"{lms}/token",
                               jwks_url=f"{lms}/jwks")
        platforms.add_deployment(engine, lms, platform.client_id, platform.deployment_id)
        yield World(engine, tool, platform, url)


def resource_link(platform: TestPlatform, module_id: str, policy: str = "latest",
                  **custom: str) -> None:
    """The next launches are of a resource link a deep link made for `module_id`."""
    platform.message_type = "LtiResourceLinkRequest"
    platform.overrides[CLAIM + "custom"] = {"lc_module": module_id, "lc_version": policy, **custom}
