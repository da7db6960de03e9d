"""The examples run as documented and produce decks the real Anki backend imports."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, import_packages


def test_build_decks_example(sources_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    script = REPO / "examples" / "build_decks.py"
    shutil.copy(script, tmp_path / script.name)
    result = subprocess.run(
        [sys.executable, script.name, str(sources_copy), str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "18 papers, 62 questions" in result.stdout
    import_packages(collection, sorted(out.glob("*.apkg")))
    assert collection.note_count() == 63
    assert (sources_copy / "papers2anki.lock").exists()
