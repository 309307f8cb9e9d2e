"""A validated bank kept between runs, so a warm start skips parsing and validation.

The key covers every YAML file of the bank (path, size, modification and change times,
inode) and the source of the code that validates them. Any difference, and any cache that
cannot be read, means an ordinary cold load, whose result then replaces the cache. Only banks
that loaded without a problem are kept, so an error is reported on every start until fixed.

The cache is a pickle in the learner's own cache directory (written whole or not at all, mode
0600); it is read from nowhere else, so it is trusted like the learner's other files.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from quizzer.bank.loader import Bank, load_bank

__all__ = ["CACHE_FORMAT", "cache_file", "load_bank_cached"]

CACHE_FORMAT = 1
"""Bump to invalidate every cache when the pickled shape changes without a code change here."""

_CODE = ("cache.py", "issues.py", "loader.py", "models.py", "source.py")
_code_digest: str | None = None


def _code() -> str:
    """A digest of the modules that turn files into a :class:`Bank`."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256(f"format {CACHE_FORMAT}".encode())
        here = Path(__file__).parent
        for name in _CODE:
            h.update((here / name).read_bytes())
        _code_digest = h.hexdigest()
    return _code_digest


def fingerprint(directory: Path) -> str:
    """What the cached bank was built from: the code and every YAML file's identity."""
    h = hashlib.sha256(_code().encode())
    for path in sorted(directory.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file():
            continue
        st = path.stat()
        rel = path.relative_to(directory).as_posix()
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0{st.st_ino}\n".encode())
    return h.hexdigest()


def cache_file(directory: Path, cache_dir: Path) -> Path:
    """The cache of one bank directory (one file per bank, named by its absolute path)."""
    name = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"bank-{name}.pickle"


def load_bank_cached(directory: Path, cache_dir: Path) -> Bank:
    """:func:`load_bank`, answered from the cache when the bank has not changed."""
    directory = Path(directory).resolve()
    if not directory.is_dir():
        return load_bank(directory)  # raises BankError with the usual message
    key = fingerprint(directory)
    path = cache_file(directory, cache_dir)
    with contextlib.suppress(Exception):  # unreadable, truncated, foreign: load cold instead
        with path.open("rb") as f:
            stored_key, bank = pickle.load(f)  # the learner's own cache file
        if stored_key == key and isinstance(bank, Bank):
            return bank
    bank = load_bank(directory)
    with contextlib.suppress(OSError, pickle.PicklingError):
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump((key, bank), f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    return bank
