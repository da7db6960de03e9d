"""What papers2anki produces, as one text to compare before and after a change that must not change it.

    python tools/manifest.py > before.txt
    ... move code ...
    python tools/manifest.py > after.txt && diff before.txt after.txt

Every run uses a fixed SOURCE_DATE_EPOCH, a fresh cache folder and copies of the inputs in a temporary
folder named `work` (paths in reports are relative to it; cards built with a lock at its top name their
files from its parent: `work/fixtures/...`), then lists, one line each: the sha256 of every file each
command writes (decks, locks, pages) and of each command's output, with its exit status. It covers
`build` of `sources/` per paper and `--single`; the fixture lists with `--force`; a synthetic corpus
(`benchmarks/corpus.py`) with one and with several worker processes; an edit sequence of rebuilds
(edit a question, add one, remove a paper, undo) with the cache on and off; `parse --json`,
`check --format json` and `preview`. `--show` prints the outputs themselves too, for a line that
differs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EPOCH = "1780000000"
FIXTURES = ["habits", "layouts", "answers", "media", "desktop", "math"]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


class Runner:
    def __init__(self, work: Path, show: bool) -> None:
        self.work = work
        self.show = show
        self.lines: list[str] = []

    def run(self, name: str, args: list[str], env: dict[str, str] | None = None, outputs: tuple[str, ...] = ()) -> None:
        """Run `papers2anki ARGS` in the work folder; note its output's digest, status and written files."""
        full_env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, PAPERS2ANKI_CACHE=str(self.work / "cache"))
        full_env.update(env or {})
        full_env.pop("CI", None)
        proc = subprocess.run(
            [sys.executable, "-m", "papers2anki", *args], cwd=self.work, env=full_env, capture_output=True
        )
        out = proc.stdout + b"\n--stderr--\n" + proc.stderr
        self.lines.append(f"{name}: exit {proc.returncode} output {sha(out)}")
        if self.show:
            self.lines.append(out.decode("utf-8", "replace"))
        for path in outputs:
            self.files(name, self.work / path)

    def files(self, name: str, where: Path) -> None:
        if where.is_file():
            self.lines.append(f"{name}:   {where.relative_to(self.work)} {sha(where.read_bytes())}")
            return
        for file in sorted(p for p in where.rglob("*") if p.is_file()):
            self.lines.append(f"{name}:   {file.relative_to(self.work)} {sha(file.read_bytes())}")


def copy_inputs(work: Path) -> None:
    shutil.copytree(REPO / "sources", work / "sources", ignore=shutil.ignore_patterns("*.lock"))
    for name in FIXTURES:
        if (REPO / "tests" / "fixtures" / name).exists():
            shutil.copytree(REPO / "tests" / "fixtures" / name, work / "fixtures" / name)
    sys.path.insert(0, str(REPO / "benchmarks"))
    from corpus import write_corpus

    write_corpus(work / "corpus", 3000, seed=11)  # enough papers that 4 workers start a pool


def edit_sequence(r: Runner, tag: str, env: dict[str, str]) -> None:
    """Build, then edit a question, add one, remove a paper and undo, rebuilding after each step."""
    src = r.work / f"seq-{tag}"
    shutil.copytree(r.work / "sources", src)
    first = src / "seminar-01.txt"
    original = first.read_text("utf-8")
    lines = original.splitlines(keepends=True)
    numbered = [i for i, line in enumerate(lines) if line[:2].strip().rstrip(".").isdigit()]
    steps: list[tuple[str, str | None]] = [("initial", None)]
    edited = lines.copy()
    edited[numbered[0]] = edited[numbered[0]].rstrip("\n") + " (уточнение)\n"
    steps.append(("edit", "".join(edited)))
    added = edited + ["\n", f"{len(numbered) + 1}. Новый вопрос про x_i?\n"]
    steps.append(("add", "".join(added)))
    steps.append(("remove-paper", None))
    steps.append(("undo", original))
    removed = src / "review-jem.md"
    review = removed.read_bytes()
    for step, text in steps:
        if step == "remove-paper":
            removed.unlink()
        elif step == "undo":
            removed.write_bytes(review)
        if text is not None:
            first.write_text(text, "utf-8")
        r.run(f"seq-{tag}-{step}", ["build", src.name, "--out", f"seq-{tag}-decks"], env)
        r.files(f"seq-{tag}-{step}", r.work / f"seq-{tag}-decks")
        r.files(f"seq-{tag}-{step}", src / "papers2anki.lock")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--show", action="store_true", help="print each command's output too")
    parser.add_argument("--keep", action="store_true", help="keep the work folder and say where it is")
    args = parser.parse_args()
    # A folder of a fixed name: a lock given at its top (`--lock fx.lock`) makes it the course folder's
    # child, and the cards name their files from the course folder (`work/fixtures/...`).
    work = Path(tempfile.mkdtemp(prefix="p2a-manifest-")) / "work"
    work.mkdir()
    try:
        copy_inputs(work)
        r = Runner(work, args.show)
        one = {"PAPERS2ANKI_JOBS": "1"}
        r.run("build-sources", ["build", "sources", "--out", "decks"], one, ("decks", "sources/papers2anki.lock"))
        r.run("build-sources-again", ["build", "sources", "--out", "decks"], one, ("decks",))
        r.run("build-single", ["build", "sources", "--single", "all.apkg", "--lock", "single.lock"], one)
        r.files("build-single", work / "all.apkg")
        r.files("build-single", work / "single.lock")
        fixtures = [f"fixtures/{name}" for name in FIXTURES if (work / "fixtures" / name).exists()]
        r.run("build-fixtures", ["build", *fixtures, "--out", "fx", "--lock", "fx.lock", "--force"], one, ("fx",))
        r.files("build-fixtures", work / "fx.lock")
        for jobs in ("1", "4"):
            name = f"build-corpus-jobs{jobs}"
            r.run(name, ["build", "corpus", "--out", f"c{jobs}", "--lock", f"c{jobs}.lock"], {"PAPERS2ANKI_JOBS": jobs})
            r.files(name, work / f"c{jobs}")
            r.files(name, work / f"c{jobs}.lock")
        edit_sequence(r, "cache", one)
        edit_sequence(r, "nocache", {"PAPERS2ANKI_CACHE": "off", "PAPERS2ANKI_JOBS": "1"})
        for path in ["sources", *fixtures]:
            r.run(f"parse-json {path}", ["parse", path, "--json"], one)
            r.run(f"check-json {path}", ["check", path, "--format", "json"], one)
        r.run("preview", ["preview", "sources", "--out", "page/preview.html"], one)
        r.files("preview", work / "page" / "preview.html")
        print("\n".join(r.lines))
    finally:
        if args.keep:
            print(f"# work folder: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
