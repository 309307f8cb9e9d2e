"""The storage error, importable without loading SQLAlchemy (the UI imports it at start-up)."""

from __future__ import annotations

__all__ = ["StorageError"]


class StorageError(Exception):
    """The database cannot be used; ``str()`` is a one-line message for the learner."""
