"""`papers2anki push`: build, import into an Anki collection as File > Import does, then sync.

The trip is here; the collection (finding, opening, backing up, importing) is `anki_collection`, the
sync is `anki_sync`, the notes the lock marks removed are `anki_retire`. Only stdlib and click at module
level: the `anki` package (the optional extra) is imported when a push runs, so `papers2anki --help`
stays fast and works without it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import anki_retire, anki_sync
from .anki_collection import (
    COLLECTION_FILE,
    PushError,
    PushReport,
    anki_base,
    anki_message,
    backup,
    import_package,
    imported_copy,
    keep_imported,
    last_imported,
    open_collection,
    profile_collection,
)
from .anki_sync import KEY_FILE, PASSWORD_ENV, SyncOptions
from .cli_options import Command, encoding_option, lock_option, root_option, sources_argument
from .config import from_config
from .defaults import DEFAULT_PROFILE, DEFAULT_ROOT, DEFAULT_SOURCES, sources_or_default
from .messages import held_back_message, print_problems, user_errors
from .plural import plural

if TYPE_CHECKING:
    from .corpus import Corpus
    from .previous import DeckNotes
    from .reports import BuildReport

__all__ = [
    "COLLECTION_FILE",
    "KEY_FILE",
    "PASSWORD_ENV",
    "PushError",
    "PushReport",
    "SyncOptions",
    "anki_base",
    "profile_collection",
    "push",
    "push_command",
]


def push(
    sources: Iterable[str | os.PathLike[str]] = (DEFAULT_SOURCES,),
    *,
    collection: str | os.PathLike[str] | None = None,
    profile: str | None = None,
    lock_path: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
    root: str = DEFAULT_ROOT,
    rename_decks: bool = False,
    sync: bool = False,
    endpoint: str | None = None,
    user: str | None = None,
    password: str | Callable[[], str] | None = None,
    full_upload: bool = False,
    full_download: bool = False,
    retire: str | None = None,
    say: Callable[[str], None] | None = None,
) -> PushReport:
    """Build the decks, import them into an Anki collection (as File > Import does), then sync if asked.

    The collection is opened first, so a push refuses before anything is written when Anki holds it.
    With `sync`, the login comes next (a wrong password changes nothing). The collection is backed up
    (Anki's own backup, in the `backups` folder beside it) before it changes; with `sync` it is synced
    before and after the import; the import is one transaction: whole or not at all. `password`
    defaults to $PAPERS2ANKI_SYNC_PASSWORD and is needed only when no sync key is saved. `say` gets
    one line per step. Raises `PushError`. A paper with errors in the sources is held back, as `build`
    holds it back: not imported, its notes in the lock as they were; the others are imported, and
    `report.build` names it (`held_back`) and its errors (`problems`).

    A note whose content differs from what this collection last got from these lists counts as changed
    (the build's undo rule, with what the pushes imported, kept beside the collection, as `previous`): an
    edit undone in the lists and the lock reaches the collection too.

    The notes the lock marks removed (questions gone from the lists) that are in the collection are
    counted (`report.removed`) and, after the import, retired if `retire` says so: "suspend" suspends
    their cards, "delete" deletes them, in one operation (all or none); None leaves them as they are.
    With `sync` and no `endpoint`, the server is the one the saved sync key is for (AnkiWeb if none);
    `endpoint="ankiweb"` names AnkiWeb.
    """
    if retire not in (None, *anki_retire.WAYS):
        raise ValueError(f"retire must be one of {anki_retire.WAYS} or None, not {retire!r}")
    tell = say or (lambda _line: None)
    options = SyncOptions(endpoint, user, password, full_upload, full_download) if sync else None
    path = Path(collection) if collection is not None else profile_collection(profile or DEFAULT_PROFILE)
    paths = list(sources)
    corpus = _load(paths, encoding)  # a missing or empty folder: said before anything is opened
    lock_file = Path(lock_path) if lock_path else _default_lock(paths)
    col = open_collection(path)
    report = PushReport(str(path))
    try:
        auth = anki_sync.login(col, path, options) if options is not None else None
        with tempfile.TemporaryDirectory(prefix="papers2anki-push-") as tmp:
            package = Path(tmp) / "papers.apkg"
            kept = imported_copy(path)
            before = last_imported(kept)  # what the collection last got from the lists (the undo rule)
            report.build = _build(corpus, tmp, package, lock_file, (root, rename_decks), before)
            tell(_built_line(report.build))
            report.backup = backup(col, path)
            tell(f"backed up {path.name} to {report.backup}")
            if options is not None and anki_sync.sync(col, path, auth, options, "before", report.synced):
                tell(report.synced[-1])
            _restore(col, lock_file, report, tell)  # (before the import, which may replace the notes' tags)
            _import(col, path, package, report, tell)
            try:
                keep_imported(package, kept, before)
            except OSError as exc:
                tell(f"warning: could not keep what was imported in {kept}: {exc.strerror or exc}")
        _retire(col, lock_file, retire, report, tell)
        if options is not None:
            try:
                anki_sync.sync(col, path, auth, options, "after", report.synced)
            except PushError as exc:
                raise PushError(f"imported, but not synced: {exc}", report) from None
            tell(report.synced[-1])
    finally:
        col.close()
    return report


def _import(col: Any, path: Path, package: Path, report: PushReport, tell: Callable[[str], None]) -> None:
    """Anki's import of the package, counted in `report`."""
    try:
        log = import_package(col, package)
    except Exception as exc:  # the backend rolled its transaction back
        raise PushError(
            f"import into {path} failed: {anki_message(exc)}. The collection is as it was (backup: {report.backup})."
        ) from None
    report.new, report.updated = len(log.new), len(log.updated)
    report.unchanged, report.conflicting = len(log.duplicate), len(log.conflicting)
    tell(
        f"imported into {path}: {report.new} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.conflicting} conflicting"
    )


def _restore(col: Any, lock_file: Path, report: PushReport, tell: Callable[[str], None]) -> None:
    """The notes an earlier push suspended as removed whose question is back: unsuspended, and said."""
    try:
        done = anki_retire.restore(col, lock_file)
    except Exception as exc:  # one operation of the backend: rolled back whole
        raise PushError(
            f"could not unsuspend the notes back in the lists: {anki_message(exc)}. Nothing was imported "
            f"(backup: {report.backup}).",
            report,
        ) from None
    if done is not None:
        tell(done)


def _retire(col: Any, lock_file: Path, way: str | None, report: PushReport, tell: Callable[[str], None]) -> None:
    """The notes the lock marks removed: counted and said, then suspended or deleted if `way` asks."""
    found = anki_retire.find_removed(col, anki_retire.removed_guids(lock_file))
    report.removed = len(found.cards)
    line = anki_retire.announce(found, way)
    if line is not None:
        tell(line)
    if way is None:
        return
    try:
        count, done = anki_retire.retire(col, found, way)
    except Exception as exc:  # one operation of the backend: rolled back whole
        raise PushError(
            f"imported, but the notes removed from the lists were not {way.rstrip('e')}ed: {anki_message(exc)}. "
            f"None of them changed; run again (backup: {report.backup}).",
            report,
        ) from None
    if way == anki_retire.SUSPEND:
        report.suspended = count
    else:
        report.deleted = count
    if done is not None:
        tell(done)


def _load(paths: list[str | os.PathLike[str]], encoding: str | None) -> Corpus:
    from . import api

    return api.load(paths, encoding=encoding)


def _default_lock(paths: list[str | os.PathLike[str]]) -> Path:
    from . import api

    return api.default_lock_path(paths)


def _build(
    corpus: Corpus,
    out_dir: str,
    package: Path,
    lock_file: Path,
    decks: tuple[str, bool],
    previous: DeckNotes | None,
) -> BuildReport:
    """The build of the sources into one package, as `build --single` makes it; `decks` is the root deck
    and whether to rename decks, `previous` what the collection last got."""
    from . import api

    root, rename_decks = decks
    return api.build(
        corpus,
        out_dir,
        lock_path=lock_file,
        single=package,
        root=root,
        rename_decks=rename_decks,
        previous=previous,
    )


def _built_line(built: BuildReport) -> str:
    held = ""
    if built.held_back:
        titles = ", ".join(f"'{title}'" for title in built.held_back)
        held = f"; {len(built.held_back)} held back because of errors: {titles}"
    counts = (plural(built.papers, "paper"), plural(built.questions, "question"), plural(built.reviews, "review"))
    return f"built {', '.join(counts)}{held}"


def _ask_password() -> str:
    """The environment's password, else a hidden prompt; never an option (it would show in `ps`)."""
    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise PushError(f"no sync password: set {PASSWORD_ENV}, or run in a terminal to be asked")
    return str(click.prompt("Sync password", hide_input=True, err=True))


def _check_usage(collection: str | None, profile: str | None, do_sync: bool, sync_options: object) -> None:
    """One of --collection and --profile; the sync's options only with --sync."""
    if collection and profile:
        raise click.UsageError("give --collection or --profile, not both")
    if not collection and not profile:
        raise click.UsageError(f"give --collection PATH or --profile NAME (profiles live in {anki_base()})")
    if not do_sync and sync_options:
        raise click.UsageError("--endpoint, --user, --full-upload and --full-download need --sync")


@click.command("push", cls=Command)
@sources_argument
@click.option(
    "--collection",
    type=click.Path(dir_okay=False),
    help="The collection.anki2 to import into (Anki desktop must be closed or on another profile).",
)
@click.option(
    "--profile",
    help="An Anki profile's name: its collection in Anki's data folder (ANKI_BASE overrides the folder).",
)
@lock_option
@root_option
@click.option("--rename-decks", is_flag=True, help="Use corrected paper titles as deck names.")
@encoding_option
@click.option(
    "--sync",
    "do_sync",
    is_flag=True,
    help="Sync before and after importing (with AnkiWeb, or the server of --endpoint or of the saved key).",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="A self-hosted Anki sync server, e.g. http://host:8080/, or 'ankiweb' [default: the server of the "
    "saved sync key, else AnkiWeb].",
)
@click.option("--user", help=f"Sync user name or AnkiWeb e-mail; the password comes from ${PASSWORD_ENV} or a prompt.")
@click.option("--full-upload", is_flag=True, help="If a full sync is needed: replace the server's copy with this one.")
@click.option(
    "--full-download", is_flag=True, help="If a full sync is needed first: replace this collection with the server's."
)
@click.option(
    "--suspend-removed", is_flag=True, help="Suspend the cards of the notes the lock marks removed from the lists."
)
@click.option("--delete-removed", is_flag=True, help="Delete the notes the lock marks removed from the lists.")
def push_command(
    sources: tuple[str, ...],
    collection: str | None,
    profile: str | None,
    lock_path: str | None,
    root: str,
    rename_decks: bool,
    encoding: str | None,
    do_sync: bool,
    endpoint: str | None,
    user: str | None,
    full_upload: bool,
    full_download: bool,
    suspend_removed: bool,
    delete_removed: bool,
) -> None:
    """Build the decks and import them straight into an Anki collection, then sync to the phone.

    \b
      papers2anki push --profile "User 1"
      papers2anki push --collection ~/.local/share/Anki2/User\\ 1/collection.anki2 --sync --user me@example.org
      papers2anki push --profile "User 1" --sync --endpoint http://192.168.1.5:8080/ --user me

    The import is Anki's own (File > Import, update if newer): notes keep their ids, cards and reviews.
    Anki desktop must not have the collection open. A backup goes to the profile's backups/ folder
    first. The sync password is read from $PAPERS2ANKI_SYNC_PASSWORD or asked for, never taken from
    the command line; the sync key is saved beside the collection (papers2anki-sync.json, mode 0600).
    A full sync is never done silently: --full-upload (or --full-download) says which way.
    --sync without --endpoint syncs with the server the saved key is for.
    A paper with errors is not imported (the errors are printed, the exit status is 1); the others are.
    Questions removed from the lists stay in Anki (an import never deletes): push says how many, and
    --suspend-removed or --delete-removed retires them.
    """
    ctx = click.get_current_context()
    if collection and from_config(ctx, "profile"):  # the command line's --collection wins over the config's
        profile = None
    if not do_sync and from_config(ctx, "endpoint"):  # the config's server is for --sync
        endpoint = None
    _check_usage(collection, profile, do_sync, endpoint or user or full_upload or full_download)
    if suspend_removed and delete_removed:
        raise click.UsageError("give --suspend-removed or --delete-removed, not both")
    retire = anki_retire.SUSPEND if suspend_removed else anki_retire.DELETE if delete_removed else None
    with user_errors():  # OSError, a broken lock, a refused push: a message, as for build
        report = push(
            sources_or_default(sources),
            collection=collection,
            profile=profile,
            lock_path=lock_path,
            encoding=encoding,
            root=root,
            rename_decks=rename_decks,
            sync=do_sync,
            endpoint=endpoint,
            user=user,
            password=_ask_password,
            full_upload=full_upload,
            full_download=full_download,
            retire=retire,
            say=click.echo,
        )
    built = report.build
    if built is not None and built.errors:
        print_problems([p for p in built.problems if p.severity == "error"])
        kept, others = "Anki keeps what it had of them", "the other papers were imported"
        raise click.ClickException(held_back_message(built, "imported", kept, others, "See `papers2anki check`"))
