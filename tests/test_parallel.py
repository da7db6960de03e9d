"""Builds spread over worker processes write the same bytes and report the same as builds in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, SOURCES

import papers2anki
from papers2anki.engine import parallel


def _build(out: Path, jobs: str, monkeypatch: pytest.MonkeyPatch, **kw: object) -> tuple[dict[str, bytes], str]:
    monkeypatch.setenv("PAPERS2ANKI_JOBS", jobs)
    monkeypatch.setenv("PAPERS2ANKI_CACHE", "off")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764028800")
    corpus = papers2anki.load([SOURCES, FIXTURES / "answers", FIXTURES / "layouts", FIXTURES / "bad"])
    report = papers2anki.build(corpus, out / "decks", lock_path=out / "papers2anki.lock", force=True, **kw)  # type: ignore[arg-type]
    assert {p.rule for p in report.problems} >= {"duplicate-question", "latex-syntax", "numbering"}
    files = {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return files, repr(report).replace(str(out), "OUT")


@pytest.mark.parametrize("single", [False, True])
def test_workers_write_what_one_process_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, single: bool) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)  # so that these small lists go to the workers too
    used = []
    real_map = parallel.Workers.map

    def watched_map(self: parallel.Workers, fn, items, chunksize=16):  # type: ignore[no-untyped-def]
        result = real_map(self, fn, items, chunksize)
        used.append(self._pool is not None)
        return result

    monkeypatch.setattr(parallel.Workers, "map", watched_map)
    one = _build(tmp_path / "one", "1", monkeypatch, single=tmp_path / "one.apkg" if single else None)
    assert used and not any(used)
    used.clear()
    two = _build(tmp_path / "two", "2", monkeypatch, single=tmp_path / "two.apkg" if single else None)
    assert len(used) == 4 and all(used)  # parsing, rendering, linting and packaging went to the workers
    if single:
        assert (tmp_path / "one.apkg").read_bytes() == (tmp_path / "two.apkg").read_bytes()
    assert one[0] == two[0] and len(one[0]) > (0 if single else 20)
    assert one[1] == two[1].replace("two.apkg", "one.apkg")
