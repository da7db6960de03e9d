"""How papers2anki's build time and memory grow with the size of the lists, against raw genanki.

    python benchmarks/bench_build.py --sizes 100,1000,10000,100000 --json benchmarks/results/last.json \\
        --plot benchmarks/results/last.png
    python benchmarks/bench_build.py --sizes 100,1000 --runs 5   # small courses: the median of 5 runs

For each size it writes a synthetic corpus (benchmarks/corpus.py) and measures, each in a fresh Python
process (so that peak memory is that measurement's own and no in-process cache helps):
- ours: `papers2anki.load` + `papers2anki.build`, one package per paper and `--single`, from nothing;
  then a rebuild with no change, and a rebuild after editing one question (per paper);
- each stage alone: read, parse, render, lint, package, write;
- the baseline: raw genanki as its README shows (`Model`, `Deck`, `Note`, `Package(...).write_to_file`),
  writing the same prepared fields (read back from our own single package) into the same decks,
  one file per paper or one for all;
- `papers2anki --help`, the cold start.
Times exclude the interpreter's start and, for the baseline, loading the prepared fields; the rebuilds
also report the time with imports. The work folder is on tmpfs (/dev/shm) when there is one, so that
both sides are measured without the disk's fsync latency, which on this machine varies threefold
from run to run (`--workdir` to choose another).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

TARGETS = {
    "paper_ratio": 1.0,  # one package per paper: ours / baseline
    "single_ratio": 4.0,  # one package for all
    "memory_ratio": 2.0,
    "rebuild_seconds": 1.0,  # no change
    "edit_seconds": 1.0,  # plus that package's share
    "growth": 12.0,  # 100k / 10k
    "help_seconds": 0.3,
}


# -- workers: each runs in its own process and prints one JSON line --------------------------------------


def _peak_mib(workers: int = 1) -> float:
    """Peak resident memory: this process's, plus `workers` times the largest child's.

    Our build forks one worker per core (papers2anki.engine.parallel); the kernel keeps only the largest
    child's peak, so counting it once per worker, at the same moment as our own peak, is an upper bound.
    """
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children * workers) / 1024


def worker_ours(args: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    import papers2anki
    from papers2anki.engine.parallel import jobs

    imported = time.perf_counter()
    corpus = papers2anki.load([args["sources"]])
    report = papers2anki.build(corpus, args["out"], lock_path=args["lock"], single=args.get("single"))
    done = time.perf_counter()
    return {
        "seconds": done - imported,
        "seconds_with_import": done - start,
        "peak_mib": _peak_mib(jobs()),
        "jobs": jobs(),
        "papers": report.papers,
        "questions": report.questions,
        "written": sorted(os.path.basename(w) for w in report.written),
    }


def worker_baseline(args: dict[str, Any]) -> dict[str, Any]:
    import genanki

    with open(args["prepared"], "rb") as f:
        prepared = pickle.load(f)
    start = time.perf_counter()
    models = {
        m["id"]: genanki.Model(
            m["id"],
            m["name"],
            fields=[{"name": name} for name in m["fields"]],
            templates=[{"name": m["template"], "qfmt": m["qfmt"], "afmt": m["afmt"]}],
            css=m["css"],
        )
        for m in prepared["models"]
    }
    decks = []
    for d in prepared["decks"]:
        deck = genanki.Deck(d["id"], d["name"], description=d["description"])
        for mid, guid, fields, tags, due in d["notes"]:
            deck.add_note(genanki.Note(model=models[mid], fields=fields, guid=guid, tags=tags, due=due))
        if args["single"]:
            decks.append(deck)
        else:  # written and let go, as a loop over papers would
            genanki.Package(deck).write_to_file(os.path.join(args["out"], d["file"]))
    if args["single"]:
        genanki.Package(decks).write_to_file(args["out"])
    return {"seconds": time.perf_counter() - start, "peak_mib": _peak_mib()}


def worker_stages(args: dict[str, Any]) -> dict[str, Any]:
    """Each stage alone, in pipeline order, with the library's own functions."""
    from pathlib import Path

    from papers2anki import package
    from papers2anki.api import drafts_of
    from papers2anki.files import write_files
    from papers2anki.lint import lint
    from papers2anki.notes import note_types
    from papers2anki.parse import parse_source
    from papers2anki.slug import unique_slugs
    from papers2anki.sources import find_source_files, read_source

    times: dict[str, float] = {}
    t = time.perf_counter()
    sources = [read_source(p) for p in find_source_files([args["sources"]])]
    times["read"] = time.perf_counter() - t
    t = time.perf_counter()
    papers = [paper for s in sources for paper in parse_source(s).papers]
    times["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    grouped = drafts_of(papers)
    times["render"] = time.perf_counter() - t
    t = time.perf_counter()
    lint(papers, [d for g in grouped for d in g], {s.path: s for s in sources})
    times["lint"] = time.perf_counter() - t
    question, review = note_types()
    kinds = {"question": question, "review": review}
    mods = {question.id: 1_700_000_000, review.id: 1_700_000_000}
    decks = [
        package.DeckSpec(
            f"Papers::{paper.title}",
            "",
            [package.NoteSpec(kinds[d.kind], f"g{i}-{d.position}", d.fields, ["t"], d.position, 1) for d in drafts],
            mods,
        )
        for i, (paper, drafts) in enumerate(zip(papers, grouped))
    ]
    t = time.perf_counter()
    files = {
        Path(args["out"], f"{slug}.apkg"): package.package_bytes([deck])
        for slug, deck in zip(unique_slugs([p.title for p in papers]), decks)
    }
    times["package_per_paper"] = time.perf_counter() - t
    t = time.perf_counter()
    package.package_bytes(decks)
    times["package_single"] = time.perf_counter() - t
    t = time.perf_counter()
    write_files(files)
    times["write_per_paper"] = time.perf_counter() - t
    return {"stages": times, "peak_mib": _peak_mib()}


WORKERS = {"ours": worker_ours, "baseline": worker_baseline, "stages": worker_stages}


def run_worker(kind: str, tmp: Path, timeout: float | None = None, **args: Any) -> dict[str, Any]:
    """Run a worker in a fresh process; one that outlasts `timeout` is stopped and reported as such."""
    # Temporary files (genanki's SQLite file) go to the work folder too: the baseline is not
    # slowed by the disk's fsync, which would flatter us.
    # `process_s`: the whole process's wall time, interpreter start and every import included, ours and
    # raw genanki's alike: what a user waits for from `papers2anki build` or from a genanki script.
    began = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", kind, json.dumps(args)],
            capture_output=True,
            text=True,
            env={**os.environ, "TMPDIR": str(tmp), "PAPERS2ANKI_CACHE": str(tmp / "cache")},
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"seconds": None, "timed_out_after": timeout, "peak_mib": None, "process_s": None}
    process_s = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{kind} worker failed:\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_s"] = process_s
    return result


