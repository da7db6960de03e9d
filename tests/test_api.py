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
