"""A rebuild after a few files changed (papers2anki.engine.rebuild) writes exactly what a full build does."""

from __future__ import annotations

import random
import re
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, import_packages

import papers2anki
from papers2anki.engine import rebuild
from papers2anki.slug import unique_slugs
from papers2anki.text import title_key

sys.path.insert(0, str(REPO / "benchmarks"))

from corpus import write_corpus  # noqa: E402

EPOCH = 1_700_000_000
QUESTION = re.compile(r"^(\s*-?\s*\d+(?:\.\d+)*\.\s+)(\S.*\?)$", re.M)  # a numbered line that asks


def questions(text: str) -> list[re.Match[str]]:
    """The questions that have another question right after them: editing one leaves its paper in place."""
    found = list(QUESTION.finditer(text))
    return [m for m, after in zip(found, found[1:]) if text[m.end() : after.start()].strip() == ""]


def outputs(state: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in [*state.glob("decks/*.apkg"), state / "papers2anki.lock"]}


def build(sources: Path, state: Path, monkeypatch: pytest.MonkeyPatch, epoch: int, cache: str, **options):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    monkeypatch.setenv("PAPERS2ANKI_CACHE", cache)
    return papers2anki.build(
        papers2anki.load([sources]), state / "decks", lock_path=state / "papers2anki.lock", **options
    )


def lock_rows(lock: bytes, titles: list[str]) -> list[str]:
    """The lines of a lock that name one of these papers (its deck name and its notes), without the comma
    that ends all lines but the last of a block."""
    keys = {f'"paper": "{title_key(title)}"' for title in titles}
    return [line.rstrip(",") for line in lock.decode("utf-8").splitlines() if any(key in line for key in keys)]


def watch_the_fast_path(monkeypatch: pytest.MonkeyPatch, taken: list[bool]) -> None:
    """Record in `taken`, for each call of rebuild.delta, whether the build took the rebuild of a few papers."""
    real = rebuild.delta

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        done = real(*args, **kwargs)
        taken.append(done is not None)
        return done

    monkeypatch.setattr(rebuild, "delta", spy)


def reword(text: str, rng: random.Random) -> str:
    m = rng.choice(questions(text))
    return text[: m.start(2)] + "Уточнённо: " + m.group(2) + text[m.end(2) :]


def add_question(text: str, rng: random.Random) -> str:
    m = rng.choice(questions(text))
    return text[: m.end()] + "\n" + m.group(1) + "Новый вопрос про $x_{1:n}$ и \\lambda?" + text[m.end() :]


def drop_question(text: str, rng: random.Random) -> str:
    m = rng.choice(questions(text))
    return text[: m.start()] + text[m.end() + 1 :]


def shift_lines(text: str, rng: random.Random) -> str:
    return "\n\n" + text


def duplicate(text: str, rng: random.Random) -> str:
    m = rng.choice(questions(text))
    return text[: m.end()] + "\n" + m.group(0) + text[m.end() :]


def break_math(text: str, rng: random.Random) -> str:
    m = rng.choice(questions(text))
    return text[: m.end()] + " $x^2" + text[m.end() :]


def edit_review(text: str, rng: random.Random) -> str:
    return text.replace("Автор исследования:", "Ещё один абзац про $\\alpha_t$.\n\nАвтор исследования:", 1)


def retitle(text: str, rng: random.Random) -> str:
    first = next(line for line in text.splitlines() if line.strip() and not line.endswith("?"))
    return text.replace(first, first + " Revisited", 1)


EDITS = [reword, add_question, drop_question, shift_lines, duplicate, break_math, edit_review, retitle]


def test_rebuilds_of_a_few_files_equal_full_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collection) -> None:
    sources, fast, full = tmp_path / "sources", tmp_path / "fast", tmp_path / "full"
    write_corpus(sources, 300, seed=7)
    cache = str(tmp_path / "cache")
    build(sources, fast, monkeypatch, EPOCH, cache)
    shutil.copytree(fast, full)
    taken: list[bool] = []
    current: list[Path] = []
    watch_the_fast_path(monkeypatch, taken)
    rng = random.Random(11)
    deltas = 0
    files = sorted(p for p in sources.iterdir() if p.suffix == ".txt")
    reviews = sorted(sources.glob("*.md"))
    for step in range(24):
        edit = EDITS[step % len(EDITS)]
        chosen = [rng.choice(reviews)] if edit is edit_review else rng.sample(files, 1 + step % 3)
        before = {path: path.read_bytes() for path in chosen}
        for path in chosen:
            path.write_text(edit(path.read_text("utf-8-sig"), rng), "utf-8")
        epoch = EPOCH + 100 * (step + 1)
        taken.clear()
        previous = outputs(fast)
        ours = build(sources, fast, monkeypatch, epoch, cache)
        expected = build(sources, full, monkeypatch, epoch, "off")
        assert repr(ours).replace(str(fast), "STATE") == repr(expected).replace(str(full), "STATE"), edit.__name__
        assert outputs(fast) == outputs(full), edit.__name__
        # A paper with errors (a duplicated question, broken math) is held back: a full build does that.
        expect_delta = edit is not retitle and not ours.held_back
        assert taken == [True] or not expect_delta, (edit.__name__, taken)
        deltas += taken == [True]
        if edit is reword:
            # The reworded papers' decks written, and the lock.
            assert len(ours.written) == len(chosen) + 1
        if edit in (duplicate, break_math):
            assert ours.errors and ours.held_back, edit.__name__
        if ours.held_back:  # its deck and its lock rows as they were
            assert taken == [False]
            titles = [paper.title for paper in papers2anki.load([sources]).papers]
            held = {f"{slug}.apkg" for slug, title in zip(unique_slugs(titles), titles) if title in ours.held_back}
            assert held and all(outputs(fast)[name] == previous[name] for name in held)
            assert not held & {Path(f).name for f in ours.written}
            rows = lock_rows(outputs(fast)["papers2anki.lock"], ours.held_back)
            assert rows and rows == lock_rows(previous["papers2anki.lock"], ours.held_back)
            # Put back, so that the next steps build every paper again (in full: the last build held one back).
            for path, data in before.items():
                path.write_bytes(data)
            taken.clear()
            ours = build(sources, fast, monkeypatch, epoch + 50, cache)
            expected = build(sources, full, monkeypatch, epoch + 50, "off")
            assert repr(ours).replace(str(fast), "STATE") == repr(expected).replace(str(full), "STATE")
            assert outputs(fast) == outputs(full) and not ours.errors and taken == []
        current = [Path(f) for f in ours.written + ours.unchanged if f.endswith(".apkg")]
    assert deltas >= 12  # (14 with this seed: every edit but a title's and those that hold a paper back)
    # The decks of the last build import into Anki, one note per entry of the lock that is not removed.
    logs = import_packages(collection, sorted(current))
    live = sum('"removed": null' in line for line in (fast / "papers2anki.lock").read_text("utf-8").splitlines())
    assert sum(len(log.new) for log in logs) == live


