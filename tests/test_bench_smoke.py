"""The benchmark script runs end to end at 1,000 questions (a smoke test: it checks the script, not the timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_bench_build_runs_at_1000_questions(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_build.py"), "--sizes", "1000", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert "| 1,000 |" in proc.stdout
    summary = json.loads(out.read_text("utf-8"))
    (result,) = summary["results"]
    assert result["corpus"]["questions"] == 1000
    assert result["paper"]["questions"] == result["single"]["questions"] == 1000
    assert result["paper"]["papers"] == result["corpus"]["papers"]
    # Every paper became a package, written by us and by the baseline alike.
    assert sum(w.endswith(".apkg") for w in result["paper"]["written"]) == result["corpus"]["papers"]
    # A rebuild with no change writes nothing; one edited question rewrites one package and the lock.
    assert result["rebuild"]["written"] == []
    assert len([w for w in result["edit"]["written"] if w.endswith(".apkg")]) == 1
    assert set(summary["verdict"]) >= {"paper_ratio", "single_ratio", "memory_ratio", "rebuild_seconds", "help_seconds"}
    row = summary["rows"][0]
    assert all(r > 0 for r in (row["paper_ratio"], row["single_ratio"], row["paper_process_ratio"]))
    # A whole process takes longer than the work timed inside it.
    assert row["paper_process_s"] > row["paper_s"] and row["baseline_paper_process_s"] > row["baseline_paper_s"]
    assert "Whole processes" in proc.stdout
    assert set(result["stages"]) == {
        "read",
        "parse",
        "render",
        "lint",
        "package_per_paper",
        "package_single",
        "write_per_paper",
    }
