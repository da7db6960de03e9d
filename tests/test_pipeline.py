"""End to end: the shipped lists become 18 decks that the real Anki backend imports."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from conftest import import_packages

from papers2anki.cli import main

JEM = "Your Classifier is Secretly an Energy Based Model and You Should Treat it Like One"
# Questions per paper, counted by hand from the lists in sources/.
EXPECTED = {
    JEM: 4,
    "Gradient Estimation with Stochastic Softmax Tricks": 3,
    "Learning with Differentiable Perturbed Optimizers": 3,
    "Generative Pretraining from Pixels": 3,
    "Mask-Predict: Parallel Decoding of Conditional Masked Language Models": 3,
    "On the Discrepancy between Density Estimation and Sequence Generation": 4,
    "Scaling Laws for Neural Language Models": 4,
    "The Curious Case of Neural Text Degeneration": 4,
    "Electra: Pre-Training Text Encoders As Discriminators Rather Than Generators": 3,
    "Loss Surfaces, Mode Connectivity, and Fast Ensembling of DNNs": 4,
    "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks": 3,
    "Understanding Deep Learning Requires Rethinking Generalization": 4,
    "Deep Equilibrium Models": 4,
    "Neural Ordinary Differential Equations": 3,
    "Neural Tangent Kernel": 4,
    "Fourier Features Let Networks Learn High Frequency Functions in Low Dimensional Domains": 3,
    "Transformers are RNNs: Fast Autoregressive Transformers with Linear Attention": 3,
    "Hopfield Networks is all you need": 3,
}


def build_cli(sources: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(main, ["build", str(sources), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


def test_shipped_sources_import_as_one_deck_per_paper(sources_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    output = build_cli(sources_copy, out)
    assert "18 papers, 62 questions, 1 review," in output
    files = sorted(out.glob("*.apkg"))
    assert len(files) == 18
    logs = import_packages(collection, files)
    assert sum(len(log.new) for log in logs) == 63

    decks = {d.name for d in collection.decks.all_names_and_ids()} - {"Default", "Papers"}
    assert decks == {f"Papers::{t}" for t in EXPECTED}
    for title, count in EXPECTED.items():
        nids = collection.find_notes(f'"deck:Papers::{title}" "note:papers2anki Question"')
        assert len(nids) == count, title
    review = collection.find_notes('"note:papers2anki Review"')
    assert len(review) == 1
    card = collection.get_note(review[0]).cards()[0]
    assert collection.decks.name(card.did) == f"Papers::{JEM}"
    assert "Цыганов Артем" in collection.get_note(review[0])["Reviewer"]
    assert "Данная работа была представлена" in collection.decks.by_name(f"Papers::{JEM}")["desc"]

    for nid in collection.find_notes('"note:papers2anki Question"'):
        note = collection.get_note(nid)
        assert not re.match(r"\s*([-*+]|\d)", note["Question"]), note["Question"]
        assert re.fullmatch(r"\d+(\.\d+)?", note["Number"])
        assert re.fullmatch(r"sources/seminar-0\d\.txt:\d+|.*seminar-0\d\.txt:\d+", note["Source"])
        assert len(note.tags) == 2 and any(t.startswith("seminar-0") for t in note.tags)
        assert "$" not in "".join(note.fields)


def test_fields_tags_and_card_order(sources_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    build_cli(sources_copy, out)
    import_packages(collection, sorted(out.glob("*.apkg")))
    nids = collection.find_notes('"deck:Papers::Deep Equilibrium Models"')
    notes = sorted((collection.get_note(n) for n in nids), key=lambda n: n.cards()[0].due)
    assert [n["Number"] for n in notes] == ["4.1", "4.2", "4.3", "4.4"]
    first = notes[0]
    assert first["Question"] == "Сформулируйте теорему о неявной функции для двумерного случая."
    assert first["Paper"] == "Deep Equilibrium Models"
    assert first["Answer"] == ""
    assert first["Source"].endswith("seminar-03.txt:25")
    assert sorted(first.tags) == ["deep-equilibrium-models", "seminar-03.txt"]
    front = first.cards()[0].question()
    assert "Deep Equilibrium Models" in front and "Сформулируйте теорему" in front


def test_importing_the_same_build_twice_changes_nothing(sources_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "decks"
    build_cli(sources_copy, out)
    files = sorted(out.glob("*.apkg"))
    import_packages(collection, files)
    before = {n: collection.get_note(n).mod for n in collection.find_notes("")}
    logs = import_packages(collection, files)
    assert sum(len(log.new) + len(log.updated) + len(log.conflicting) for log in logs) == 0
    assert {n: collection.get_note(n).mod for n in collection.find_notes("")} == before
    assert collection.models.by_name("papers2anki Question+") is None


def test_single_package(sources_copy: Path, tmp_path: Path, collection) -> None:
    out = tmp_path / "all.apkg"
    build_cli(sources_copy, tmp_path / "unused", "--single", str(out))
    import_packages(collection, [out])
    assert collection.note_count() == 63
    assert len(collection.decks.all_names_and_ids()) == 20  # Default, Papers and 18 papers
