"""The tool's database: SQLAlchemy Core tables, the schema version and its migrations."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    inspect,
    select,
)
from sqlalchemy.exc import ArgumentError, OperationalError

from lcmodules.lti.errors import LtiError

ENV_DB = "LCMODULES_LTI_DB"
DEFAULT_DB = "sqlite:///lcmodules-lti.db"
DB_HINT = "give --db sqlite:///FILE.db or postgresql+psycopg://USER@HOST/NAME (or set LCMODULES_LTI_DB)"

metadata = MetaData()

schema_version = Table("lti_schema_version", metadata, Column("version", Integer, nullable=False))

settings = Table(
    "lti_settings", metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

keys = Table(
    "lti_keys", metadata,
    Column("kid", String(64), primary_key=True),
    Column("state", String(16), nullable=False),  # next | current | retired | expired
    Column("private_pem", Text, nullable=True),  # dropped once the key has expired
    Column("public_jwk", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("retired_at", Float, nullable=True),
)

platforms = Table(
    "lti_platforms", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issuer", String(255), nullable=False),
    Column("client_id", String(255), nullable=False),
    Column("lms", String(32), nullable=False),
    Column("name", String(255), nullable=False),
    Column("login_url", Text, nullable=False),
    Column("token_url", Text, nullable=False),
    Column("jwks_url", Text, nullable=True),
    Column("public_key_pem", Text, nullable=True),
    Column("token_audience", Text, nullable=False),
    UniqueConstraint("issuer", "client_id", name="uq_lti_platform"),
)

deployments = Table(
    "lti_deployments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform_id", Integer, ForeignKey("lti_platforms.id", ondelete="CASCADE"), nullable=False),
    Column("deployment_id", String(255), nullable=False),
    UniqueConstraint("platform_id", "deployment_id", name="uq_lti_deployment"),
)

states = Table(
    "lti_states", metadata,
    Column("state", String(64), primary_key=True),
    Column("nonce", String(64), nullable=False),
    Column("browser", String(64), nullable=False),  # sha256 of the browser cookie
    Column("platform_id", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("used", Boolean, nullable=False, default=False),
)

nonces = Table(
    "lti_nonces", metadata,
    Column("platform_id", Integer, primary_key=True),
    Column("nonce", String(255), primary_key=True),
    Column("expires_at", Float, nullable=False),
)

sessions = Table(
    "lti_sessions", metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the session cookie
    Column("csrf", String(64), nullable=False),
    Column("platform_id", Integer, nullable=False),
    Column("deployment_id", String(255), nullable=False),
    Column("sub", String(255), nullable=False),
    Column("message_type", String(64), nullable=False),
    Column("claims", Text, nullable=False),  # JSON: the LTI claims the tool uses, no names or e-mail
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
)

jwks_cache = Table(
    "lti_jwks_cache", metadata,
    Column("url", String(512), primary_key=True),
    Column("body", Text, nullable=False),
    Column("fetched_at", Float, nullable=False),
)

releases = Table(
    "lti_releases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("module_id", String(255), nullable=False),
    Column("version", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("language", String(32), nullable=False),
    Column("fingerprint", String(80), nullable=False),  # the sources' fingerprint (module.lock)
    Column("manifest", String(64), nullable=False),  # digest of the release's manifest blob
    Column("published_at", Float, nullable=False),
    UniqueConstraint("module_id", "version", name="uq_lti_release"),
)

blobs = Table(  # content-addressed: a file stored once, whatever release holds it
    "lti_blobs", metadata,
    Column("digest", String(64), primary_key=True),  # sha256 hex of data
    Column("data", LargeBinary, nullable=False),
)

attempts = Table(  # graded quiz attempts: the pseudonymous sub only
    "lti_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform_id", Integer, nullable=False),
    Column("sub", String(255), nullable=False),
    Column("resource_link", String(255), nullable=False),
    Column("module_id", String(255), nullable=False),
    Column("quiz", String(255), nullable=False),
    Column("release", String(64), nullable=False),
    Column("points", Float, nullable=False),
    Column("max_points", Float, nullable=False),
    Column("created_at", Float, nullable=False),
)

scores = Table(  # the outbox: a score waits here until the LMS has accepted it
    "lti_scores", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform_id", Integer, nullable=False),
    Column("sub", String(255), nullable=False),
    Column("lineitems_url", Text, nullable=True),
    Column("lineitem_url", Text, nullable=True),
    Column("resource_id", String(255), nullable=False),
    Column("tag", String(255), nullable=False),
    Column("label", Text, nullable=False),
    Column("score_given", Float, nullable=False),
    Column("score_maximum", Float, nullable=False),
    Column("timestamp", String(40), nullable=False),
    Column("state", String(16), nullable=False),  # pending | sending | sent
    Column("tries", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float, nullable=True),
)


columns = Table(  # one row per gradebook column and learner: the lock that orders their scores
    "lti_columns", metadata,
    Column("platform_id", Integer, primary_key=True),
    Column("sub", String(255), primary_key=True),
    Column("resource_id", String(255), primary_key=True),
    Column("tag", String(255), primary_key=True),
    Column("touched_at", Float, nullable=False),
)

lineitems = Table(  # the line items found or made, and who is finding one now (a lease)
    "lti_lineitems", metadata,
    Column("platform_id", Integer, primary_key=True),
    Column("container", String(64), primary_key=True),  # sha256 of the line items URL
    Column("resource_id", String(255), primary_key=True),
    Column("tag", String(255), primary_key=True),
    Column("url", Text, nullable=True),
    Column("claimed_at", Float, nullable=False),
)

V1_TABLES = [schema_version, settings, keys, platforms, deployments, states, nonces, sessions,
             jwks_cache, releases, blobs, attempts, scores]


def _v1(engine: Engine) -> None:
    """Version 1: the tables up to the score outbox."""
    metadata.create_all(engine, tables=V1_TABLES)


def _v2(engine: Engine) -> None:
    """Version 2: gradebook column locks and found line items, shared by every worker process."""
    metadata.create_all(engine, tables=[columns, lineitems])


# Migration i brings the schema from version i to i + 1; add new ones at the end, never edit one.
MIGRATIONS: list[Callable[[Engine], None]] = [_v1, _v2]
SCHEMA_VERSION = len(MIGRATIONS)


def database_url(given: str | None) -> str:
    """The database URL: --db, else LCMODULES_LTI_DB, else a SQLite file in the working folder."""
    return given or os.environ.get(ENV_DB) or DEFAULT_DB


def connect(url: str | None = None, threads: int = 8) -> Engine:
    """An engine on the tool's database (not created or migrated: see `migrate`), with a
    connection for each of the server's `threads` so none waits for the pool."""
    url = database_url(url)
    pool = {} if url.startswith("sqlite") else {"pool_size": threads, "max_overflow": threads}
    try:
        engine = create_engine(url, future=True, pool_pre_ping=True, **pool)
    except (ArgumentError, ModuleNotFoundError) as exc:
        raise LtiError(f"cannot use the database URL '{url}': {exc}", DB_HINT) from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def current_version(engine: Engine) -> int:
    """The schema version of the database; 0 when it holds no tool tables."""
    try:
        if not inspect(engine).has_table(schema_version.name):
            return 0
        with engine.connect() as conn:
            return int(conn.execute(select(schema_version.c.version)).scalar() or 0)
    except OperationalError as exc:
        raise LtiError(f"cannot open the database: {exc.orig}", DB_HINT) from None


