"""`lcmodules lti …`: the LTI 1.3 tool's database, keys, registrations and server."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from lcmodules.cli.common import console, out

EXTRA = {"flask", "werkzeug", "sqlalchemy", "jwt", "cryptography", "requests", "waitress", "psycopg"}
LMS = click.Choice(["moodle", "canvas", "brightspace", "other"])
DB_OPTION = click.option("--db", "db_url", default=None, metavar="URL",
                         help="Database URL (default: $LCMODULES_LTI_DB, else "
                              "sqlite:///lcmodules-lti.db here).")


def guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Run a subcommand: a missing extra or an LtiError → `what — how to fix`, exit 1."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        from lcmodules.lti.errors import LtiError

        try:
            return func(*args, **kwargs)
        except ModuleNotFoundError as exc:
            if (exc.name or "").split(".")[0] not in EXTRA:
                raise
            console.print(f"[red]lcmodules lti: {exc.name} is not installed[/] — "
                          "install the tool with pip install 'lcmodules[lti]'")
            sys.exit(1)
        except LtiError as exc:
            console.print(f"[red]lcmodules lti: {exc.message}[/]"
                          + (f" — {exc.hint}" if exc.hint else ""), markup=True)
            sys.exit(1)

    return run


def _ready(db_url: str | None, threads: int = 8) -> Any:
    from lcmodules.lti.db import ready

    return ready(db_url, threads)


@click.group("lti")
def command() -> None:
    """The LTI 1.3 tool: serve released modules to Brightspace, Canvas and Moodle
    (pip install 'lcmodules[lti]'; see docs/lti.md)."""


@command.command("init")
@DB_OPTION
@click.option("--base-url", default=None, help="The tool's public URL, e.g. https://lti.example.org.")
@guarded
def init(db_url: str | None, base_url: str | None) -> None:
    """Create or migrate the database and make the first signing keys."""
    from lcmodules.lti import db, keys, toolconfig

    engine = db.connect(db_url)
    before, after = db.migrate(engine)
    if base_url:
        db.set_setting(engine, toolconfig.BASE_URL, toolconfig.check_base_url(base_url))
    made = keys.ensure_keys(engine)
    state = "created" if before == 0 else ("migrated" if before != after else "up to date")
    out.print(f"Database {state} (schema version {after}); {len(made)} new key(s).")
    if not db.get_setting(engine, toolconfig.BASE_URL):
        console.print("[yellow]No base URL yet[/] — run `lcmodules lti init --base-url URL`")


@command.group("keys")
def keys_group() -> None:
    """The tool's signing keys: next → current → retired."""


@keys_group.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@guarded
def keys_list(db_url: str | None, as_json: bool) -> None:
    """Every key with its state and whether the JWKS publishes it."""
    from lcmodules.lti import keys

    engine = _ready(db_url)
    published = {k["kid"] for k in keys.jwks(engine)["keys"]}
    rows = [{"kid": k.kid, "state": k.state, "published": k.kid in published,
             "created_at": k.created_at, "retired_at": k.retired_at} for k in keys.list_keys(engine)]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        out.print(f"{row['kid']}  {row['state']:<8} {'published' if row['published'] else '-'}",
                  markup=False)


@keys_group.command("rotate")
@DB_OPTION
@guarded
def keys_rotate(db_url: str | None) -> None:
    """Sign with the next key from now on; the old one stays published during the grace."""
    from lcmodules.lti import keys

    current, new_next = keys.rotate(_ready(db_url))
    out.print(f"current key {current}; next key {new_next}", markup=False)


