"""The `papers2anki` command: thin click commands over the public API."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_options import (
    CONFIG_KEY,
    Command,
    decks_out_option,
    encoding_option,
    lock_option,
    root_option,
    sources_argument,
)
from .config import default_map, find_config
from .defaults import sources_or_default
from .messages import InputError, held_back_message, print_problems, user_errors
from .plural import plural
from .preview import preview_command
from .push_to_anki import push_command

if TYPE_CHECKING:
    from .reports import BuildReport

NOTHING_WRITTEN = "nothing changed, no file rewritten"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="papers2anki")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Turn course question lists about research papers into Anki decks, one deck per paper.

    \b
    Typical use, from the folder that holds sources/:
      papers2anki check              # find problems in the lists, write nothing
      papers2anki build              # sources/ -> decks/<paper>.apkg, one per paper
      papers2anki build --single all.apkg
    Then in Anki: File > Import, select the .apkg files. Rebuilding later updates the same
    notes (sources/papers2anki.lock keeps their identity: commit it with the lists).

    A course's defaults (sources, out, root, lock, encoding, profile, endpoint) can be written
    once in papers2anki.toml or pyproject.toml's [tool.papers2anki], in this folder or one above;
    the command line wins. `papers2anki COMMAND --help` shows the defaults in force.
    """
    config = find_config()
    ctx.meta[CONFIG_KEY] = config
    ctx.default_map = default_map(config, main.commands)


@main.command(cls=Command)
@sources_argument
@decks_out_option
@click.option("--single", type=click.Path(dir_okay=False), help="Write all decks into this one .apkg instead.")
@lock_option
@root_option
@click.option(
    "--rename-decks", is_flag=True, help="Use corrected paper titles as deck names (cards stay in the old decks)."
)
@click.option(
    "--force", is_flag=True, help="Write every paper's deck, those with errors too (as they are), and exit 0."
)
@encoding_option
@click.option("-v", "--verbose", is_flag=True, help="List how every note was matched to the lock, with its score.")
@click.option("--dry-run", is_flag=True, help="Report what the build would write and remove; write nothing.")
def build(
    sources: tuple[str, ...],
    out_dir: str,
    single: str | None,
    lock_path: str | None,
    root: str,
    rename_decks: bool,
    force: bool,
    encoding: str | None,
    verbose: bool,
    dry_run: bool,
) -> None:
    """Build one Anki deck per paper from SOURCES into --out.

    Deck files are named after the papers; decks are named `Papers::<title>`. Unchanged
    files are not rewritten. A paper with errors is not written: its previous deck file and
    its notes in the lock stay as they were, the other papers are built, and the exit status
    is 1 (see `papers2anki check`). --force writes every paper.
    """
    from .api import build as run_build
    from .api import default_lock_path, lists_folder, load

    paths = sources_or_default(sources)
    with user_errors():
        corpus = load(paths, encoding=encoding)
        lock = lock_path or str(default_lock_path(paths))
        new_lock = not Path(lock).exists()
        first = lists_folder(paths)
        if not lock_path and Path(lock).parent.resolve() != first.resolve():
            click.echo(f"the course's lock: {lock} (the nearest above {first})")
        with _LazyBar(lambda: len(corpus.papers), "Packaging") as bar:
            report = run_build(
                corpus,
                out_dir,
                lock_path=lock,
                single=single,
                root=root,
                rename_decks=rename_decks,
                force=force,
                progress=bar.update,
                dry_run=dry_run,
            )
    print_problems(report.problems)
    for line in _build_summary(report, verbose, single or out_dir, new_lock):
        click.echo(line)
    if report.errors and not force:
        kept = f"left out of {single}" if single else "their previous decks are kept"
        others = "the other papers are up to date"
        hint = "Fix them, or use --force to write every paper as it is"
        raise InputError(held_back_message(report, "written", kept, others, hint))


def _build_summary(report: BuildReport, verbose: bool, where: str, new_lock: bool = False) -> Iterator[str]:
    """What `build` prints on stdout: the matches (verbose), the decks that changed, the notices, the
    questions removed, and a last line with the counts and the files written to `where` (`new_lock`: the
    lock did not exist before)."""
    if verbose:
        yield from report.matches
    for deck in report.decks:
        if verbose or deck.changed or deck.new or deck.removed:
            counts = f"{deck.new} new, {deck.changed} changed, {deck.unchanged} unchanged, {deck.removed} removed"
            yield f"{deck.name}: {counts}"
    yield from report.notices + report.removed
    if report.dry_run:  # a dry run names every file it would write (a build says how many)
        yield from (f"{path}: would be written" for path in report.written)
    gone = "would be removed" if report.dry_run else "removed"
    yield from (f"{path}: {gone} (no paper of the sources is written there now)" for path in report.deleted)
    yield (
        f"{plural(report.papers, 'paper')}, {plural(report.questions, 'question')}, "
        f"{plural(report.reviews, 'review')}, {plural(report.formulas, 'formula')}, "
        f"{plural(report.warnings, 'warning')}"
        + (f", {plural(report.skipped, 'line')} skipped as scaffolding" if report.skipped else "")
        + "; "
        + _files_said(report, where, new_lock)
    )


