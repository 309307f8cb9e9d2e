"""Services built on real banks and real SQLite files, with a clock the test controls."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from quizzer.services import Services


class Clock:
    """A settable clock: ``clock()`` is now; ``clock.advance(minutes=5)`` moves it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 10, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def make_services(tmp_path: Path, clock: Clock) -> Iterator[Callable[..., Services]]:
    made: list[Services] = []

    def make(bank: Path, db: str | None = None, seed: int = 1, **kw: object) -> Services:
        s = Services(
            bank,
            db or f"sqlite:///{tmp_path / 'learner.sqlite'}",
            clock=clock,
            rng=random.Random(seed),
            timezone=UTC,
            **kw,
        )  # type: ignore[arg-type]
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()
