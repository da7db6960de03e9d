"""The options the commands share, each declared once with one help text, and the commands' class, whose
help ends with where the defaults come from (the config file, see `config`).

Only click at module level: `papers2anki --help` stays fast.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from .config import OWN_FILE, PYPROJECT, TABLE, Config, from_config
from .defaults import DEFAULT_OUT, DEFAULT_PREVIEW, DEFAULT_ROOT, DEFAULT_SOURCES
from .messages import known_encoding

F = TypeVar("F", bound=Callable[..., Any])

CONFIG_KEY = "papers2anki.config"  #: where the group keeps the config it read, in the root context's `meta`
SOURCES_HELP = (
    f"SOURCES are question lists: files or folders of them (default: {DEFAULT_SOURCES}/, "
    "or `sources` in the config file)."
)


class Command(click.Command):
    """A command whose help ends with where its defaults come from."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        config: Config | None = ctx.find_root().meta.get(CONFIG_KEY)
        if config is not None:
            text = config.describe({param.name for param in self.params})
        else:
            text = f"No config file: defaults can be set in {OWN_FILE} or {PYPROJECT}'s [{TABLE}] (see the README)."
        formatter.write_paragraph()
        with formatter.indentation():
            formatter.write_text(text)


class SourcePath(click.Path):
    """An existing file or folder. One that the config file's `sources` names and that does not exist is
    said as the config's mistake, at its line: the user typed no SOURCES."""

    def __init__(self) -> None:
        super().__init__(exists=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if ctx is not None and param is not None and param.name and from_config(ctx, param.name):
            config: Config | None = ctx.find_root().meta.get(CONFIG_KEY)
            if config is not None and not os.path.lexists(value):
                raise config.missing_source(value)
        return super().convert(value, param, ctx)


def sources_argument(command: F) -> F:
    """SOURCES: any number of existing files or folders; its default is said in the command's help."""
    command.__doc__ = f"{inspect.cleandoc(command.__doc__ or '')}\n\n{SOURCES_HELP}"
    return click.argument("sources", nargs=-1, type=SourcePath())(command)


encoding_option = click.option(
    "--encoding", callback=known_encoding, help="Decode the sources with this encoding instead of detecting it."
)
lock_option = click.option(
    "--lock",
    "lock_path",
    type=click.Path(dir_okay=False),
    help="The lock file: notes' identities, deck names (default: papers2anki.lock beside the sources).",
)
root_option = click.option("--root", default=DEFAULT_ROOT, show_default=True, help="Parent deck of every paper's deck.")
decks_out_option = click.option(
    "--out",
    "out_dir",
    default=DEFAULT_OUT,
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the .apkg files, one per paper.",
)
page_out_option = click.option(
    "--out",
    default=DEFAULT_PREVIEW,
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The page to write; MathJax goes beside it into <name>_files/.",
)
