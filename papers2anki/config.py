"""A course's defaults, written once: `[tool.papers2anki]` in `pyproject.toml`, or a `papers2anki.toml`.

The commands look in the current folder, then in each folder above it, and take the first that has
a `papers2anki.toml` (its keys at the top level) or a `pyproject.toml` with a `[tool.papers2anki]`
table; in one folder `papers2anki.toml` wins. Paths in it are relative to the folder it is in. The
command line wins over it, and it over the built-in defaults. An unknown key, a value of the wrong
type or a file that is not TOML is a usage error that names the file and line.

    [tool.papers2anki]
    sources = ["lists"]          # or "lists"
    out = "build/decks"
    root = "Курс ML"
    profile = "User 1"
    endpoint = "http://192.168.1.5:8080/"
"""

from __future__ import annotations

import codecs
import difflib
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

OWN_FILE = "papers2anki.toml"
PYPROJECT = "pyproject.toml"
TABLE = "tool.papers2anki"

#: key -> (the command parameter it sets, what its value must be, whether it is a path)
KEYS: dict[str, tuple[str, str, bool]] = {
    "sources": ("sources", "a path or a list of paths", True),
    "out": ("out_dir", "a folder", True),
    "lock": ("lock_path", "a file", True),
    "root": ("root", "a deck name", False),
    "encoding": ("encoding", "an encoding's name", False),
    "profile": ("profile", "an Anki profile's name", False),
    "endpoint": ("endpoint", "a sync server's URL", False),
}


class ConfigError(click.ClickException):
    """A config file that cannot be used: a usage error (exit 2), with the file and line."""

    exit_code = 2


@dataclass(slots=True)
class Config:
    """The defaults read from one file."""

    path: str  #: the file, as shown to the user (relative to the current folder when below it)
    table: str  #: where in it: "[tool.papers2anki]", or "" for a papers2anki.toml
    values: dict[str, Any] = field(default_factory=dict)  #: key -> value, paths relative to the current folder
    written: dict[str, tuple[int, Any]] = field(default_factory=dict)  #: key -> its line, and its value as written

    def describe(self, params: set[str | None]) -> str:
        """Where the defaults of a command with these parameters come from, and which they are."""
        where = f"{self.path} {self.table}".strip()
        mine = [f"{key} = {_show(value)}" for key, value in self.values.items() if KEYS[key][0] in params]
        if not mine:
            return f"Config file: {where} (it sets none of this command's defaults)."
        return f"Defaults from {where}: {', '.join(mine)}; the command line wins."

    def missing_source(self, path: str) -> ConfigError:
        """The error for a path of `sources` (as the command got it) that does not exist: at its line, as
        written in the file."""
        line, written = self.written["sources"]
        items = written if isinstance(written, list) else [written]
        name = dict(zip(self.values["sources"], items)).get(path, path)
        return ConfigError(
            f"{self.path}:{line}: 'sources' names '{name}', which does not exist "
            f"(paths in {os.path.basename(self.path)} are relative to its folder)"
        )


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return f'"{value}"'


def find_config(start: Path | None = None) -> Config | None:
    """The config of the nearest folder, from `start` (the current folder) up, that has one; None if none."""
    try:
        here = (start or Path.cwd()).resolve()
    except OSError:  # the current folder is gone: no config, and the command says what it cannot find
        return None
    for folder in (here, *here.parents):
        own = folder / OWN_FILE
        if own.is_file():
            return _read(own, here, pyproject=False)
        pyproject = folder / PYPROJECT
        if pyproject.is_file():
            found = _read(pyproject, here, pyproject=True)
            if found is not None:
                return found
    return None


