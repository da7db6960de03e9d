"""A long build shows click's progress bar on a terminal and stays quiet when its output is not one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")  # (POSIX: a pseudo-terminal stands for the user's)


def _build(sources: Path, out: Path, stderr: int) -> subprocess.CompletedProcess[bytes]:
    args = [sys.executable, "-m", "papers2anki", "build", str(sources), "--out", str(out / "decks")]
    env = {**os.environ, "PAPERS2ANKI_CACHE": "off", "TERM": "xterm", "COLUMNS": "100"}
    return subprocess.run(
        [*args, "--lock", str(out / "x.lock")], stdout=subprocess.PIPE, stderr=stderr, env=env, timeout=300
    )


def test_the_progress_bar_is_shown_on_a_terminal_only(sources_copy: Path, tmp_path: Path) -> None:
    master, terminal = pty.openpty()
    try:
        done = _build(sources_copy, tmp_path / "tty", terminal)
    finally:
        os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert done.returncode == 0, shown
    assert b"Packaging" in shown and b"100%" in shown, shown
    assert len(list((tmp_path / "tty" / "decks").glob("*.apkg"))) == 18

    piped = _build(sources_copy, tmp_path / "pipe", subprocess.PIPE)
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == b""  # no bar, no stray line
    assert b"18 deck files written" in piped.stdout
