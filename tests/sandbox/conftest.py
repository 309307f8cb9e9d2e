"""Sandbox fixtures: the prepared rootfs (``quizzer sandbox prepare``; CI builds it first).

The rootfs lives outside ``QUIZZER_HOME`` (``/var/cache/quizzer`` for root, or
``QUIZZER_ROOTFS``), so the per-test home isolation does not hide it. Without root or
without a prepared rootfs these tests skip, which ``QUIZZER_NO_SKIP=1`` (CI) turns into
failures.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizzer import paths
from quizzer.sandbox.engine import UID_BASE
from quizzer.sandbox.rootfs import status


@pytest.fixture(scope="session")
def rootfs() -> Path:
    if os.geteuid() != 0:
        pytest.skip("the userns sandbox needs root")
    path = paths.rootfs_dir()
    st = status(path, UID_BASE)
    if not st.ready:
        pytest.skip(f"sandbox rootfs not ready ({st.detail}); run: quizzer sandbox prepare")
    return path


@pytest.fixture(scope="session")
def scratch(rootfs: Path) -> Path:
    return paths.sandbox_scratch_dir()
