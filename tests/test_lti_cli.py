"""`lcmodules lti` commands: database, keys and their rotation, registrations, LMS config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli

pytest.importorskip("flask")

from cryptography.hazmat.primitives.serialization import load_pem_public_key  # noqa: E402
from sqlalchemy import inspect  # noqa: E402

from lcmodules.lti import db, keys  # noqa: E402


@pytest.fixture()
def dbarg(tmp_path: Path) -> list[str]:
    url = f"sqlite:///{tmp_path / 'tool.db'}"
    run_cli("lti", "init", "--db", url, "--base-url", "https://lti.example.org/", check=0)
    return ["--db", url]


def test_init_creates_then_reports_up_to_date(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    first = run_cli("lti", "init", "--db", url, "--base-url", "https://lti.example.org", check=0)
    assert f"created (schema version {db.SCHEMA_VERSION}); 2 new key(s)" in first.stdout
    again = run_cli("lti", "init", "--db", url, check=0)
    assert "up to date" in again.stdout and "0 new key(s)" in again.stdout


def test_the_database_comes_from_the_environment(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(db.ENV_DB, f"sqlite:///{tmp_path / 'env.db'}")
    run_cli("lti", "init", "--base-url", "https://lti.example.org", check=0)
    assert (tmp_path / "env.db").is_file()
    assert "published" in run_cli("lti", "keys", "list", check=0).stdout


def test_commands_before_init_and_bad_input_exit_1_with_a_hint(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.db'}"
    proc = run_cli("lti", "platform", "list", "--db", url, check=1)
    assert "no LTI tool database" in proc.stderr and "run `lcmodules lti init` first" in proc.stderr
    proc = run_cli("lti", "init", "--db", url, "--base-url", "ftp://x", check=1)
    assert "is not a base URL — give e.g." in proc.stderr
    proc = run_cli("lti", "init", "--db", "nosuchdialect://x", check=1)
    assert "cannot use the database URL" in proc.stderr and "Traceback" not in proc.stderr
    run_cli("lti", "config", "--lms", "blackboard", "--db", url, check=2)
    run_cli("lti", "platform", "add", "--db", url, check=2)


def test_a_version_1_database_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    engine = db.connect(url)
    db.MIGRATIONS[0](engine)  # as the first release of the tool made it
    with engine.begin() as conn:
        conn.execute(db.schema_version.insert().values(version=1))
    db.set_setting(engine, "base_url", "https://lti.example.org/")
    assert not inspect(engine).has_table(db.lineitems.name)
    run_cli("lti", "init", "--db", url, check=0)
    assert db.current_version(engine) == db.SCHEMA_VERSION == 2
    assert inspect(engine).has_table(db.lineitems.name) and inspect(engine).has_table("lti_columns")
    assert db.get_setting(engine, "base_url") == "https://lti.example.org/"


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    engine = db.connect(url)
    db.migrate(engine)
    with engine.begin() as conn:
        conn.execute(db.schema_version.update().values(version=db.SCHEMA_VERSION + 1))
    proc = run_cli("lti", "init", "--db", url, check=1)
    assert "newer than this lcmodules" in proc.stderr


def test_platforms_are_keyed_by_issuer_and_client_id(dbarg: list[str], tmp_path: Path) -> None:
    run_cli("lti", "platform", "add", *dbarg, "--lms", "canvas", "--client-id", "10000000000001",
            check=0)
    run_cli("lti", "platform", "add", *dbarg, "--lms", "canvas", "--client-id", "10000000000002",
            check=0)  # Canvas: one issuer for every school
    again = run_cli("lti", "platform", "add", *dbarg, "--lms", "canvas", "--client-id",
                    "10000000000001", check=1)
    assert "registered already" in again.stderr
    run_cli("lti", "platform", "add", *dbarg, "--lms", "moodle", "--issuer",
            "https://moodle.example.org/", "--client-id", "abc", check=0)
    run_cli("lti", "platform", "add", *dbarg, "--lms", "brightspace", "--issuer",
            "https://school.brightspace.com", "--client-id", "guid-1", check=0)
    found = {(p["issuer"], p["client_id"]): p
             for p in json.loads(run_cli("lti", "platform", "list", *dbarg, "--json", check=0).stdout)}
    assert len(found) == 4
    canvas = found[("https://canvas.instructure.com", "10000000000002")]
    assert canvas["jwks_url"] == "https://sso.canvaslms.com/api/lti/security/jwks"
    moodle = found[("https://moodle.example.org", "abc")]
    assert moodle["login_url"] == "https://moodle.example.org/mod/lti/auth.php"
    assert moodle["token_audience"] == "https://moodle.example.org/mod/lti/token.php"
    bright = found[("https://school.brightspace.com", "guid-1")]
    assert bright["token_audience"] == "https://api.brightspace.com/auth/token"
    missing = run_cli("lti", "platform", "add", *dbarg, "--lms", "moodle", "--client-id", "x",
                      check=1)
    assert "needs its issuer — give --issuer" in missing.stderr
    run_cli("lti", "platform", "remove", *dbarg, "--issuer", "https://canvas.instructure.com",
            "--client-id", "10000000000001", check=0)
    assert len(json.loads(run_cli("lti", "platform", "list", *dbarg, "--json").stdout)) == 3


def test_deployments(dbarg: list[str]) -> None:
    run_cli("lti", "platform", "add", *dbarg, "--lms", "moodle", "--issuer",
            "https://m.example.org", "--client-id", "c1", check=0)
    where = ["--issuer", "https://m.example.org", "--client-id", "c1"]
    run_cli("lti", "deployment", "add", *dbarg, *where, "7", check=0)
    assert "registered already" in run_cli("lti", "deployment", "add", *dbarg, *where, "7",
                                           check=1).stderr
    rows = json.loads(run_cli("lti", "deployment", "list", *dbarg, "--json", check=0).stdout)
    assert rows == [{"issuer": "https://m.example.org", "client_id": "c1", "deployment_id": "7"}]
    run_cli("lti", "deployment", "remove", *dbarg, *where, "7", check=0)
    assert "no deployment 7" in run_cli("lti", "deployment", "remove", *dbarg, *where, "7",
                                        check=1).stderr
    assert "no platform with issuer" in run_cli(
        "lti", "deployment", "add", *dbarg, "--issuer", "https://x.org", "--client-id", "c", "1",
        check=1).stderr


def test_config_prints_what_the_administrator_pastes(dbarg: list[str]) -> None:
    values = json.loads(run_cli("lti", "config", *dbarg, "--lms", "moodle", "--json",
                                check=0).stdout)
    assert values["login_url"] == "https://lti.example.org/lti/login"
    assert values["redirect_uri"] == values["target_link_uri"] == "https://lti.example.org/lti/launch"
    assert values["jwks_url"] == "https://lti.example.org/lti/jwks"
    public = load_pem_public_key(values["public_key_pem"].encode())
    current = keys.current_key(db.ready(dbarg[1]))
    assert keys.public_jwk(public)["kid"] == current.kid  # type: ignore[arg-type]
    canvas = json.loads(run_cli("lti", "config", *dbarg, "--lms", "canvas", "--json").stdout)
    dev = canvas["canvas_developer_key"]
    assert dev["oidc_initiation_url"] == values["login_url"]
    assert dev["public_jwk_url"] == values["jwks_url"]
    assert {p["message_type"] for p in dev["extensions"][0]["settings"]["placements"]} == {
        "LtiDeepLinkingRequest"}
    text = run_cli("lti", "config", *dbarg, "--lms", "brightspace", check=0).stdout
    assert "Login url: https://lti.example.org/lti/login" in text and "BEGIN PUBLIC KEY" in text


def test_kid_is_the_rfc7638_thumbprint() -> None:
    # RFC 7638 §3.1's example key and thumbprint
    jwk = {"kty": "RSA", "e": "AQAB", "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP"
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY"
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f"
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")}
    assert keys.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_rotation_next_current_retired_and_the_grace(dbarg: list[str]) -> None:
    engine = db.ready(dbarg[1])
    before = {k.state: k.kid for k in keys.list_keys(engine)}
    rotated = run_cli("lti", "keys", "rotate", *dbarg, check=0).stdout
    after = {k.kid: k.state for k in keys.list_keys(engine)}
    assert after[before["current"]] == "retired" and after[before["next"]] == "current"
    assert f"current key {before['next']}" in rotated
    published = {k["kid"] for k in keys.jwks(engine)["keys"]}
    assert published == set(after)  # current, next and the retired one in its grace
    db.set_setting(engine, keys.GRACE_SETTING, "0")
    assert before["current"] not in {k["kid"] for k in keys.jwks(engine)["keys"]}
    db.set_setting(engine, keys.GRACE_SETTING, str(keys.DEFAULT_GRACE))
    run_cli("lti", "keys", "retire", *dbarg, before["current"], check=0)
    gone = next(k for k in keys.list_keys(engine) if k.kid == before["current"])
    assert gone.state == "expired" and gone.private_pem is None
    assert gone.kid not in {k["kid"] for k in keys.jwks(engine)["keys"]}
    assert "no retired key" in run_cli("lti", "keys", "retire", *dbarg, "nope", check=1).stderr
    # a thumbprint is base64url and may begin with "-": it is a KID, never an unknown option
    assert "no retired key" in run_cli("lti", "keys", "retire", "-kNope", *dbarg, check=1).stderr
    listed = json.loads(run_cli("lti", "keys", "list", *dbarg, "--json", check=0).stdout)
    assert sorted(r["state"] for r in listed) == ["current", "expired", "next"]


def test_serve_answers_with_the_jwks(dbarg: list[str]) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "lcmodules", "lti", "serve", *dbarg,
                             "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "NO_COLOR": "1"})
    try:
        for _ in range(100):
            try:
                body = requests.get(f"http://127.0.0.1:{port}/lti/jwks", timeout=2).json()
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("lti serve did not answer")
        assert len(body["keys"]) == 2
    finally:
        proc.terminate()
        proc.wait(10)