def test_a_rebuild_of_a_few_files_spells_paths_and_names_as_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deck files under `--out ./decks`, and a review-only paper whose heading changes only in punctuation."""
    monkeypatch.chdir(tmp_path)
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "list.txt").write_text(
        "Deep Residual Learning\n\n1. Что такое $x_1$?\n2. Зачем нужен ResNet?\n", "utf-8"
    )
    review = "## Исследование статьи **Transformer–XL**\n\n(Zihang Dai)\n\nАвтор исследования: Иванов Иван\n\nТекст.\n"
    (sources / "review.md").write_text(review, "utf-8")
    results = {}
    for name, cache in (("fast", str(tmp_path / "cache")), ("full", "off")):
        monkeypatch.setenv("PAPERS2ANKI_CACHE", cache)
        state = tmp_path / name
        steps = []
        for step, (path, old, new) in enumerate(
            [
                (None, "", ""),
                ("list.txt", "Что такое", "Что значит"),
                ("review.md", "Transformer–XL", "Transformer-XL"),
                ("review.md", "Текст.", "Другой текст."),
            ]
        ):
            if path:
                text = (sources / path).read_text("utf-8")
                (sources / path).write_text(text.replace(old, new), "utf-8")
            monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH + step))
            report = papers2anki.build(
                papers2anki.load(["sources"]), f"./{name}/decks", lock_path=f"{name}/papers2anki.lock"
            )
            steps.append((repr(report).replace(name, "STATE"), outputs(state)))
        results[name] = steps
        (sources / "list.txt").write_text("Deep Residual Learning\n\n1. Что такое $x_1$?\n2. Зачем нужен ResNet?\n")
        (sources / "review.md").write_text(review, "utf-8")
    assert results["fast"] == results["full"]
    assert "transformer-xl.apkg" in results["fast"][-1][1]


def test_papers_merged_across_files_and_second_reviews_rebuild_as_a_full_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A paper in two files (one in a subfolder, titled in other case), twice in one file, reviewed twice."""
    sources = tmp_path / "sources"
    (sources / "sub").mkdir(parents=True)
    (sources / "a.txt").write_text(
        "Paper Alpha\n\n1. Что такое $x$?\n2. Зачем нужен y_1?\n\nPaper Beta\n\n1. Как работает \\lambda?\n", "utf-8"
    )
    (sources / "sub" / "b.txt").write_text(
        "PAPER ALPHA\n\n1. Ещё вопрос про d?\n\nPaper Beta\n\n1. Снова вопрос?\n\nPaper Beta\n\n1. Повтор вопрос?\n",
        "utf-8",
    )
    reviews = "".join(
        f"## Исследование статьи **Paper Alpha**\n\n({who})\n\nАвтор исследования: {by}\n\n{text}\n\n"
        for who, by, text in (("Someone", "Иван", "Текст про $x$."), ("Other", "Пётр", "Второй."))
    )
    (sources / "r.md").write_text(reviews, "utf-8")
    fast, full, cache = tmp_path / "fast", tmp_path / "full", str(tmp_path / "cache")
    build(sources, fast, monkeypatch, EPOCH, cache)
    shutil.copytree(fast, full)
    taken: list[bool] = []
    watch_the_fast_path(monkeypatch, taken)
    edits = [
        ("sub/b.txt", "Ещё вопрос", "Другой вопрос"),
        ("a.txt", "Зачем нужен", "Почему нужен"),
        ("r.md", "Второй.", "Второй текст."),
        ("r.md", "Текст про", "Рассказ про"),
        ("sub/b.txt", "Повтор вопрос?", "Повтор вопрос?\n2. Новый?"),
        ("a.txt", "Paper Beta\n\n1. Как", "Paper Beta\n\n\n1. Как"),
    ]
    for step, (name, old, new) in enumerate(edits, 1):
        path = sources / name
        path.write_text(path.read_text("utf-8").replace(old, new, 1), "utf-8")
        taken.clear()
        ours = build(sources, fast, monkeypatch, EPOCH + step, cache)
        expected = build(sources, full, monkeypatch, EPOCH + step, "off")
        assert taken == [True], name
        assert repr(ours).replace(str(fast), "STATE") == repr(expected).replace(str(full), "STATE")
        assert outputs(fast) == outputs(full)
        assert {p.rule for p in ours.problems} >= {"merged-title", "duplicate-review"}