# -- the harness --------------------------------------------------------------------------------------------


def prepare_baseline(single_apkg: Path, per_paper: Path, target: Path) -> None:
    """The prepared fields of every note, read back from our single package, for the baseline to write."""
    import sqlite3
    import zipfile

    from papers2anki.notes import note_types

    files = {}  # deck name -> our per-paper file name, so the baseline writes the same files
    for apkg in per_paper.glob("*.apkg"):
        files[_deck_names(apkg)[0]] = apkg.name
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(single_apkg) as zf:
            zf.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp, "collection.anki2"))
        decks_json = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        rows = conn.execute(
            "SELECT c.did, n.mid, n.guid, n.flds, n.tags, c.due FROM notes n JOIN cards c ON c.nid = n.id ORDER BY n.id"
        ).fetchall()
        conn.close()
    decks: dict[int, dict[str, Any]] = {}
    for did, mid, guid, flds, tags, due in rows:
        deck = decks.get(did)
        if deck is None:
            meta = decks_json[str(did)]
            deck = decks[did] = {
                "id": did,
                "name": meta["name"],
                "description": meta["desc"],
                "file": files[meta["name"]],
                "notes": [],
            }
        deck["notes"].append((mid, guid, flds.split("\x1f"), tags.split(), due))
    models = [
        {
            "id": t.id,
            "name": t.name,
            "fields": list(t.fields),
            "template": t.template,
            "qfmt": t.qfmt,
            "afmt": t.afmt,
            "css": t.css,
        }
        for t in note_types()
    ]
    with open(target, "wb") as f:
        pickle.dump({"models": models, "decks": list(decks.values())}, f)