def migrate(engine: Engine) -> tuple[int, int]:
    """Bring the schema up to SCHEMA_VERSION; (version before, version after)."""
    before = current_version(engine)
    if before > SCHEMA_VERSION:
        raise LtiError(
            f"the database has schema version {before}, newer than this lcmodules ({SCHEMA_VERSION})",
            "upgrade lcmodules before using this database",
        )
    for step in MIGRATIONS[before:]:
        step(engine)
    with engine.begin() as conn:
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=SCHEMA_VERSION))
    return before, SCHEMA_VERSION


def ready(url: str | None = None, threads: int = 8) -> Engine:
    """An engine on an initialised database of this version; LtiError otherwise."""
    engine = connect(url, threads)
    found = current_version(engine)
    if found == 0:
        raise LtiError(f"no LTI tool database at {engine.url!r}", "run `lcmodules lti init` first")
    if found != SCHEMA_VERSION:
        raise LtiError(
            f"the database has schema version {found}, this lcmodules uses {SCHEMA_VERSION}",
            "run `lcmodules lti init` to migrate it (back it up first)",
        )
    return engine


def get_setting(engine: Engine, name: str, default: str | None = None) -> str | None:
    """A stored setting (base_url, leeway, …)."""
    with engine.connect() as conn:
        value = conn.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
    return default if value is None else str(value)


def set_setting(engine: Engine, name: str, value: str) -> None:
    """Store a setting, replacing its old value."""
    with engine.begin() as conn:
        conn.execute(settings.delete().where(settings.c.name == name))
        conn.execute(settings.insert().values(name=name, value=value))


def insert_missing(conn: Connection, table: Table, **values: object) -> None:
    """Insert a row unless one with the same primary key exists (no error, no overwrite)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    else:
        raise LtiError(f"the database '{dialect}' is not supported", DB_HINT)


def now() -> float:
    """Seconds since the epoch (one place, so the tests and the tool agree)."""
    return time.time()
