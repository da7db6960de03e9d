"""package.write_files: every file or none, and a file already holding its bytes is left as it is,
for bytes given whole and for bytes streamed piece by piece (the lock)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from papers2anki.package import Streamed, write_files


def _pieces(*parts: bytes, fail: bool = False) -> Streamed:
    def make() -> Iterator[bytes]:
        yield from parts
        if fail:
            raise OSError("disk full")

    return Streamed(make)


def test_streamed_and_whole_files_are_written_only_when_their_bytes_change(tmp_path: Path) -> None:
    lock, deck = tmp_path / "x.lock", tmp_path / "decks" / "a.apkg"
    assert write_files({lock: _pieces(b"{\n", b"rows\n", b"}\n"), deck: b"deck"}) == [deck, lock]
    assert lock.read_bytes() == b"{\nrows\n}\n" and deck.read_bytes() == b"deck"
    before = (lock.stat().st_ino, lock.stat().st_mtime_ns)

    assert write_files({lock: _pieces(b"{\nrows\n", b"}\n"), deck: b"deck"}) == []
    assert (lock.stat().st_ino, lock.stat().st_mtime_ns) == before
    assert write_files({lock: _pieces(b"{\nrows\n}\n")}, differ={lock}) == [lock]  # known to differ: not compared

    assert write_files({lock: _pieces(b"{\nrowz\n}\n")}) == [lock]  # same size, other bytes
    assert lock.read_bytes() == b"{\nrowz\n}\n"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.apkg", "decks", "x.lock"]


def test_a_stream_that_fails_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    lock, deck = tmp_path / "x.lock", tmp_path / "a.apkg"
    write_files({lock: b"old lock", deck: b"old deck"})
    with pytest.raises(OSError, match="disk full"):
        write_files({deck: b"new deck", lock: _pieces(b"new ", b"lock", fail=True)})
    assert lock.read_bytes() == b"old lock" and deck.read_bytes() == b"old deck"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.apkg", "x.lock"]  # no temporary file left
