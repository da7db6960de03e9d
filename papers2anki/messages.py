"""What the commands tell a person: problems, library errors as messages, why papers were held back.

The one place where the library's exceptions become click's: every command runs the library inside
`user_errors()`, so a person reads a message they can act on, never a traceback. Only click at module
level: `papers2anki --help` stays fast.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from .anki_collection import NoCollection, PushError
from .plural import plural

if TYPE_CHECKING:
    from .records import Problem
    from .reports import BuildReport


class InputError(click.ClickException):
    """Bad input: the problems were printed; exit 1."""

    exit_code = 1


def print_problems(problems: Iterable[Problem]) -> None:
    """One line per problem on stderr, `file:line:col: severity: message [rule]`."""
    for problem in problems:
        click.echo(str(problem), err=True)


def held_back_message(report: BuildReport, verb: str, kept: str, others: str, hint: str) -> str:
    """Why a command exits 1 after a build with errors: the errors, the files not read, the papers held back
    (not `verb`, e.g. "written"; `kept`: what stays of them), and `others`: what became of the rest."""
    parts = [f"{plural(report.errors, 'error')} in the sources (listed above)"]
    if report.unread:
        names = ", ".join(report.unread)
        parts.append(f"{plural(len(report.unread), 'file')} not read ({names}): no note is marked removed")
    if report.held_back:
        titles = ", ".join(f"'{title}'" for title in report.held_back)
        parts.append(f"{plural(len(report.held_back), 'paper')} not {verb} because of errors ({kept}): {titles}")
        if report.papers > len(report.held_back):
            parts.append(others)
    else:
        parts.append(f"no paper held back: {others.replace('the other papers', 'all papers')}")
    return "; ".join(parts) + f". {hint}"


def known_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """`--encoding` must name a codec Python has: a typo is a usage error, not a failure per file."""
    if value is not None:
        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding '{value}' (try cp1251, koi8-r, utf-8, utf-16)") from None
    return value


@contextmanager
def user_errors() -> Iterator[None]:
    """Library errors become messages a person can act on, never tracebacks."""
    try:
        yield
    except NoCollection as exc:  # where to push is the user's to give: a usage error, exit 2
        raise click.UsageError(str(exc)) from None
    except PushError as exc:
        raise click.ClickException(str(exc)) from None
    except ModuleNotFoundError as exc:
        if exc.name != "anki":
            raise
        raise click.ClickException("push needs the anki package: pip install 'papers2anki[anki]'") from None
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        raise click.ClickException(f"{where}{exc.strerror or exc}") from None
    except ValueError as exc:
        from .sources import NoSources

        if isinstance(exc, NoSources):  # a missing or empty folder: a usage error, exit 2
            ctx = click.get_current_context(silent=True)
            command = ctx.command_path if ctx is not None else "papers2anki COMMAND"
            hint = f"give the folder or files of the lists: {command} PATH..."
            raise click.UsageError(f"{exc}; {hint}", ctx) from None
        raise click.ClickException(str(exc)) from None
    except RecursionError:
        raise click.ClickException(
            "the sources are nested too deeply to read (brackets, lists or quotes inside each other); "
            "run `papers2anki check` and simplify the lines it names"
        ) from None
