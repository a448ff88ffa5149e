"""A throw-away PostgreSQL schema per LTI test or benchmark run, so that runs sharing one database
(`LCMODULES_LTI_TEST_PG`, e.g. under pytest-xdist) never see or drop each other's tables."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_ENV = "LCMODULES_LTI_TEST_PG"


def pg_url() -> str:
    """The test database's URL (postgresql+psycopg://user:pw@host/name), "" when none is given."""
    return os.environ.get(PG_ENV, "")


@contextmanager
def pg_schema(url: str, prefix: str = "lcm_test") -> Iterator[str]:
    """A new schema in the database at `url`; yields a URL whose connections use only it (its
    `search_path`); the schema and everything in it is dropped afterwards."""
    from sqlalchemy import create_engine, make_url, text

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield scoped.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()
