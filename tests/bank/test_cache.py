"""The bank cache: a warm start skips parsing, any change to the bank or the cache means a
cold load, and a bank with problems is never cached."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quizzer.bank import BankError, load_bank
from quizzer.bank import loader as loader_module
from quizzer.bank.cache import cache_file, load_bank_cached


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, any attempt to read a YAML file fails loudly."""

    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("the bank was parsed again")

    monkeypatch.setattr(loader_module, "read_yaml", refuse)


def test_an_unchanged_bank_comes_from_the_cache(
    mini_bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = load_bank_cached(mini_bank, tmp_path / "cache")
    assert cache_file(mini_bank, tmp_path / "cache").exists()
    assert oct(cache_file(mini_bank, tmp_path / "cache").stat().st_mode & 0o777) == "0o600"
    no_parsing(monkeypatch)
    warm = load_bank_cached(mini_bank, tmp_path / "cache")
    assert [q.id for q in warm] == [q.id for q in cold]
    assert warm.exam == cold.exam
    assert warm.locations == cold.locations
    assert warm.question(cold.questions[0].id) == cold.questions[0]


def test_an_edited_file_is_read_again(mini_bank: Path, tmp_path: Path) -> None:
    load_bank_cached(mini_bank, tmp_path / "cache")
    path = next(p for p in sorted(mini_bank.glob("*.yaml")) if p.name != "exam.yaml")
    text = path.read_text()
    first = load_bank(mini_bank).questions[0]
    path.write_text(text.replace(first.stem.splitlines()[0], "An edited stem?", 1))
    warm = load_bank_cached(mini_bank, tmp_path / "cache")
    assert warm.question(first.id).stem.startswith("An edited stem?")


def test_a_new_file_or_a_touched_one_is_noticed(mini_bank: Path, tmp_path: Path) -> None:
    load_bank_cached(mini_bank, tmp_path / "cache")
    path = next(p for p in sorted(mini_bank.glob("*.yaml")) if p.name != "exam.yaml")
    (mini_bank / "broken.yaml").write_text("questions: [\n")
    with pytest.raises(BankError, match=r"broken\.yaml"):
        load_bank_cached(mini_bank, tmp_path / "cache")
    (mini_bank / "broken.yaml").unlink()
    os.utime(path, ns=(1, 1))  # same content, other time: read again, and fine
    assert len(load_bank_cached(mini_bank, tmp_path / "cache")) == len(load_bank(mini_bank))


def test_a_broken_bank_is_never_cached(mini_bank: Path, tmp_path: Path) -> None:
    (mini_bank / "broken.yaml").write_text("questions: [\n")
    for _ in range(2):  # reported on every start, not remembered
        with pytest.raises(BankError):
            load_bank_cached(mini_bank, tmp_path / "cache")
    assert not cache_file(mini_bank, tmp_path / "cache").exists()


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", b"\x80\x05\x95\xff\xff"])
def test_a_corrupt_cache_means_a_cold_load(mini_bank: Path, tmp_path: Path, garbage: bytes) -> None:
    cache = tmp_path / "cache"
    good = load_bank_cached(mini_bank, cache)
    cache_file(mini_bank, cache).write_bytes(garbage)
    again = load_bank_cached(mini_bank, cache)
    assert [q.id for q in again] == [q.id for q in good]
    assert cache_file(mini_bank, cache).stat().st_size > 100  # rewritten whole


def test_an_unwritable_cache_directory_only_costs_speed(mini_bank: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the directory should be")
    assert len(load_bank_cached(mini_bank, blocker)) == len(load_bank(mini_bank))
