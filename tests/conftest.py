"""Shared fixtures, and the rule that makes a skipped test fail in CI.

``.ci/run`` sets ``QUIZZER_NO_SKIP=1``: there, every test must run, so a skip (a missing
tool, an unavailable server) turns into a failure instead of passing quietly.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DATA = Path(__file__).parent / "bank" / "data"
REPO = Path(__file__).resolve().parent.parent


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if (
        os.environ.get("QUIZZER_NO_SKIP") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped, but QUIZZER_NO_SKIP=1 requires every test to run: {report.longrepr}"
        )


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep every test away from the developer's real data, cache and bank settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("QUIZZER_HOME", str(home))
    monkeypatch.delenv("QUIZZER_BANK", raising=False)
    monkeypatch.delenv("QUIZZER_DB", raising=False)


@pytest.fixture
def mini_bank(tmp_path: Path) -> Path:
    """A copy of the tiny valid test bank (5-question exam) in a temporary directory."""
    dest = tmp_path / "bank"
    shutil.copytree(DATA / "mini", dest)
    return dest


@pytest.fixture
def bundled_bank() -> Path:
    """The real bank shipped in questionbank/."""
    return REPO / "questionbank" / "lpic3-305-300"


# --- databases -------------------------------------------------------------------------
# QUIZZER_TEST_POSTGRES is the URL of a PostgreSQL server (.ci/run starts one); each test
# gets a fresh database created on it and dropped afterwards. Without it, PostgreSQL tests
# skip, which QUIZZER_NO_SKIP=1 (CI) turns into failures.


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'learner.sqlite'}"


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    server = os.environ.get("QUIZZER_TEST_POSTGRES")
    if not server:
        pytest.skip("QUIZZER_TEST_POSTGRES is not set (no PostgreSQL server to test against)")
    name = f"quizzer_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Every storage test runs against SQLite and against PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


# --- the hands-on sandbox --------------------------------------------------------------
# The rootfs lives outside QUIZZER_HOME (/var/cache/quizzer for root, or QUIZZER_ROOTFS), so
# the per-test home isolation does not hide it. Without root or without a prepared rootfs the
# sandbox tests skip, which QUIZZER_NO_SKIP=1 (CI, which builds the rootfs first) fails.


@pytest.fixture(scope="session")
def rootfs() -> Path:
    from quizzer import paths
    from quizzer.sandbox.engine import UID_BASE
    from quizzer.sandbox.rootfs import status

    if os.geteuid() != 0:
        pytest.skip("the userns sandbox needs root")
    path = paths.rootfs_dir()
    st = status(path, UID_BASE)
    if not st.ready:
        pytest.skip(f"sandbox rootfs not ready ({st.detail}); run: quizzer sandbox prepare")
    return path


@pytest.fixture(scope="session")
def scratch(rootfs: Path) -> Path:
    from quizzer import paths

    return paths.sandbox_scratch_dir()


@pytest.fixture(scope="session")
def bwrap() -> str:
    """The bwrap fallback's binary; skips (a failure in CI) where bwrap cannot run."""
    from quizzer.sandbox.backends import userns_enabled
    from quizzer.sandbox.bwrap import bwrap_path

    path = bwrap_path()
    if path is None:
        pytest.skip("bwrap is not installed (apt-get install bubblewrap)")
    enabled, why = userns_enabled()
    if not enabled:
        pytest.skip(f"the bwrap sandbox cannot run here: {why}")
    return path
