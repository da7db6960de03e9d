"""A course's defaults in `pyproject.toml`'s `[tool.papers2anki]` or a `papers2anki.toml`: every command
takes them, the command line wins, `--help` says where they come from, a bad file is a usage error at
its line. Through the CLI, run from the course's folder (or one below it), with the real Anki backend
where the decks' names or a push are the story."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import import_packages

from papers2anki.cli import main

PAPER = "Attention Is All You Need\n\n1. Зачем нужно позиционное кодирование?\n2. Что такое multi-head attention?\n"


def course(folder: Path, config: str, name: str = "pyproject.toml") -> Path:
    """A course folder with one list in `lists/` and the config file `name`."""
    (folder / "lists").mkdir(parents=True)
    (folder / "lists" / "week-01.txt").write_text(PAPER, encoding="utf-8")
    (folder / name).write_text(config, encoding="utf-8")
    return folder


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": "1780000000"})


PYPROJECT = """\
[project]
name = "ml-course"

[tool.papers2anki]
sources = ["lists"]
out = "build/decks"
root = "ML course"
"""


def deck_names(collection, folder: Path) -> set[str]:  # type: ignore[no-untyped-def]
    import_packages(collection, sorted(folder.glob("*.apkg")))
    return {d.name for d in collection.decks.all_names_and_ids() if "::" in d.name}


def test_pyproject_sets_what_build_reads_and_writes(tmp_path: Path, monkeypatch, collection) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path / "course", PYPROJECT)
    monkeypatch.chdir(tmp_path / "course")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert "1 deck file written to build/decks" in result.output
    assert (tmp_path / "course" / "lists" / "papers2anki.lock").is_file()
    assert not (tmp_path / "course" / "decks").exists()
    assert deck_names(collection, tmp_path / "course" / "build" / "decks") == {"ML course::Attention Is All You Need"}


def test_the_command_line_wins_over_the_config(tmp_path: Path, monkeypatch, collection) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path / "course", PYPROJECT)
    (tmp_path / "course" / "other").mkdir()
    (tmp_path / "course" / "other" / "a.txt").write_text("BERT\n\n1. Как устроено маскирование?\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "course")
    result = run("build", "other", "--out", "mine", "--root", "Mine")
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "course" / "build").exists()
    assert deck_names(collection, tmp_path / "course" / "mine") == {"Mine::BERT"}


def test_a_config_in_a_folder_above_is_found_and_its_paths_are_its_own(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config = 'sources = "lists"\nout = "build/decks"\n'
    course(tmp_path / "course", config, name="papers2anki.toml")
    (tmp_path / "course" / "notes" / "deep").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "course" / "notes" / "deep")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "course" / "build" / "decks").iterdir()) == [
        "attention-is-all-you-need.apkg"
    ]
    assert "written to ../../build/decks" in result.output


def test_papers2anki_toml_wins_over_pyproject_in_the_same_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path, PYPROJECT)
    (tmp_path / "papers2anki.toml").write_text('sources = "lists"\nout = "own"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    assert (tmp_path / "own").is_dir() and not (tmp_path / "build").exists()


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path, 'sources = "lists"\nout = "from-above"\n', name="papers2anki.toml")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "papers2anki-notes"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path / "pkg")
    result = run("check")
    assert result.exit_code == 0, result.output
    assert result.output == "0 errors, 0 warnings\n"


def test_help_says_where_the_defaults_come_from(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    course(tmp_path, PYPROJECT)
    monkeypatch.chdir(tmp_path)
    shown = " ".join(run("build", "--help").output.split())
    assert "[default: build/decks]" in shown and "[default: ML course]" in shown
    expected = 'Defaults from pyproject.toml [tool.papers2anki]: sources = ["lists"], out = "build/decks"'
    assert expected in shown
    monkeypatch.chdir(tmp_path / "lists")
    shown = " ".join(run("preview", "--help").output.split())
    assert 'Defaults from ../pyproject.toml [tool.papers2anki]: sources = ["."], root = "ML course";' in shown
    assert "[default: preview.html]" in shown  # `out` is build's folder of decks, not the page


BAD = [
    (
        "[tool.papers2anki]\nsources = 'lists'\noutt = 'x'\n",
        "pyproject.toml:3: unknown key 'outt'",
        "did you mean 'out'",
    ),
    ("[tool.papers2anki]\n\nout = 3\n", "pyproject.toml:3: 'out' must be a folder, not a number", ""),
    ("[tool.papers2anki]\nsources = []\n", "pyproject.toml:2: 'sources' must be a path or a list of paths", ""),
    ("[tool.papers2anki]\nroot = ''\n", "pyproject.toml:2: 'root' must be a deck name, not an empty string", ""),
    ("[tool.papers2anki]\nencoding = 'cp1252x'\n", "pyproject.toml:2: unknown encoding 'cp1252x'", ""),
    ("[tool.papers2anki]\nroot = 'a'\nroot = 'b'\n", "pyproject.toml:3: not valid TOML", ""),
    ("[project]\nname = 'x'\n[tool.papers2anki]\nprofile = ['User 1']\n", "pyproject.toml:4: 'profile' must be", ""),
]


@pytest.mark.parametrize(("config", "message", "hint"), BAD)
def test_a_bad_config_is_a_usage_error_at_its_line(
    tmp_path: Path,
    monkeypatch,  # type: ignore[no-untyped-def]
    config: str,
    message: str,
    hint: str,
) -> None:
    course(tmp_path, config)
    monkeypatch.chdir(tmp_path)
    for command in (["build"], ["check"], ["preview", "--help"]):
        result = run(*command)
        assert result.exit_code == 2, result.output
        assert f"Error: {message}" in result.output and hint in result.output
        assert "Traceback" not in result.output
    assert sorted(os.listdir(tmp_path)) == ["lists", "pyproject.toml"]  # nothing written
    assert os.listdir(tmp_path / "lists") == ["week-01.txt"]


def test_encoding_and_lock_from_the_config(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "a.txt").write_bytes(PAPER.encode("koi8-r"))
    config = 'sources = "lists"\nencoding = "koi8-r"\nlock = "state/course.lock"\n'
    (tmp_path / "papers2anki.toml").write_text(config, encoding="utf-8")
    (tmp_path / "state").mkdir()
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 0
    assert "Зачем нужно позиционное кодирование" in (tmp_path / "state" / "course.lock").read_text(encoding="utf-8")
    assert not (tmp_path / "lists" / "papers2anki.lock").exists()
    assert "Зачем нужно" in run("parse", "lists/a.txt").output  # parse takes the config's encoding too
    assert run("preview").exit_code == 0


def test_push_takes_the_profile_from_the_config_and_the_command_line_wins(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from anki.collection import Collection

    base = tmp_path / "Anki2"
    for profile in ("Course", "Other"):
        (base / profile).mkdir(parents=True)
        Collection(str(base / profile / "collection.anki2")).close()
    config = 'sources = "lists"\nprofile = "Course"\nendpoint = "http://127.0.0.1:9/"\n'
    course(tmp_path / "course", config, name="papers2anki.toml")
    monkeypatch.chdir(tmp_path / "course")
    env = {"ANKI_BASE": str(base), "PAPERS2ANKI_SYNC_PASSWORD": None, "SOURCE_DATE_EPOCH": "1780000000"}
    runner = CliRunner()
    pushed = runner.invoke(main, ["push"], env=env)  # the config's endpoint waits for --sync
    assert pushed.exit_code == 0, pushed.output
    assert "built 1 paper, 2 questions, 0 reviews" in pushed.output
    assert f"imported into {base / 'Course' / 'collection.anki2'}: 2 new" in pushed.output
    other = base / "Other" / "collection.anki2"
    by_path = runner.invoke(main, ["push", "--collection", str(other)], env=env)
    assert by_path.exit_code == 0, by_path.output
    assert f"imported into {other}: 2 new" in by_path.output
    by_name = runner.invoke(main, ["push", "--profile", "Other"], env=env)
    assert by_name.exit_code == 0 and "2 unchanged" in by_name.output
