"""tests/cache.py: an entry is filled once, atomically, and only when complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cache import CacheFillError, cache_root, filled_once


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FLINK_AKS_CACHE", str(tmp_path))
    return tmp_path


def has_marker(home: Path) -> bool:
    return (home / "marker").is_file()


def test_cache_root_follows_the_environment(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_root() == cache
    monkeypatch.setenv("FLINK_AKS_CACHE", " ")
    assert cache_root() == Path.home() / ".cache" / "flink-aks"


def test_fills_once_then_finds_the_entry(cache: Path) -> None:
    calls: list[tuple[Path, Path]] = []

    def fill(staged: Path, scratch: Path) -> None:
        calls.append((staged, scratch))
        assert scratch.is_dir() and not any(scratch.iterdir())
        staged.mkdir()
        (staged / "marker").write_text("x")

    assert filled_once("thing-1", has_marker, fill) == cache / "thing-1"
    assert filled_once("thing-1", has_marker, fill) == cache / "thing-1"
    assert len(calls) == 1
    assert (cache / "thing-1" / "marker").read_text() == "x"
    assert sorted(p.name for p in cache.iterdir()) == [".thing-1.lock", "thing-1"]  # staging removed


def test_an_incomplete_fill_leaves_no_entry(cache: Path) -> None:
    def fill(staged: Path, scratch: Path) -> None:
        staged.mkdir()

    with pytest.raises(CacheFillError, match="thing-2"):
        filled_once("thing-2", has_marker, fill)
    assert sorted(p.name for p in cache.iterdir()) == [".thing-2.lock"]


def test_a_broken_earlier_directory_is_replaced(cache: Path) -> None:
    (cache / "thing-3").mkdir()
    (cache / "thing-3" / "leftover").write_text("")

    def fill(staged: Path, scratch: Path) -> None:
        staged.mkdir()
        (staged / "marker").write_text("")

    home = filled_once("thing-3", has_marker, fill)
    assert sorted(p.name for p in home.iterdir()) == ["marker"]


def test_a_file_entry_under_a_subdirectory(cache: Path) -> None:
    def fill(staged: Path, scratch: Path) -> None:
        staged.write_bytes(b"jar")

    home = filled_once("jobs/x.jar", Path.is_file, fill)
    assert home == cache / "jobs" / "x.jar"
    assert home.read_bytes() == b"jar"
    assert sorted(p.name for p in (cache / "jobs").iterdir()) == [".x.jar.lock", "x.jar"]
