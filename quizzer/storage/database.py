"""Opening the learner database: engine from a URL, schema version, forward migrations.

SQLite (the default, a file in the user data directory) runs in WAL mode with foreign keys
on, ``synchronous=FULL`` (an answer is on disk when :meth:`Database.write` returns) and a busy
timeout; write transactions start with ``BEGIN IMMEDIATE`` so two processes answering into one
file queue up instead of failing or losing an update. PostgreSQL works through any SQLAlchemy
URL (``postgresql+psycopg://...``); there, write transactions lock the learner's row.

A file that is not a quizzer database, is corrupt, or was written by a newer quizzer raises
:class:`StorageError` with a one-line message, after copying the file aside so nothing is lost.
Nothing happens at import time: :func:`open_database` does the work.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DatabaseError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel, create_engine, select

from quizzer.storage import tables
from quizzer.storage.errors import StorageError
from quizzer.storage.tables import SchemaRow

__all__ = ["SCHEMA_VERSION", "Database", "StorageError", "open_database", "sqlite_url"]

SCHEMA_VERSION = 2
"""The schema this code writes. Bump it and add a step to ``MIGRATIONS`` when tables change."""


def _v2_retention_and_theme(conn: Connection) -> None:
    """Schema 2: per-learner desired retention and TUI theme."""
    conn.execute(
        text("ALTER TABLE learner ADD COLUMN desired_retention FLOAT NOT NULL DEFAULT 0.9")
    )
    conn.execute(text("ALTER TABLE learner ADD COLUMN theme VARCHAR(64)"))


MIGRATIONS: dict[int, Callable[[Connection], None]] = {2: _v2_retention_and_theme}
"""``MIGRATIONS[v]`` upgrades a database from version ``v - 1`` to ``v``."""


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" hook issue BEGIN
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA busy_timeout = 30000")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = FULL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("quizzer_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """An open learner database: sessions for reading, transactions for writing."""

    def __init__(self, engine: Engine, path: Path | None) -> None:
        self.engine = engine
        self.path = path
        """The SQLite file, or None for a server database."""
        self.is_sqlite = engine.dialect.name == "sqlite"

    @property
    def url(self) -> str:
        """The URL with any password hidden."""
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading (a consistent snapshot; nothing is written)."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
            except (DatabaseError, OperationalError) as e:
                raise self._error(e) from e

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back on error."""
        with (
            self.engine.connect().execution_options(quizzer_write=True) as conn,
            Session(bind=conn, expire_on_commit=False) as session,
        ):
            try:
                yield session
                session.commit()
            except (DatabaseError, OperationalError) as e:
                session.rollback()
                raise self._error(e) from e
            except BaseException:
                session.rollback()
                raise

    def _error(self, e: SQLAlchemyError) -> StorageError:
        where = self.path or self.url
        detail = str(getattr(e, "orig", e)).splitlines()[0]
        return StorageError(f"{where}: database error: {detail}")

    def close(self) -> None:
        """Release every connection."""
        self.engine.dispose()


def _backup(path: Path, reason: str, *, readable: bool) -> Path:
    """Copy the database aside as ``FILE.REASON-STAMP`` and return the copy's path.

    A readable database is copied with SQLite's backup API (one consistent file, whatever the
    WAL holds); an unreadable one byte for byte, with its ``-wal`` and ``-shm`` files.
    """
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = path.with_name(f"{path.name}.{reason}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.{reason}-{stamp}-{n}")
        n += 1
    if readable:
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
            src.close()
        return target
    shutil.copy2(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            shutil.copy2(side, target.with_name(target.name + suffix))
    return target


def _stored_version(conn: Connection) -> int | None:
    names = set(inspect(conn).get_table_names())
    if "quizzer_schema" not in names:
        if names:
            raise StorageError("not a quizzer database (it has other tables)")
        return None
    row = conn.execute(select(SchemaRow.value).where(SchemaRow.key == "version")).first()
    if row is None:
        raise StorageError("the quizzer_schema table has no version")
    try:
        return int(row[0])
    except ValueError:
        raise StorageError(f"unreadable schema version {row[0]!r}") from None


def _create(conn: Connection) -> None:
    SQLModel.metadata.create_all(conn, tables=[SQLModel.metadata.tables[t] for t in _TABLES])
    conn.execute(
        SchemaRow.__table__.insert().values(key="version", value=str(SCHEMA_VERSION))  # type: ignore[attr-defined]
    )


_TABLES = tuple(
    str(t.__tablename__)
    for t in (
        tables.SchemaRow,
        tables.LearnerRow,
        tables.ExamSessionRow,
        tables.CardRow,
        tables.ReviewRow,
        tables.ItemStatRow,
        tables.SkillRow,
        tables.ExamItemRow,
    )
)


def _migrate(db: Database) -> None:
    with db.engine.connect().execution_options(quizzer_write=True) as conn, conn.begin():
        version = _stored_version(conn)
        if version is None:
            _create(conn)
            return
        if version > SCHEMA_VERSION:
            raise StorageError(
                f"written by a newer quizzer (schema {version}; this one knows up to "
                f"{SCHEMA_VERSION}): upgrade quizzer"
            )
        if version == SCHEMA_VERSION:
            return
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](conn)
        conn.execute(
            text("UPDATE quizzer_schema SET value = :v WHERE key = 'version'"),
            {"v": str(SCHEMA_VERSION)},
        )


def open_database(url: str) -> Database:
    """Open (creating or migrating as needed) the database at ``url``.

    Raises :class:`StorageError` with a one-line message when it cannot be used; a SQLite file
    that is corrupt, foreign or from a newer quizzer is first copied aside (``FILE.corrupt-*``,
    ``FILE.newer-*``) and left untouched.
    """
    parsed = make_url(url)
    path: Path | None = None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            path = Path(parsed.database)
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    db = Database(engine, path)
    where = str(path) if path else db.url
    try:
        existed = path is not None and path.exists() and path.stat().st_size > 0
        if existed and version_upgrade_needed(db):
            assert path is not None
            _backup(path, "pre-migration", readable=True)
        _migrate(db)
    except StorageError as e:
        engine.dispose()
        if path is not None and path.exists():
            newer = "newer quizzer" in str(e)
            kept = _backup(path, "newer" if newer else "unusable", readable=newer)
            raise StorageError(f"{where}: {e} (a copy was kept as {kept.name})") from None
        raise StorageError(f"{where}: {e}") from None
    except (DatabaseError, OperationalError) as e:
        engine.dispose()
        detail = str(getattr(e, "orig", e)).splitlines()[0]
        if path is not None and path.exists():
            kept = _backup(path, "corrupt", readable=False)
            raise StorageError(
                f"{where}: not a readable quizzer database ({detail}); a copy was kept as "
                f"{kept.name}; move the file away to start afresh"
            ) from None
        raise StorageError(f"{where}: cannot open the database ({detail})") from None
    return db


def version_upgrade_needed(db: Database) -> bool:
    """True when the database holds an older schema that :func:`open_database` will migrate."""
    with db.engine.connect() as conn:
        try:
            version = _stored_version(conn)
        except StorageError:
            return False
        conn.rollback()
    return version is not None and version < SCHEMA_VERSION


def default_permissions(path: Path) -> None:
    """Keep the learner's history private (0600) on shared machines."""
    if path.exists():
        os.chmod(path, 0o600)
