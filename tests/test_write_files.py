"""files.write_files: every file or none, and a file already holding its bytes is left as it is,
for bytes given whole and for bytes streamed piece by piece (the lock)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from papers2anki.files import Streamed, write_files


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


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"head|row one|row two|tail", [b"head|", b"row one|", b"row 2|", b"tail"]),  # parts in the middle
        (b"head|row one|tail", [b"head|", b"row one|", b"row two|", b"tail"]),  # longer
        (b"head|row one|row two|tail", [b"head|", b"row one|"]),  # shorter: a prefix of the old
        (b"", [b"head|", b"tail"]),
        (b"head|tail", [b"", b"HEAD|tail"]),
    ],
)
def test_a_streamed_file_is_written_whole_wherever_it_parts_from_the_old(
    tmp_path: Path, old: bytes, new: list[bytes]
) -> None:
    target = tmp_path / "x.lock"
    target.write_bytes(old)
    assert write_files({target: _pieces(*new)}) == [target]
    assert target.read_bytes() == b"".join(new)
    assert [p.name for p in tmp_path.iterdir()] == ["x.lock"]


def test_a_streamed_file_already_up_to_date_is_not_even_copied(tmp_path: Path) -> None:
    """Not written, not copied to a temporary file: a build with nothing new works in a folder it
    cannot write (the folder's own time shows that no file came and went in it)."""
    lock = tmp_path / "x.lock"
    lock.write_bytes(b"{\n" + b"row\n" * 1000 + b"}\n")
    os.utime(tmp_path, ns=(0, 0))
    assert write_files({lock: _pieces(b"{\n", *[b"row\n"] * 1000, b"}\n")}) == []
    assert tmp_path.stat().st_mtime_ns == 0


def test_a_stream_that_fails_leaves_every_file_as_it_was(tmp_path: Path) -> None:
    lock, deck = tmp_path / "x.lock", tmp_path / "a.apkg"
    write_files({lock: b"old lock", deck: b"old deck"})
    with pytest.raises(OSError, match="disk full"):
        write_files({deck: b"new deck", lock: _pieces(b"new ", b"lock", fail=True)})
    assert lock.read_bytes() == b"old lock" and deck.read_bytes() == b"old deck"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.apkg", "x.lock"]  # no temporary file left
