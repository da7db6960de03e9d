"""Files read whole: bytes, or None when the file cannot be read."""

from __future__ import annotations


def read_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as f:  # not Path(): its parsing cost more than the read, per file
            return f.read()
    except OSError:
        return None