def _deck_names(apkg: Path) -> list[str]:
    import sqlite3
    import zipfile

    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(apkg) as zf:
            zf.extract("collection.anki2", tmp)
        conn = sqlite3.connect(Path(tmp, "collection.anki2"))
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        conn.close()
    return [d["name"] for key, d in decks.items() if key != "1"]


def edit_one_question(sources: Path) -> tuple[Path, bytes]:
    """Reword one question in the middle of the corpus; returns the file and its old bytes."""
    files = sorted(sources.glob("seminar-*.txt"))
    path = files[len(files) // 2]
    old = path.read_bytes()
    text = old.decode("utf-8-sig")
    at = text.index("?")
    path.write_bytes(old[: len(old) - len(text.encode())] + (text[:at] + " (уточнено)" + text[at:]).encode())
    return path, old


def measure_help(runs: int = 7) -> dict[str, float]:
    script = Path(sys.executable).with_name("papers2anki")
    cmd = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "papers2anki", "--help"]
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        times.append(time.perf_counter() - t)
    return {"median": statistics.median(times), "min": min(times)}


def clear_caches(work: Path) -> None:
    """Remove what builds keep to skip unchanged work (papers2anki.engine.cache): the next starts from nothing."""
    shutil.rmtree(work / "cache", ignore_errors=True)


