"""Saved scenarios: SQLite by default, PostgreSQL by URL (SQLAlchemy 2).

A scenario is only its input fields, as JSON (no IP address, no user agent, no result):
`scenarios(id TEXT PRIMARY KEY, created_at, input_json TEXT)`. Ids are 128 random bits,
URL-safe (`secrets.token_urlsafe(16)`, 22 characters), so they cannot be guessed.

Where the data lives: `LOAN401K_DATABASE_URL` if set (e.g.
`postgresql+psycopg://user@host/db`), else `sqlite:///./var/loan401k.db`, relative to the
working directory, the folder created on demand (git-ignored).

SQLite never loses or corrupts a saved scenario under concurrent writers (several uvicorn
workers, a crashed process): WAL journal, `synchronous=FULL`, a busy timeout, and every
write transaction opened with `BEGIN IMMEDIATE` so two writers queue on the lock instead of
failing with "database is locked" (SQLAlchemy's pysqlite recipe).

No request waits long on the database (issue 17): a write waits at most WRITE_WAIT_S for the
write lock (this process's turn, then the file's), a read at most READ_WAIT_MS (WAL readers
do not need the writer, so a read waits only in rare cases such as WAL recovery), a
connection from the pool at most POOL_WAIT_S; past that, `StoreBusy` (the app answers 503
with Retry-After). PostgreSQL gets the same bound on row and table locks (`lock_timeout`).

`save_counts` holds the save rate limit's counters (loan401k.throttle): a hash of the
client's key, a window number and a count, kept two minutes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    select,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import StaticPool

DATABASE_URL_ENV = "LOAN401K_DATABASE_URL"
DEFAULT_SQLITE_PATH = Path("var") / "loan401k.db"
BUSY_TIMEOUT_MS = 30_000  # kept for callers; requests use the bounds below
WRITE_WAIT_S = 3.0  # a save waits this long for the write lock, then 503
READ_WAIT_MS = 500  # a read of a saved scenario (WAL: normally no wait at all)
POOL_WAIT_S = 2.0  # for a pooled connection
ID_BYTES = 16  # 128 random bits
# token_urlsafe ids: letters, digits, "-" and "_"; anything else is not an id we issued.
_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,64}")

metadata = MetaData()
scenarios = Table(
    "scenarios",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("input_json", Text, nullable=False),
)
save_counts = Table(
    "save_counts",
    metadata,
    Column("client", String(32), primary_key=True),  # sha256 of the client key, cut to 128 bits
    Column("window", BigInteger, primary_key=True),  # unix time // window length
    Column("saves", Integer, nullable=False),
)


class StoreBusy(Exception):
    """The database did not answer within the bound: retry after `retry_after` seconds."""

    def __init__(self, what: str, retry_after: int = 5):
        self.retry_after = retry_after
        super().__init__(what)


def _is_busy(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text or "lock timeout" in text or "canceling statement" in text


def default_database_url() -> str:
    """`LOAN401K_DATABASE_URL`, else SQLite at ./var/loan401k.db (working directory)."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    return f"sqlite:///{(Path.cwd() / DEFAULT_SQLITE_PATH).as_posix()}"


def is_valid_id(scenario_id: str) -> bool:
    return bool(_ID_PATTERN.fullmatch(scenario_id))


def new_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _sqlite_engine(url: URL) -> Engine:
    if _is_memory(url):
        # One shared connection, or each pooled connection would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        assert url.database is not None  # a file database: not _is_memory(url)
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"timeout": WRITE_WAIT_S}, pool_timeout=POOL_WAIT_S, pool_size=8, max_overflow=8
        )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy (not the driver) emit BEGIN, so the "begin" hook below decides its kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not _is_memory(url):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # a commit survives power loss, not only a crash
        cursor.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_S * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writes take the write lock up front: a deferred transaction that reads then writes
        # fails with "database is locked" at once, whatever the timeout. Plain reads say
        # `sqlite_begin="DEFERRED"` so they never queue behind a writer (WAL readers don't).
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        wait_ms = READ_WAIT_MS if mode == "DEFERRED" else int(WRITE_WAIT_S * 1000)
        connection.exec_driver_sql(f"PRAGMA busy_timeout={wait_ms}")
        connection.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")

    return engine


def make_engine(database_url: str | None = None) -> Engine:
    url = make_url(database_url or default_database_url())
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    connect_args = {}
    if url.get_backend_name() == "postgresql":  # wait for a row or table lock at most this long
        connect_args = {"options": f"-c lock_timeout={int(WRITE_WAIT_S * 1000)}"}
    return create_engine(url, pool_pre_ping=True, pool_timeout=POOL_WAIT_S, connect_args=connect_args)


class ScenarioStore:
    """Save and load scenario inputs. Thread-safe; create one per process."""

    def __init__(self, database_url: str | None = None):
        self.engine = make_engine(database_url)
        # SQLite has one writer at a time. Threads of this process take turns here, in order,
        # instead of each polling the file lock through SQLite's busy handler (which sleeps
        # up to 100 ms between tries: second-long tails under load). Other processes still
        # queue on the file lock (BEGIN IMMEDIATE + busy_timeout).
        sqlite = self.engine.dialect.name == "sqlite"
        self._write_lock: threading.Lock | None = threading.Lock() if sqlite else None
        self.ensure_schema()

    def ensure_schema(self) -> None:
        """Create the table if missing (idempotent). The app calls it again at each start-up:
        `close()` drops an in-memory SQLite database along with its connection."""
        metadata.create_all(self.engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def save(self, inputs: dict[str, Any], charge: Callable[[Connection], None] | None = None) -> str:
        """Store the input fields; return the new id once the row is committed. `charge` runs
        first in the same transaction (the rate limit's count); what it raises rolls it back."""
        scenario_id = new_id()
        row = {
            "id": scenario_id,
            "created_at": dt.datetime.now(dt.UTC),
            "input_json": json.dumps(inputs, separators=(",", ":"), sort_keys=True),
        }
        if not self._acquire_write():
            raise StoreBusy("the database is busy: other saves hold it", retry_after=math.ceil(WRITE_WAIT_S))
        try:
            with self.engine.begin() as connection:
                if charge is not None:
                    charge(connection)
                connection.execute(insert(scenarios).values(**row))
        except OperationalError as exc:
            if _is_busy(exc):
                raise StoreBusy("the database is busy: another writer holds its lock") from None
            raise
        except PoolTimeout:
            raise StoreBusy("the database is busy: every connection is in use") from None
        finally:
            self._release_write()
        return scenario_id

    def _acquire_write(self) -> bool:
        return self._write_lock is None or self._write_lock.acquire(timeout=WRITE_WAIT_S)

    def _release_write(self) -> None:
        if self._write_lock is not None:
            self._write_lock.release()

    def load(self, scenario_id: str) -> dict[str, Any] | None:
        """The saved input fields, or None for an unknown (or malformed) id."""
        if not is_valid_id(scenario_id):
            return None
        try:
            with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as connection:
                text = connection.execute(
                    select(scenarios.c.input_json).where(scenarios.c.id == scenario_id)
                ).scalar_one_or_none()
        except OperationalError as exc:
            if _is_busy(exc):
                raise StoreBusy("the database is busy; the saved scenario cannot be read now") from None
            raise
        except PoolTimeout:
            raise StoreBusy("the database is busy: every connection is in use") from None
        return None if text is None else json.loads(text)

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(scenarios)).scalar_one()

    def close(self) -> None:
        self.engine.dispose()
