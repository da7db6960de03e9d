"""The commands share their options: each of SOURCES, --encoding, --lock, --root is the same (same checks,
same help) wherever it appears; `preview` takes `--encoding` and `--lock` like `build`."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from papers2anki.cli import main

LIST = "Внимание — всё, что нужно\n\n1. Зачем нужно позиционное кодирование?\n2. Что такое многоголовое внимание?\n"
TAKES_SOURCES = ["build", "check", "preview", "push"]


@pytest.mark.parametrize("command", TAKES_SOURCES)
def test_help_says_sources_defaults_to_the_sources_folder(command: str) -> None:
    shown = " ".join(CliRunner().invoke(main, [command, "--help"]).output.split())
    assert "[SOURCES]..." in shown
    assert "SOURCES are question lists: files or folders of them (default: sources/" in shown


def _helps(option: str) -> dict[str, str | None]:
    found = {}
    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, click.Option) and option in param.opts:
                found[name] = param.help
    return found


@pytest.mark.parametrize(
    ("option", "commands"),
    [
        ("--encoding", {"build", "check", "parse", "preview", "push"}),
        ("--lock", {"build", "preview", "push"}),
        ("--root", {"build", "preview", "push"}),
    ],
)
def test_a_shared_option_has_one_help_everywhere(option: str, commands: set[str]) -> None:
    helps = _helps(option)
    assert set(helps) == commands
    assert len(set(helps.values())) == 1, helps


@pytest.mark.parametrize("command", ["build", "check", "parse", "preview", "push"])
def test_an_unknown_encoding_is_a_usage_error_for_every_command(command: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(LIST, encoding="utf-8")
    where = ["--collection", str(tmp_path / "none.anki2")] if command == "push" else []
    result = CliRunner().invoke(main, [command, str(tmp_path / "a.txt"), "--encoding", "nope", *where])
    assert result.exit_code == 2, result.output
    assert "unknown encoding 'nope'" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_preview_decodes_with_the_encoding_given(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_bytes(LIST.replace(" —", ":").encode("koi8-r"))
    page = tmp_path / "preview.html"
    args = ["preview", str(tmp_path / "sources"), "--out", str(page), "--encoding"]
    as_utf8 = CliRunner().invoke(main, [*args, "utf-8"])
    assert as_utf8.exit_code == 1 and "not valid utf-8" in as_utf8.output and "[encoding]" in as_utf8.output
    as_koi8 = CliRunner().invoke(main, [*args, "koi8-r"])
    assert as_koi8.exit_code == 0, as_koi8.output
    assert "Зачем нужно позиционное кодирование?" in page.read_text(encoding="utf-8")


def test_preview_keeps_the_deck_names_of_the_lock_given(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "a.txt").write_text(LIST, encoding="utf-8")
    lock = tmp_path / "state" / "course.lock"
    lock.parent.mkdir()
    assert (
        CliRunner().invoke(main, ["build", str(sources), "--lock", str(lock), "--out", str(tmp_path / "d")]).exit_code
        == 0
    )
    (sources / "a.txt").write_text(LIST.replace("Внимание —", "Внимание:"), encoding="utf-8")
    page = tmp_path / "p.html"
    result = CliRunner().invoke(main, ["preview", str(sources), "--lock", str(lock), "--out", str(page)])
    assert result.exit_code == 0, result.output
    assert "Внимание — всё, что нужно</h2>" in page.read_text(encoding="utf-8")
