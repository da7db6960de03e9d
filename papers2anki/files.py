"""Files, read whole and written atomically: every file of a build or none, and a file that already
holds its bytes left untouched."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:  # not Path(): its parsing cost more than the read, per file
            return f.read()
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class Streamed:
    """A file's bytes made piece by piece as it is written, for a file too large to hold (the lock)."""

    pieces: Callable[[], Iterable[bytes]]


def write_files(
    files: Mapping[Path, bytes | Callable[[], bytes] | Streamed], differ: Collection[Path] = (), dry_run: bool = False
) -> list[Path]:
    """Write every file or none: all go to temporary names first, then are renamed into place.

    A value may be a function that makes the bytes: they are made one file at a time, in path order,
    so that a build of 25,000 packages never holds them all; or `Streamed`, never held whole. Files
    whose content is already what is on disk are not touched (unless named in `differ`: known to
    differ, not read to compare). Returns the files written; with `dry_run`, those that would be, and
    writes nothing.
    """
    targets = sorted(files)
    for target in targets:
        if target.is_symlink():
            raise OSError(f"{target}: refusing to write through a symbolic link")
    if dry_run:
        return [target for target in targets if target in differ or _differs(target, _pieces(files[target]))]
    temps: list[tuple[str, Path]] = []
    try:
        for target in targets:
            _write_if_new(target, _pieces(files[target]), temps, compare=target not in differ and target.exists())
    except BaseException:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    _replace_all(temps)
    return [target for _, target in temps]


def _pieces(value: bytes | Callable[[], bytes] | Streamed) -> Iterable[bytes]:
    return value.pieces() if isinstance(value, Streamed) else (value() if callable(value) else value,)


def _differs(target: Path, pieces: Iterable[bytes]) -> bool:
    """Whether `pieces` differ from what `target` holds (a missing file differs)."""
    try:
        with open(target, "rb") as old:
            for piece in pieces:
                if old.read(len(piece)) != piece:
                    return True
            return bool(old.read(1))
    except (FileNotFoundError, NotADirectoryError):
        return True


@contextmanager
def _temp_for(target: Path, temps: list[tuple[str, Path]]) -> Iterator[BinaryIO]:
    """A temporary file beside `target` for its new bytes, listed in `temps` before it is written,
    on the disk when the `with` ends."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temps.append((tmp, target))
    with os.fdopen(fd, "wb") as f:
        yield f
        f.flush()
        os.fsync(f.fileno())
    os.chmod(tmp, 0o644)


def _write_if_new(target: Path, pieces: Iterable[bytes], temps: list[tuple[str, Path]], compare: bool) -> None:
    """`pieces` into a temporary file for `target`; with `compare`, only from where they part from
    what `target` holds (the bytes before copied from it), and not at all when they never do: a
    file already up to date is not written, even in a folder that cannot be."""
    with ExitStack() as stack:
        old = stack.enter_context(open(target, "rb")) if compare else None
        out: BinaryIO | None = None
        same = 0  # how many first bytes are those of the old file

        def start() -> BinaryIO:
            f = stack.enter_context(_temp_for(target, temps))
            if old is not None:
                old.seek(0)
                left = same
                while left:
                    chunk = old.read(min(left, 1 << 20))
                    f.write(chunk)
                    left -= len(chunk)
            return f

        for piece in pieces:
            if out is None and old is not None and old.read(len(piece)) == piece:
                same += len(piece)
                continue
            if out is None:
                out = start()
            out.write(piece)
        if out is None and (old is None or old.read(1)):  # no old file, or a longer one
            start()


def _replace_all(temps: list[tuple[str, Path]]) -> None:
    """Rename every temporary file into place; if one rename fails, put the old files back."""
    done: list[tuple[str | None, Path]] = []  # (hard link to the old file, target) for each rename made
    try:
        for tmp, target in temps:
            backup = None
            if target.exists():
                backup = f"{tmp}.old"
                os.link(target, backup)
            try:
                os.replace(tmp, target)
            except BaseException:
                if backup is not None:
                    os.unlink(backup)
                raise
            done.append((backup, target))
    except BaseException:
        for backup, target in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink()
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    for backup, _ in done:
        if backup is not None:
            os.unlink(backup)