def _read(path: Path, here: Path, pyproject: bool) -> Config | None:
    shown = os.path.relpath(path, here) if path.parent != here else path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    if pyproject and "papers2anki" not in text:
        return None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        line = int(at.group(1)) if at else text.count("\n") + 1
        raise ConfigError(f"{shown}:{line}: not valid TOML: {str(exc).split(' (at ')[0]}") from None
    if pyproject:
        table = data.get("tool", {}).get("papers2anki") if isinstance(data.get("tool"), dict) else None
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{shown}:{_line_of(text, 'papers2anki', False)}: [{TABLE}] must be a table")
    else:
        table = data
    config = Config(shown, f"[{TABLE}]" if pyproject else "")
    for key, value in table.items():
        line = _line_of(text, key, pyproject)
        if key not in KEYS:
            close = difflib.get_close_matches(key, KEYS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            known = f"{hint}the keys are {', '.join(KEYS)}"
            if not pyproject and key == "tool":  # the pyproject.toml table copied as it is
                known = f"a {OWN_FILE} has its keys at the top level, without [{TABLE}]; {known}"
            raise ConfigError(f"{shown}:{line}: unknown key '{key}' in {config.table or shown} ({known})")
        config.values[key] = _checked(key, value, f"{shown}:{line}", path.parent, here)
        config.written[key] = (line, value)
    return config


def _checked(key: str, value: Any, where: str, folder: Path, here: Path) -> Any:
    _, what, is_path = KEYS[key]
    many = key == "sources" and isinstance(value, list)
    items = value if many else [value]
    if not items or not all(isinstance(item, str) and item.strip() for item in items):
        raise ConfigError(f"{where}: '{key}' must be {what}, not {_toml(value)}")
    if key == "encoding":
        try:
            codecs.lookup(value)
        except LookupError:
            raise ConfigError(f"{where}: unknown encoding '{value}' (try cp1251, koi8-r, utf-8, utf-16)") from None
    if is_path:
        items = [_relative(item, folder, here) for item in items]
    return tuple(items) if key == "sources" else items[0]


def _toml(value: Any) -> str:
    """What a value is, as its author would say it: `a number`, `an empty list`, `a list holding a number`."""
    if isinstance(value, list):
        wrong = [item for item in value if not (isinstance(item, str) and item.strip())]
        return f"a list holding {_toml(wrong[0])}" if wrong else "an empty list" if not value else "a list"
    kind = {bool: "a boolean", int: "a number", float: "a number", dict: "a table"}
    return kind.get(type(value), "an empty string" if not str(value).strip() else repr(value))


def _relative(value: str, folder: Path, here: Path) -> str:
    """A path written relative to the config's folder, as a path relative to the current folder."""
    path = Path(value).expanduser()
    if path.is_absolute() or folder == here:
        return str(path)
    return os.path.relpath(folder / path, here)


def _line_of(text: str, key: str, in_table: bool) -> int:
    """The line where `key` is set: in the `[tool.papers2anki]` table (`in_table`) or at the top level."""
    lines = text.splitlines()
    start = 0
    if in_table:
        header = re.compile(r"^\s*\[\s*tool\s*\.\s*[\"']?papers2anki[\"']?\s*\]")
        start = next((i + 1 for i, line in enumerate(lines) if header.match(line)), 0)
    name = re.compile(rf"^\s*(?:tool\s*\.\s*)?(?:[\"']?papers2anki[\"']?\s*\.\s*)?[\"']?{re.escape(key)}[\"']?\s*[=.]")
    for i in range(start, len(lines)):
        if start and lines[i].lstrip().startswith("["):  # the next table
            break
        if name.match(lines[i]):
            return i + 1
    return start or 1


def default_map(config: Config | None, commands: Mapping[str, click.Command]) -> dict[str, dict[str, Any]]:
    """click's `default_map`: for each command, the config's values of the parameters it has."""
    if config is None:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, command in commands.items():
        params = {param.name for param in command.params}
        mine = {KEYS[key][0]: value for key, value in config.values.items() if KEYS[key][0] in params}
        if mine:
            out[name] = mine
    return out


def from_config(ctx: click.Context, name: str) -> bool:
    """Whether the parameter `name` has its value from the config file (not the command line)."""
    return ctx.get_parameter_source(name) is ParameterSource.DEFAULT_MAP