class _KidCommand(click.Command):
    """A command whose KID may begin with "-" (a key thumbprint is base64url): it is never read as an option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        options, positional, pending_value = [], [], False
        for arg in args:
            if pending_value or arg in {"--db", "-h", "--help"} or arg.startswith("--db="):
                options.append(arg)
                pending_value = arg == "--db"
            elif arg != "--":
                positional.append(arg)
        return super().parse_args(ctx, [*options, "--", *positional])


@keys_group.command("retire", cls=_KidCommand)
@DB_OPTION
@click.argument("kid", required=False)
@guarded
def keys_retire(db_url: str | None, kid: str | None) -> None:
    """End the grace of the retired keys (or of KID): no longer published or usable."""
    from lcmodules.lti import keys

    done = keys.retire(_ready(db_url), kid)
    out.print(f"{len(done)} key(s) retired for good", markup=False)


@command.group("platform")
def platform_group() -> None:
    """LMS registrations, keyed by issuer and client id."""


@platform_group.command("add")
@DB_OPTION
@click.option("--lms", type=LMS, required=True, help="Fills in the endpoints an LMS uses.")
@click.option("--issuer", default=None, help="The platform's issuer (Canvas: preset).")
@click.option("--client-id", required=True, help="The client id the LMS gave the tool.")
@click.option("--name", default=None)
@click.option("--login-url", default=None)
@click.option("--token-url", default=None)
@click.option("--jwks-url", default=None)
@click.option("--token-audience", default=None, help="The aud of the client assertion.")
@click.option("--public-key", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="The platform's public key (PEM), instead of its JWKS.")
@guarded
def platform_add(db_url: str | None, lms: str, client_id: str, public_key: Path | None,
                 **given: str | None) -> None:
    """Register a platform."""
    from lcmodules.lti import platforms

    pem = public_key.read_text("ascii") if public_key else None
    found = platforms.add_platform(_ready(db_url), lms, client_id, public_key_pem=pem, **given)
    out.print(f"platform {found.id}: {found.issuer} client {found.client_id}", markup=False)


@platform_group.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
@guarded
def platform_list(db_url: str | None, as_json: bool) -> None:
    """Every registered platform."""
    from lcmodules.lti import platforms

    found = platforms.list_platforms(_ready(db_url))
    if as_json:
        click.echo(json.dumps([p.to_json() for p in found], indent=2))
        return
    for p in found:
        out.print(f"{p.id}  {p.lms:<11} {p.issuer}  client {p.client_id}", markup=False)


@platform_group.command("remove")
@DB_OPTION
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@guarded
def platform_remove(db_url: str | None, issuer: str, client_id: str) -> None:
    """Remove a registration and its deployments."""
    from lcmodules.lti import platforms

    platforms.remove_platform(_ready(db_url), issuer, client_id)
    out.print("removed")


@command.group("deployment")
def deployment_group() -> None:
    """The deployment ids a platform launches with."""


def _deployment_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([DB_OPTION, click.option("--issuer", required=True),
                            click.option("--client-id", required=True),
                            click.argument("deployment_id")]):
        func = option(func)
    return func


@deployment_group.command("add")
@_deployment_options
@guarded
def deployment_add(db_url: str | None, issuer: str, client_id: str, deployment_id: str) -> None:
    """Register a deployment id of a platform."""
    from lcmodules.lti import platforms

    platforms.add_deployment(_ready(db_url), issuer, client_id, deployment_id)
    out.print(f"deployment {deployment_id} added", markup=False)


@deployment_group.command("remove")
@_deployment_options
@guarded
def deployment_remove(db_url: str | None, issuer: str, client_id: str, deployment_id: str) -> None:
    """Remove a deployment id."""
    from lcmodules.lti import platforms

    platforms.remove_deployment(_ready(db_url), issuer, client_id, deployment_id)
    out.print(f"deployment {deployment_id} removed", markup=False)


@deployment_group.command("list")
@DB_OPTION
@click.option("--json", "as_json", is_flag=True)
@guarded
def deployment_list(db_url: str | None, as_json: bool) -> None:
    """Every deployment with its platform."""
    from lcmodules.lti import platforms

    rows = [{"issuer": p.issuer, "client_id": p.client_id, "deployment_id": d}
            for p, d in platforms.list_deployments(_ready(db_url))]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        out.print(f"{row['deployment_id']}  {row['issuer']}  client {row['client_id']}",
                  markup=False)


@command.command("config")
@DB_OPTION
@click.option("--lms", type=LMS, required=True)
@click.option("--json", "as_json", is_flag=True)
@guarded
def config(db_url: str | None, lms: str, as_json: bool) -> None:
    """Print what an administrator pastes into the LMS."""
    from lcmodules.lti import toolconfig

    values = toolconfig.tool_config(_ready(db_url), lms)
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    for name, value in values.items():
        if name == "canvas_developer_key":
            click.echo(f"Canvas developer key (Paste JSON):\n{json.dumps(value, indent=2)}")
        elif name == "public_key_pem":
            click.echo(f"Public key (PEM, for a registration by key):\n{value}")
        else:
            click.echo(f"{name.replace('_', ' ').capitalize()}: {value}")


@command.command("serve")
@DB_OPTION
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8800, show_default=True)
@click.option("--base-url", default=None, help="Store a new public URL before serving.")
@click.option("--threads", type=click.IntRange(1, 256), default=8, show_default=True)
@guarded
def serve(db_url: str | None, host: str, port: int, base_url: str | None, threads: int) -> None:
    """Serve the tool with waitress (production: behind a TLS proxy)."""
    import waitress  # type: ignore[import-untyped]

    from lcmodules.lti import db, toolconfig
    from lcmodules.lti.app import create_app

    engine = _ready(db_url, threads)
    if base_url:
        db.set_setting(engine, toolconfig.BASE_URL, toolconfig.check_base_url(base_url))
    app = create_app(engine)
    click.echo(f"LTI tool at {toolconfig.base_url(engine)} (listening on {host}:{port})")
    waitress.serve(app, host=host, port=port, threads=threads)


@command.command("publish")
@DB_OPTION
@click.argument("course", required=False, default=".",
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@guarded
def publish(db_url: str | None, course: Path) -> None:
    """Store each module's released version (learner pages, quiz definitions) for serving."""
    from lcmodules.cli.common import load_valid
    from lcmodules.lti import store

    engine = _ready(db_url)
    results = store.publish(engine, load_valid([course]))
    for r in results:
        colour = {"published": "green", "up to date": "", "skipped": "yellow"}.get(r.outcome, "red")
        line = f"{r.module_id} {r.version}: {r.outcome}" + (f" — {r.reason}" if r.reason else "")
        (out if r.outcome in ("published", "up to date") else console).print(
            line, style=colour or None, markup=False)
    if any(r.outcome == "conflict" for r in results):
        sys.exit(1)