def _files_said(report: BuildReport, where: str, new_lock: bool) -> str:
    """The files the build wrote and removed (or, in a dry run, would)."""
    would = "would be " if report.dry_run else ""
    decks = [w for w in report.written if w.endswith(".apkg")]
    said = [f"{plural(len(decks), 'deck file')} {would}written to {where}"] if decks else []
    if report.lock and report.lock in report.written:
        said.append(f"the lock {report.lock} {would}{'created' if new_lock else 'updated'}")
    if report.deleted:
        said.append(f"{plural(len(report.deleted), 'deck file')} {would}removed")
    if not said:
        return "nothing would change (dry run)" if report.dry_run else NOTHING_WRITTEN
    return ", ".join(said) + (" (dry run: nothing written)" if report.dry_run else "")


class _LazyBar:
    """click's progress bar on a terminal, shown from the first step on: a build with nothing to do
    never asks for its length (which would mean parsing every file)."""

    def __init__(self, length: Callable[[], int], label: str) -> None:
        self._length, self._label = length, label
        self._bar: Any = None

    def update(self, steps: int) -> None:
        if self._bar is None:
            bar = click.progressbar(
                length=max(self._length(), 1), label=self._label, file=sys.stderr, hidden=not sys.stderr.isatty()
            )
            self._bar = bar.__enter__()
        self._bar.update(steps)

    def __enter__(self) -> _LazyBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


@main.command(cls=Command)
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON (the default).")
@click.option(
    "--outline",
    is_flag=True,
    help="Print how each file was read, line by line: titles, questions, answers, reviews, skipped lines "
    "with the reason, text left out.",
)
@encoding_option
def parse(files: tuple[str, ...], as_json: bool, outline: bool, encoding: str | None) -> None:
    """Print the papers, questions and reviews found in FILES, with their locations.

    \b
    --outline shows what every line became, to see why a list was read as it was:
      sources/seminar-01.txt: 4 papers, 0 reviews
                3  title     «Your Classifier is Secret…»  | Your Classifier is Secretly ...
                5  question  1                             | 1. Как задается распределение ...
    """
    from .api import load
    from .export import corpus_json

    if outline:
        _print_outlines(files, encoding)
        return
    with user_errors():  # (the files are read on first use: in corpus_json)
        corpus = load(files, encoding=encoding)
        records = corpus_json(corpus)
    click.echo(json.dumps(records, ensure_ascii=False, indent=2))
    print_problems(sorted(corpus.problems, key=lambda p: p.sort_key))


def _print_outlines(files: tuple[str, ...], encoding: str | None) -> None:
    from .outline import outline
    from .parse import parse_source
    from .sources import SourceError, find_source_files, read_source

    with user_errors():
        for path in find_source_files(list(files)):
            if path.endswith(".lock"):
                continue
            try:
                source = read_source(path, encoding)
            except SourceError as exc:
                click.echo(str(exc.problem), err=True)
                continue
            result = parse_source(source)
            for line in outline(source, result):
                click.echo(line)
            print_problems(sorted(result.problems, key=lambda p: p.sort_key))


@main.command(cls=Command)
@sources_argument
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="`json` prints one object per problem, for editors and scripts.",
)
@click.option("--strict", is_flag=True, help="Warnings count as errors for the exit status.")
@encoding_option
def check(sources: tuple[str, ...], fmt: str, strict: bool, encoding: str | None) -> None:
    """Find problems in the question lists without writing anything.

    One line per problem, `file:line:col: error|warning: message [rule]`. Exit status 0 when
    clean (warnings allowed unless --strict), 1 when there are errors, 2 on usage errors.
    """
    from .api import check as run_check
    from .api import load

    with user_errors():
        corpus = load(sources_or_default(sources), encoding=encoding)
        problems = run_check(corpus)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        out: list[dict[str, Any]] = [
            {
                "file": p.location.file,
                "line": p.location.line,
                "col": p.location.col,
                "severity": p.severity,
                "message": p.message,
                "rule": p.rule,
            }
            for p in problems
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        for p in problems:
            click.echo(str(p))
        skipped = f", {plural(corpus.skipped, 'line')} skipped as scaffolding" if corpus.skipped else ""
        click.echo(f"{plural(errors, 'error')}, {plural(warnings, 'warning')}{skipped}")
    if errors or (strict and warnings):
        sys.exit(1)


main.add_command(preview_command)
main.add_command(push_command)
