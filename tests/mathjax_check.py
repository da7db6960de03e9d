"""Test helper: check TeX formulas with the MathJax 3.2.2 that Anki uses.

Runs tools/mathjax/typeset.mjs (Node) once per call; see tools/mathjax/README.md.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOLS = REPO / "tools" / "mathjax"


def ensure_mathjax() -> None:
    """Install tools/mathjax/node_modules from the lock file if it is missing."""
    for exe in ("node", "npm"):
        if shutil.which(exe) is None:
            raise RuntimeError(
                f"`{exe}` not found on PATH; the MathJax checks need Node.js and npm (see tools/mathjax/README.md)"
            )
    # Look for the package itself, not just the folder, to survive half-done installs.
    if not (TOOLS / "node_modules" / "mathjax-full" / "package.json").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS, check=True)


def typeset_errors(formulas: list[tuple[str, bool]]) -> list[str | None]:
    """MathJax's error message for each (tex, display) formula, or None if it typesets."""
    ensure_mathjax()
    payload = [{"id": i, "tex": tex, "display": display} for i, (tex, display) in enumerate(formulas)]
    proc = subprocess.run(
        ["node", str(TOOLS / "typeset.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"typeset.mjs failed ({proc.returncode}):\n{proc.stderr}")
    results = json.loads(proc.stdout)
    # Results come back in input order; check anyway so a mismatch is loud.
    if [r["id"] for r in results] != list(range(len(formulas))):
        raise RuntimeError("typeset.mjs returned results out of order")
    return [r["error"] for r in results]
