"""The learner's history: SQLModel tables, the database engine, and the repository.

``open_database(url)`` is the way in (SQLite by default, PostgreSQL through any SQLAlchemy
URL); :mod:`quizzer.storage.repository` reads and writes inside its transactions. Nothing here
knows about questions' content, FSRS or Textual: cards and answers are stored as JSON text.

Importing the package loads only :class:`StorageError`; SQLAlchemy is imported on first use of
anything else, so the app's first screen does not wait for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from quizzer.storage.errors import StorageError

if TYPE_CHECKING:
    from quizzer.storage import repository
    from quizzer.storage.database import SCHEMA_VERSION, Database, open_database, sqlite_url

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "StorageError",
    "open_database",
    "repository",
    "sqlite_url",
]

_FROM_DATABASE = {"SCHEMA_VERSION", "Database", "open_database", "sqlite_url"}


def __getattr__(name: str) -> Any:
    if name in _FROM_DATABASE:
        return getattr(importlib.import_module("quizzer.storage.database"), name)
    if name == "repository":
        return importlib.import_module("quizzer.storage.repository")
    raise AttributeError(f"module 'quizzer.storage' has no attribute {name!r}")
