"""Where quizzer finds its bank and keeps its files: the one seam tests redirect.

Resolution order for the bank: ``--bank DIR``, then ``QUIZZER_BANK``, then the bundled bank
(the repository's ``questionbank/`` in a checkout, or the copy packaged inside the wheel).
Data (the SQLite database) and cache (the sandbox root filesystem) follow the XDG rules through
platformdirs, overridable with ``QUIZZER_HOME`` for tests and portable installs. Nothing is
computed at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "quizzer"
DEFAULT_EXAM = "lpic3-305-300"


def bundled_bank_root() -> Path:
    """The ``questionbank/`` directory shipped with quizzer."""
    package_dir = Path(__file__).resolve().parent
    checkout = package_dir.parent / "questionbank"
    if checkout.is_dir():
        return checkout
    return package_dir / "questionbank"


def bank_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The exam directory (holding ``exam.yaml``) to study from."""
    if override is not None:
        return Path(override)
    env = os.environ.get("QUIZZER_BANK")
    if env:
        return Path(env)
    return bundled_bank_root() / DEFAULT_EXAM


def data_dir() -> Path:
    """Where the learner's database lives (created on first use)."""
    home = os.environ.get("QUIZZER_HOME")
    if home:
        return Path(home) / "data"
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    """Where rebuildable artefacts (the sandbox root filesystem) live."""
    home = os.environ.get("QUIZZER_HOME")
    if home:
        return Path(home) / "cache"
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def exports_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Where reports and exports are written (``exports/`` in the working directory)."""
    return Path(override) if override is not None else Path.cwd() / "exports"


def database_url(override: str | None = None) -> str:
    """The learner database: ``--db URL``, then ``QUIZZER_DB``, then a SQLite file in data_dir.

    A plain path (no ``://``) is taken as a SQLite file.
    """
    value = override or os.environ.get("QUIZZER_DB")
    if not value:
        return f"sqlite:///{data_dir() / 'quizzer.sqlite'}"
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser().resolve()}"
    return value


def rootfs_dir() -> Path:
    """The sandbox's prepared root file system (``QUIZZER_ROOTFS`` overrides).

    Root builds it in ``/var/cache/quizzer``: the sandbox's unprivileged ids must be able to
    traverse every parent directory, which ``/root/.cache`` (mode 700) does not allow.
    """
    env = os.environ.get("QUIZZER_ROOTFS")
    if env:
        return Path(env)
    if os.geteuid() == 0:
        return Path("/var/cache/quizzer/rootfs")
    return cache_dir() / "rootfs"


def sandbox_scratch_dir() -> Path:
    """An empty directory the sandbox mounts its private tmpfs on (never written on the host)."""
    return rootfs_dir().parent / "sandbox-mnt"


def config_file() -> Path:
    """The learner's config file (``QUIZZER_CONFIG`` overrides; YAML with a ``keymap`` map)."""
    env = os.environ.get("QUIZZER_CONFIG")
    if env:
        return Path(env)
    home = os.environ.get("QUIZZER_HOME")
    if home:
        return Path(home) / "config.yaml"
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.yaml"