@command.group("scores")
def scores_group() -> None:
    """The score outbox: scores waiting for the LMS."""


@scores_group.command("list")
@DB_OPTION
@click.option("--state", type=click.Choice(["pending", "sending", "sent", "superseded"]),
              default=None)
@click.option("--json", "as_json", is_flag=True)
@guarded
def scores_list(db_url: str | None, state: str | None, as_json: bool) -> None:
    """Every score in the outbox (or those of one state)."""
    from lcmodules.lti import grading

    rows = grading.outbox(_ready(db_url), state)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        out.print(f"{r['id']}  {r['state']:<10} {r['resource_id']} {r['tag']}  "
                  f"{r['score_given']:g}/{r['score_maximum']:g}  tries {r['tries']}"
                  + (f"  {r['last_error']}" if r["last_error"] and r["state"] == "pending" else ""),
                  markup=False)


@scores_group.command("retry")
@DB_OPTION
@guarded
def scores_retry(db_url: str | None) -> None:
    """Send every waiting score again (each at most once; exit 1 while some still wait)."""
    from lcmodules.lti import grading

    sent, waiting = grading.retry(_ready(db_url))
    out.print(f"{sent} sent, {waiting} still waiting", markup=False)
    if waiting:
        console.print("[yellow]the LMS did not take every score[/] — run retry again later")
        sys.exit(1)


@command.command("purge")
@DB_OPTION
@click.option("--older-than", "days", type=click.FloatRange(0), default=None, metavar="DAYS",
              help="Retention in days (default: the setting retention_days, 365).")
@click.option("--sub", default=None, help="Erase everything of this learner (their LMS `sub`).")
@guarded
def purge(db_url: str | None, days: float | None, sub: str | None) -> None:
    """Delete learner data past retention, or all of one learner (AVG/GDPR)."""
    from lcmodules.lti import privacy

    counts = privacy.purge(_ready(db_url), days, sub)
    out.print(", ".join(f"{n} {name.removeprefix('lti_')}" for name, n in counts.items())
              + " deleted", markup=False)
