"""The tool's WSGI application (Flask): login, launch, JWKS and the pages after a launch."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, jsonify, redirect, render_template, request
from sqlalchemy import Engine
from werkzeug.wrappers import Response as BaseResponse

from lcmodules.core.strings import (
    FALLBACK,
    N_,
    catalogue_languages,
    format_number,
    interface_language,
    translator,
)
from lcmodules.lti import deeplink, keys, launch, serving
from lcmodules.lti.errors import LtiError
from lcmodules.lti.platforms import list_platforms
from lcmodules.lti.toolconfig import base_url

BROWSER_COOKIE = "lcm_lti_browser"  # binds a login's state to the browser that started it
SESSION_COOKIE = "lcm_lti_session"  # the server-side session after a launch


def create_app(engine: Engine) -> Flask:
    """The tool as a WSGI application on an initialised database."""
    app = Flask(__name__)
    app.config["LTI_ENGINE"] = engine
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: translator(page_language()).gettext(message),
        lambda singular, plural, n: translator(page_language()).ngettext(singular, plural, n),
        newstyle=False)
    app.context_processor(lambda: {
        "language": interface_language(page_language()),
        "number": lambda value: format_number(value, page_language())})
    app.register_error_handler(LtiError, _error_page)
    app.after_request(_security_headers)
    app.add_url_rule("/lti/jwks", "jwks", _jwks)
    app.add_url_rule("/lti/login", "login", _login, methods=["GET", "POST"])
    app.add_url_rule("/lti/launch", "launch", _launch, methods=["POST"])
    app.add_url_rule("/lti/deep-link", "deep_link", _deep_link, methods=["GET", "POST"])
    app.add_url_rule("/lti/grade/<digest>", "grade", _grade, methods=["POST"])
    app.add_url_rule("/lti/members", "members", _members)
    app.add_url_rule("/lti/r/<digest>/<path:path>", "release_file", _release_file)
    return app


def engine() -> Engine:
    """The database of the running app."""
    from flask import current_app

    found: Engine = current_app.config["LTI_ENGINE"]
    return found


def set_cookie(response: BaseResponse, name: str, value: str, max_age: int | None = None) -> None:
    """A cookie that a framed tool gets back: `SameSite=None; Secure; Partitioned` over https;
    over plain http (local testing only) `SameSite=Lax`, as browsers refuse Secure there."""
    secure = base_url(engine()).startswith("https://")
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=True, secure=secure,
                        samesite="None" if secure else "Lax", partitioned=secure)


def page_language() -> str:
    """The language of the tool's own pages: the launch's `locale` (the user's language in the
    LMS), else the browser's preferred language the catalogues have, else English."""
    session = g.get("lti_session")
    locale = session[0].claims.get("locale") if session else None
    if locale:
        return str(locale)
    return request.accept_languages.best_match(catalogue_languages()) or FALLBACK


def _security_headers(response: Response) -> Response:
    origins = sorted({p.origin() for p in list_platforms(engine())})
    response.headers["Content-Security-Policy"] = (
        f"frame-ancestors 'self' {' '.join(origins)}".strip())
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _error_page(error: LtiError) -> tuple[str, int]:
    return render_template("lti_error.html", error=error), error.status


def _jwks() -> Response:
    response = jsonify(keys.jwks(engine()))
    response.headers["Cache-Control"] = "max-age=300"
    return response


def _login() -> BaseResponse:
    params = {k: str(v) for k, v in (request.form if request.method == "POST" else request.args).items()}
    browser = request.cookies.get(BROWSER_COOKIE) or secrets.token_urlsafe(32)
    response = redirect(launch.begin_login(engine(), params, browser), code=302)
    set_cookie(response, BROWSER_COOKIE, browser, max_age=int(launch.setting(engine(), "state_seconds")))
    return response


def _launch() -> BaseResponse:
    done = launch.complete_launch(engine(), dict(request.form), request.cookies.get(BROWSER_COOKIE))
    target = "/lti/deep-link"
    if done.message_type == launch.RESOURCE_LINK:
        digest, page = serving.landing(engine(), done.claims["custom"])
        done.claims["release"] = digest
        target = f"/lti/r/{digest}/{page}"
    secret, _csrf = launch.open_session(engine(), done)
    response = redirect(target, code=303)
    set_cookie(response, SESSION_COOKIE, secret,
               max_age=int(launch.setting(engine(), "session_seconds")))
    return response


def current() -> tuple[launch.Launch, str]:
    """The launch and CSRF token of this request's session; LtiError (401) without one."""
    if "lti_session" not in g:
        g.lti_session = launch.find_session(engine(), request.cookies.get(SESSION_COOKIE))
    if g.lti_session is None:
        raise LtiError(N_("no session (it expired, or the browser blocks the tool's cookies)"),
                       N_("open the activity again from the LMS"), 401)
    found: tuple[launch.Launch, str] = g.lti_session
    return found


def _release_file(digest: str, path: str) -> Response:
    """A file of the release this session launched; pages get the grade URL and CSRF token."""
    done, csrf = current()
    if done.claims.get("release") != digest:
        raise LtiError(N_("this page belongs to another activity"), N_("open it from the LMS"), 403)
    data, mime = serving.file_of(engine(), digest, path)
    if mime == "text/html":
        data = serving.with_meta(data, f"/lti/grade/{digest}", csrf)
        return Response(data, mimetype=mime)
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    return response


def check_csrf(token: str | None) -> tuple[launch.Launch, str]:
    """The session, when `token` is its CSRF token; LtiError (403) otherwise."""
    done, csrf = current()
    if not token or not secrets.compare_digest(token, csrf):
        raise LtiError(N_("the form's CSRF token is missing or wrong"), N_("reload the page"), 403)
    return done, csrf


def _deep_link() -> str:
    """The instructor's pick (GET) and the signed response posted back to the LMS (POST)."""
    if request.method == "GET":
        done, csrf = current()
        if done.message_type != launch.DEEP_LINKING:
            raise LtiError(N_("this page is for adding modules"),
                           N_("use the LMS's add-activity flow"), 403)
        choices = deeplink.catalogue(engine())
        return render_template("lti_deep_link.html", choices=choices, csrf=csrf,
                               policies=deeplink.policies(choices))
    done, _csrf = check_csrf(request.form.get("csrf"))
    action, token = deeplink.response_jwt(engine(), done, request.form.getlist("item"),
                                          request.form.get("policy", "latest"))
    return render_template("lti_post.html", action=action, jwt=token)


def _grade(digest: str) -> Response:
    """lc.js posts a quiz's answers here; the server grades and sends the score (AGS)."""
    from lcmodules.lti import grading

    done, _csrf = check_csrf(request.headers.get("X-CSRF-Token"))
    if done.claims.get("release") != digest:
        raise LtiError(N_("this quiz belongs to another activity"), N_("open it from the LMS"), 403)
    return jsonify(grading.grade(engine(), done, digest, request.get_json(silent=True)).to_json())


def _members() -> Response:
    """The course's members for an instructor (NRPS): pseudonymous subs and roles only."""
    from lcmodules.lti import services
    from lcmodules.lti.platforms import get_platform

    done, _csrf = current()
    url = (done.claims.get("nrps") or {}).get("context_memberships_url")
    if not done.instructor or not url:
        raise LtiError("the member list is for instructors of a course with Names and Roles",
                       "open the tool as an instructor", 403)
    platform = get_platform(engine(), done.platform_id)
    return jsonify({"members": services.members(engine(), platform, url)})
