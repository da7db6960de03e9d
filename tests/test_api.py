"""The public API stays callable: no submodule shadows an exported function."""

from __future__ import annotations

import importlib

from conftest import SOURCES

import papers2anki


def test_exported_names_are_the_functions_after_every_module_is_loaded() -> None:
    importlib.import_module("papers2anki.cli")  # loads every command module

    corpus = papers2anki.load([SOURCES])
    for name in papers2anki.__all__:
        value = getattr(papers2anki, name)
        assert not isinstance(value, type(papers2anki)), f"papers2anki.{name} is a module"
    assert papers2anki.check([SOURCES]) == []
    assert len(corpus.papers) == 18


def test_a_title_with_double_colons_stays_one_deck(tmp_path, collection) -> None:  # type: ignore[no-untyped-def]
    from conftest import import_packages

    src = tmp_path / "list.txt"
    src.write_text("C++::STL Considered Harmful\n\n1. Вопрос?\n", "utf-8")
    report = papers2anki.build(papers2anki.load([src]), tmp_path / "decks", lock_path=tmp_path / "lock")
    import_packages(collection, [d.file for d in report.decks])
    assert {d.name for d in collection.decks.all_names_and_ids()} == {
        "Default",
        "Papers",
        "Papers::C++:STL Considered Harmful",
    }


def test_an_unknown_encoding_is_a_usage_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    from papers2anki.cli import main

    for command in ("build", "parse", "check"):
        result = CliRunner().invoke(main, [command, str(SOURCES), "--encoding", "no-such-codec"])
        assert result.exit_code == 2, (command, result.output)
        assert "no-such-codec" in result.output


def test_a_broken_lock_is_a_located_message_for_build_and_push(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from anki.collection import Collection
    from click.testing import CliRunner

    from papers2anki.cli import main

    lock = tmp_path / "papers2anki.lock"
    lock.write_text("{broken", "utf-8")
    Collection(str(tmp_path / "collection.anki2")).close()
    for args in (
        ["build", str(SOURCES), "--out", str(tmp_path / "d"), "--lock", str(lock)],
        ["push", str(SOURCES), "--collection", str(tmp_path / "collection.anki2"), "--lock", str(lock)],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert f"{lock}: not a papers2anki lock" in result.output
        assert "Traceback" not in result.output
