"""The learner's history: SQLModel tables, the database engine, and the repository.

``open_database(url)`` is the way in (SQLite by default, PostgreSQL through any SQLAlchemy
URL); :mod:`quizzer.storage.repository` reads and writes inside its transactions. Nothing here
knows about questions' content, FSRS or Textual: cards and answers are stored as JSON text.
"""

from quizzer.storage import repository
from quizzer.storage.database import (
    SCHEMA_VERSION,
    Database,
    StorageError,
    open_database,
    sqlite_url,
)

__all__ = [
    "SCHEMA_VERSION",
    "Database",
    "StorageError",
    "open_database",
    "repository",
    "sqlite_url",
]