def median_run(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median time (its peak memory with it), with every run's seconds beside it."""
    if len(results) == 1:
        return results[0]
    done = sorted((r for r in results if r["seconds"] is not None), key=lambda r: r["seconds"])
    if len(done) < len(results):  # one stopped: the time is a bound
        return next(r for r in results if r["seconds"] is None)
    processes = sorted(r["process_s"] for r in done)
    return {
        **done[(len(done) - 1) // 2],
        "runs": [r["seconds"] for r in results],
        "process_s": processes[(len(processes) - 1) // 2],  # its own median
    }


def measure_size(size: int, work: Path, seed: int, baseline_timeout: float, log: Any, runs: int = 1) -> dict[str, Any]:
    """Each build from nothing, and the baseline, `runs` times in turn (each a fresh process, ours from an
    empty cache folder and decks folder): the median is kept."""
    from corpus import write_corpus

    base = work / str(size)
    sources = base / "sources"
    counts = write_corpus(sources, size, seed)
    log(f"{size}: corpus {counts}")
    out: dict[str, Any] = {"size": size, "corpus": counts, "runs": runs}

    # Our single package first: the baseline writes the fields read back from it.
    single = base / "single"
    apkg = single / "all.apkg"
    single_kw = {
        "sources": str(sources),
        "out": str(single),
        "lock": str(single / "papers2anki.lock"),
        "single": str(apkg),
    }
    paper = base / "paper"
    paper_kw = {"sources": str(sources), "out": str(paper / "decks"), "lock": str(paper / "papers2anki.lock")}

    def ours(folder: Path, kw: dict[str, Any]) -> dict[str, Any]:
        clear_caches(work)
        shutil.rmtree(folder, ignore_errors=True)
        return run_worker("ours", work, **kw)

    def baseline(target: Path, single: bool, timeout: float | None = None) -> dict[str, Any]:
        shutil.rmtree(target, ignore_errors=True)
        if not single:
            target.mkdir()
        return run_worker("baseline", work, timeout, prepared=str(prepared), out=str(target), single=single)

    prepared = base / "prepared.pickle"
    runs_of: dict[str, list[dict[str, Any]]] = {"single": [], "paper": [], "baseline_paper": [], "baseline_single": []}
    for n in range(runs):
        runs_of["single"].append(ours(single, single_kw))
        if n == runs - 1:  # a rebuild from the lock and cache of the last single build
            out["single_rebuild"] = run_worker("ours", work, **single_kw)
        runs_of["paper"].append(ours(paper, paper_kw))
        if n == 0:
            prepare_baseline(apkg, paper / "decks", prepared)
        runs_of["baseline_paper"].append(baseline(base / "baseline", False))
        runs_of["baseline_single"].append(baseline(base / "b.apkg", True, baseline_timeout))
    for key, found in runs_of.items():
        out[key] = median_run(found)
    log(f"{size}: ours per paper {out['paper']['seconds']:.2f} s, single {out['single']['seconds']:.2f} s")
    base_paper, base_single = out["baseline_paper"]["seconds"], _seconds(out["baseline_single"])
    log(f"{size}: baseline per paper {base_paper:.2f} s, single {base_single}")
    log(f"{size}: single, rebuild with no change {out['single_rebuild']['seconds']:.2f} s")

    # The rebuilds from the last per paper build's lock and cache.
    out["rebuild"] = run_worker("ours", work, **paper_kw)
    log(f"{size}: rebuild, no change {out['rebuild']['seconds']:.2f} s")
    edited, old = edit_one_question(sources)
    try:
        out["edit"] = run_worker("ours", work, **paper_kw)
    finally:
        edited.write_bytes(old)
    out["edit"]["edited"] = edited.name
    log(f"{size}: rebuild, one question edited {out['edit']['seconds']:.2f} s, wrote {out['edit']['written']}")

    (base / "stages").mkdir()
    out["stages"] = run_worker("stages", work, sources=str(sources), out=str(base / "stages"))["stages"]
    log(f"{size}: stages " + ", ".join(f"{k} {v:.2f}" for k, v in out["stages"].items()))
    shutil.rmtree(base)
    return out


def _seconds(result: dict[str, Any]) -> str:
    if result["seconds"] is None:
        return f"> {result['timed_out_after']:.0f} s (stopped)"
    return f"{result['seconds']:.2f} s"


def summarise(results: list[dict[str, Any]], help_time: dict[str, float]) -> dict[str, Any]:
    """Ratios and the targets, judged at the largest size run (100,000 questions in the full run).

    When raw genanki did not finish a single package within the time allowed, its time is a lower
    bound, and the ratio an upper bound (marked `bound`).
    """
    rows = []
    for r in results:
        papers = r["corpus"]["papers"]
        bs = r["baseline_single"]
        single_bound = bs["seconds"] is None
        baseline_single_s = bs["timed_out_after"] if single_bound else bs["seconds"]
        memory = [r["paper"]["peak_mib"] / r["baseline_paper"]["peak_mib"]]
        if bs["peak_mib"]:
            memory.append(r["single"]["peak_mib"] / bs["peak_mib"])
        rows.append(
            {
                "size": r["size"],
                "papers": papers,
                "paper_s": r["paper"]["seconds"],
                "baseline_paper_s": r["baseline_paper"]["seconds"],
                "paper_ratio": r["paper"]["seconds"] / r["baseline_paper"]["seconds"],
                "paper_process_s": r["paper"]["process_s"],
                "baseline_paper_process_s": r["baseline_paper"]["process_s"],
                "paper_process_ratio": r["paper"]["process_s"] / r["baseline_paper"]["process_s"],
                "single_s": r["single"]["seconds"],
                "baseline_single_s": baseline_single_s,
                "baseline_single_bound": single_bound,
                "single_ratio": r["single"]["seconds"] / baseline_single_s,
                "paper_mib": r["paper"]["peak_mib"],
                "baseline_paper_mib": r["baseline_paper"]["peak_mib"],
                "single_mib": r["single"]["peak_mib"],
                "baseline_single_mib": bs["peak_mib"],
                "memory_ratio": max(memory),
                "rebuild_s": r["rebuild"]["seconds"],
                "rebuild_with_import_s": r["rebuild"]["seconds_with_import"],
                "single_rebuild_s": r["single_rebuild"]["seconds"],
                "edit_s": r["edit"]["seconds"],
                "edit_with_import_s": r["edit"]["seconds_with_import"],
                "edit_written": r["edit"]["written"],
                "share_s": r["paper"]["seconds"] / papers,
            }
        )
    by_size = {row["size"]: row for row in rows}
    top = by_size[max(by_size)]
    verdict: dict[str, Any] = {"judged_at": top["size"]}
    verdict["paper_ratio"] = top["paper_ratio"] <= TARGETS["paper_ratio"]
    verdict["single_ratio"] = top["single_ratio"] <= TARGETS["single_ratio"]
    verdict["memory_ratio"] = top["memory_ratio"] <= TARGETS["memory_ratio"]
    verdict["rebuild_seconds"] = top["rebuild_s"] <= TARGETS["rebuild_seconds"]
    apkgs = [w for w in top["edit_written"] if w.endswith(".apkg")]
    verdict["edit_seconds"] = len(apkgs) == 1 and top["edit_s"] <= TARGETS["edit_seconds"] + top["share_s"]
    if 100_000 in by_size and 10_000 in by_size:
        growth = max(by_size[100_000][k] / by_size[10_000][k] for k in ("paper_s", "single_s"))
        verdict["growth"] = growth <= TARGETS["growth"]
        verdict["growth_value"] = growth
    verdict["help_seconds"] = help_time["median"] <= TARGETS["help_seconds"]
    return {"rows": rows, "help": help_time, "verdict": verdict, "targets": TARGETS}


def table(summary: dict[str, Any], results: list[dict[str, Any]]) -> str:
    lines = [
        "| questions (papers) | per paper: ours / genanki, s | ratio | single: ours / genanki, s | ratio "
        "| peak MiB, per paper: ours / genanki | peak MiB, single: ours / genanki "
        "| rebuild, no change, s | rebuild, 1 question edited, s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in summary["rows"]:
        bound = r["baseline_single_bound"]
        baseline_single = f"> {r['baseline_single_s']:.0f}" if bound else f"{r['baseline_single_s']:.2f}"
        baseline_mib = f"{r['baseline_single_mib']:.0f}" if r["baseline_single_mib"] else "?"
        lines.append(
            f"| {r['size']:,} ({r['papers']:,}) | {r['paper_s']:.2f} / {r['baseline_paper_s']:.2f} "
            f"| **{r['paper_ratio']:.2f}** | {r['single_s']:.2f} / {baseline_single} "
            f"| **{'< ' if bound else ''}{r['single_ratio']:.2f}** "
            f"| {r['paper_mib']:.0f} / {r['baseline_paper_mib']:.0f} | {r['single_mib']:.0f} / {baseline_mib} "
            f"| {r['rebuild_s']:.2f} (single {r['single_rebuild_s']:.2f}) "
            f"| {r['edit_s']:.2f}, {sum(w.endswith('.apkg') for w in r['edit_written'])} package written |"
        )
    lines += [
        "",
        "Whole processes, interpreter start and imports included (one package per paper):",
        "",
        "| questions | ours / genanki, s | ratio |",
        "|---:|---:|---:|",
    ]
    for r in summary["rows"]:
        lines.append(
            f"| {r['size']:,} | {r['paper_process_s']:.2f} / {r['baseline_paper_process_s']:.2f} "
            f"| **{r['paper_process_ratio']:.2f}** |"
        )
    stages = list(results[0]["stages"])
    lines += ["", "| questions | " + " | ".join(stages) + " |", "|---:|" + "---:|" * len(stages)]
    for r in results:
        lines.append(f"| {r['size']:,} | " + " | ".join(f"{v:.2f}" for v in r["stages"].values()) + " |")
    v = summary["verdict"]
    jobs = results[-1]["paper"].get("jobs", 1)
    lines += [
        "",
        f"Ours ran with {jobs} worker process(es) (papers2anki.engine.parallel); its peak memory counts the main"
        f" process's peak plus {jobs} times the largest worker's. Raw genanki runs in one process.",
        "",
        f"Builds from nothing and the baseline: the median of {results[-1].get('runs', 1)} run(s) each, in turn.",
        "",
        f"`papers2anki --help`: {summary['help']['median']:.3f} s (median of 7 runs)",
        "",
    ]
    lines.append(
        f"Targets at {v['judged_at']:,} questions: "
        + ", ".join(f"{k} {'met' if ok else 'NOT met'}" for k, ok in v.items() if isinstance(ok, bool))
    )
    return "\n".join(lines)


def plot(summary: dict[str, Any], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = summary["rows"]
    sizes = [r["size"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, label, style in (
        ("paper_s", "ours, one package per paper", "o-"),
        ("baseline_paper_s", "raw genanki, one package per paper", "o--"),
        ("single_s", "ours, one package for all", "s-"),
        ("baseline_single_s", "raw genanki, one package for all (where stopped: a lower bound)", "s--"),
        ("rebuild_s", "ours, rebuild with no change", "^-"),
        ("edit_s", "ours, rebuild after one edit", "v-"),
    ):
        ax.plot(sizes, [max(r[key], 1e-3) for r in rows], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("questions")
    ax.set_ylabel("seconds")
    ax.set_title("papers2anki build time against size (2 cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000,100000", help="comma-separated numbers of questions")
    parser.add_argument("--json", help="write the results as JSON to this file")
    parser.add_argument("--plot", help="draw time against size into this PNG (needs matplotlib: pip install .[bench])")
    parser.add_argument("--workdir", help="where to write corpora and decks (default: a new folder on /dev/shm)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--baseline-timeout",
        type=float,
        default=30,
        help="stop raw genanki's single package after this many seconds (it is quadratic in the decks)",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="build from nothing this many times, ours and the baseline in turn: the median is kept",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    ns = parser.parse_args()
    if ns.worker:
        print(json.dumps(WORKERS[ns.worker](json.loads(ns.args))))
        return

    began = time.perf_counter()
    # Bytecode for the package, as `pip install` compiles it: an editable install under
    # PYTHONDONTWRITEBYTECODE would otherwise compile every module in every measured process.
    import compileall

    import papers2anki

    compileall.compile_dir(os.path.dirname(papers2anki.__file__), quiet=1)
    root = ns.workdir or ("/dev/shm" if os.path.isdir("/dev/shm") else None)
    work = Path(tempfile.mkdtemp(prefix="p2a-bench-", dir=root))

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - began:6.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        results = [measure_size(int(s), work, ns.seed, ns.baseline_timeout, log, ns.runs) for s in ns.sizes.split(",")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    help_time = measure_help()
    summary = summarise(results, help_time)
    summary["results"] = results
    summary["total_seconds"] = time.perf_counter() - began
    summary["machine"] = {"cpus": os.cpu_count(), "python": sys.version.split()[0], "workdir": str(work)}
    print(table(summary, results))
    print(f"\nwhole run: {summary['total_seconds']:.0f} s")
    if ns.json:
        Path(ns.json).parent.mkdir(parents=True, exist_ok=True)
        Path(ns.json).write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", "utf-8")
    if ns.plot:
        Path(ns.plot).parent.mkdir(parents=True, exist_ok=True)
        plot(summary, ns.plot)


if __name__ == "__main__":
    main()
