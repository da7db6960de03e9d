"""`papers2anki push`: build, import into an Anki collection as File > Import does, then sync.

Only stdlib and click at module level: the `anki` package (the optional extra) is imported when a
push runs, so `papers2anki --help` stays fast and works without it.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .api import BuildReport

PASSWORD_ENV = "PAPERS2ANKI_SYNC_PASSWORD"
KEY_FILE = "papers2anki-sync.json"  #: beside the collection, mode 0600: the sync key (never the password)
COLLECTION_FILE = "collection.anki2"


class PushError(Exception):
    """A push refused or failed; the message says what, and whether the collection changed."""

    def __init__(self, message: str, report: PushReport | None = None) -> None:
        super().__init__(message)
        self.report = report  #: what was done before the failure (None when nothing was)


@dataclass(slots=True)
class PushReport:
    """What a push did."""

    collection: str  #: the collection.anki2 written
    build: BuildReport | None = None  #: the build that made the package
    backup: str | None = None  #: Anki's backup of the collection, taken before any change
    new: int = 0  #: notes added by the import
    updated: int = 0  #: notes the import replaced (the package's copy was newer)
    unchanged: int = 0  #: notes already up to date (Anki's "duplicate")
    conflicting: int = 0  #: notes whose note type changed shape: not updated
    synced: list[str] = field(default_factory=list)  #: one line per sync step done


# --- where the collection is -------------------------------------------------------------------


def anki_base() -> Path:
    """Anki's data folder: ANKI_BASE when set (as Anki honours it), else the platform's default."""
    override = os.environ.get("ANKI_BASE")
    if override:
        return Path(override).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home() / "AppData" / "Roaming")) / "Anki2"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Anki2"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "Anki2"


def profile_collection(profile: str) -> Path:
    """The collection of an Anki profile, with the known profiles named when it is missing."""
    base = anki_base()
    path = base / profile / COLLECTION_FILE
    if not path.is_file():
        known = sorted(p.parent.name for p in base.glob(f"*/{COLLECTION_FILE}"))
        hint = f"profiles there: {', '.join(known)}" if known else "no profile found there (is Anki installed?)"
        raise PushError(f"no Anki profile '{profile}' in {base} ({hint}); or give --collection PATH")
    return path


# --- the collection ------------------------------------------------------------------------------


def _open(path: Path) -> Any:
    """Open the collection, refusing when Anki (or anything else) holds it: the backend knows."""
    from anki.collection import Collection
    from anki.errors import DBError

    if not path.is_file():
        raise PushError(f"{path}: no Anki collection there (open the profile in Anki once, or check the path)")
    try:
        return Collection(str(path))
    except DBError as exc:
        # The backend opens the file with an exclusive lock; a second opener gets this at once.
        raise PushError(
            f"{path} is in use ({exc}): close Anki desktop, or switch it to another profile, "
            "and run again. Nothing was changed."
        ) from None


def _backup(col: Any, path: Path) -> str:
    """Anki's own backup into the profile's backups/ folder; returns the backup file."""
    folder = path.parent / "backups"
    folder.mkdir(exist_ok=True)
    col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    # False means "nothing changed since the newest backup": that one is the backup, then.
    backups = sorted(folder.glob("backup-*.colpkg"), key=lambda p: p.stat().st_mtime)
    if not backups:
        raise PushError(f"Anki made no backup in {folder}; nothing was changed")
    return str(backups[-1])


def _import(col: Any, package: Path) -> Any:
    """Import as Anki's File > Import does with its default options; one transaction in the backend."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as UC

    options = ImportAnkiPackageOptions(
        merge_notetypes=False,
        update_notes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        update_notetypes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
        with_scheduling=False,
        with_deck_configs=False,
    )
    return col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options)).log


# --- sync ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class SyncOptions:
    """How to sync after the import."""

    endpoint: str | None = None  #: a self-hosted sync server's URL; None means AnkiWeb
    user: str | None = None  #: the AnkiWeb e-mail or the server's user name
    password: str | Callable[[], str] | None = None  #: asked only when no cached key works
    full_upload: bool = False  #: allow replacing the server's collection with this one
    full_download: bool = False  #: allow replacing this collection with the server's (before importing)


def _server(options: SyncOptions) -> str:
    return options.endpoint or "AnkiWeb"


def _key_file(path: Path) -> Path:
    return path.parent / KEY_FILE


def _cached_auth(path: Path, options: SyncOptions) -> Any:
    from anki.sync import SyncAuth

    try:
        data = json.loads(_key_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("server") != _server(options) or (options.user and data.get("user") != options.user):
        return None
    options.user = data.get("user")  # kept in the file when AnkiWeb moves the account
    return SyncAuth(hkey=data["hkey"], endpoint=data.get("endpoint") or None)


def _save_auth(path: Path, options: SyncOptions, user: str | None, auth: Any) -> None:
    """Keep the sync key readable by the user alone (0600), written whole or not at all."""
    target = _key_file(path)
    data = {"server": _server(options), "user": user, "endpoint": auth.endpoint or "", "hkey": auth.hkey}
    fd, tmp = tempfile.mkstemp(prefix=".papers2anki-sync-", dir=target.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _login(col: Any, path: Path, options: SyncOptions) -> Any:
    """A sync key: the cached one, else a login with the password (which is never stored)."""
    from anki.errors import NetworkError, SyncError, SyncErrorKind

    auth = _cached_auth(path, options)
    if auth is not None:
        try:
            col.sync_status(auth)  # asks the server: is the saved key still good?
            return auth
        except SyncError as exc:
            if exc.kind != SyncErrorKind.AUTH:
                raise PushError(f"{_server(options)}: {exc}. Nothing was changed.") from None
            _key_file(path).unlink(missing_ok=True)  # revoked or from an old server: log in again
        except NetworkError as exc:
            raise PushError(f"cannot reach {_server(options)}: {exc}. Nothing was changed.") from None
    if not options.user:
        raise PushError(f"--user is needed to log in to {_server(options)} (no saved sync key for it yet)")
    secret = options.password if options.password is not None else os.environ.get(PASSWORD_ENV)
    if callable(secret):
        secret = secret()
    if not secret:
        raise PushError(f"no sync password: set {PASSWORD_ENV} or run in a terminal to be asked")
    try:
        auth = col.sync_login(options.user, secret, options.endpoint)
    except SyncError as exc:
        if exc.kind == SyncErrorKind.AUTH:
            raise PushError(
                f"{_server(options)} refused the login of '{options.user}': wrong user name or password. "
                "Nothing was changed."
            ) from None
        raise PushError(f"login to {_server(options)} failed: {exc}. Nothing was changed.") from None
    except NetworkError as exc:
        raise PushError(f"cannot reach {_server(options)}: {exc}. Nothing was changed.") from None
    _save_auth(path, options, options.user, auth)
    return auth


def _full_sync_advice(required: str, stage: str, server: str) -> str:
    if required == "upload":
        why = f"{server} asks for a full upload (its copy is empty or cannot be merged with this one)"
    elif required == "download":
        why = f"{server} asks for a full download (this collection is empty, the server's is not)"
    else:
        why = f"{server} asks for a full sync: this collection and the server's cannot be merged"
    ways = []
    if required != "download":
        ways.append(
            "--full-upload replaces the server's copy with this one"
            " (reviews made elsewhere since the last sync are lost)"
        )
    if stage == "before" and required != "upload":
        ways.append("--full-download replaces this collection with the server's, then imports (backup kept)")
    return f"{why}. Nothing was synced. Choose: " + "; or ".join(ways) + "."


def _sync(col: Any, path: Path, auth: Any, options: SyncOptions, stage: str, done: list[str]) -> bool:
    """One sync. Returns False when a full upload is left for after the import."""
    from anki.errors import NetworkError, SyncError
    from anki.sync_pb2 import SyncCollectionResponse as R

    server = _server(options)
    try:
        out = col.sync_collection(auth, False)
        if out.new_endpoint:  # AnkiWeb moved this account to another host: remember it
            auth.endpoint = out.new_endpoint
            _save_auth(path, options, options.user, auth)
        if out.required in (R.NO_CHANGES, R.NORMAL_SYNC):
            done.append(f"synced with {server} ({stage} the import)")
            return True
        required = {R.FULL_UPLOAD: "upload", R.FULL_DOWNLOAD: "download"}.get(out.required, "either way")
        if stage == "before" and options.full_download and required != "upload":
            _full(col, auth, upload=False)
            done.append(f"full download from {server}: this collection was replaced by the server's copy")
            return True
        if options.full_upload and required != "download":
            if stage == "before":
                return False  # upload once, after the import
            _full(col, auth, upload=True)
            done.append(f"full upload to {server}: the server's copy was replaced by this collection")
            return True
        raise PushError(_full_sync_advice(required, stage, server))
    except SyncError as exc:
        raise PushError(f"sync with {server} failed: {exc}") from None
    except NetworkError as exc:
        raise PushError(f"cannot reach {server}: {exc}") from None


def _full(col: Any, auth: Any, *, upload: bool) -> None:
    col.close_for_full_sync()
    try:
        col.full_upload_or_download(auth=auth, server_usn=None, upload=upload)  # no media: server_usn unused
    finally:
        col.reopen(after_full_sync=True)


# --- the whole trip -------------------------------------------------------------------------------


def push(
    sources: Iterable[str | os.PathLike[str]] = ("sources",),
    *,
    collection: str | os.PathLike[str] | None = None,
    profile: str | None = None,
    lock_path: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
    root: str = "Papers",
    rename_decks: bool = False,
    sync: bool = False,
    endpoint: str | None = None,
    user: str | None = None,
    password: str | Callable[[], str] | None = None,
    full_upload: bool = False,
    full_download: bool = False,
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
    """
    from . import api

    tell = say or (lambda _line: None)
    options = SyncOptions(endpoint, user, password, full_upload, full_download) if sync else None
    path = Path(collection) if collection is not None else profile_collection(profile or "User 1")
    paths = list(sources)
    col = _open(path)
    report = PushReport(str(path))
    try:
        auth = _login(col, path, options) if options is not None else None
        corpus = api.load(paths, encoding=encoding)
        with tempfile.TemporaryDirectory(prefix="papers2anki-push-") as tmp:
            package = Path(tmp) / "papers.apkg"
            report.build = api.build(
                corpus,
                tmp,
                lock_path=lock_path or api.default_lock_path(paths),
                single=package,
                root=root,
                rename_decks=rename_decks,
            )
            built = report.build
            held = ""
            if built.held_back:
                titles = ", ".join(f"'{title}'" for title in built.held_back)
                held = f"; {len(built.held_back)} held back because of errors: {titles}"
            tell(f"built {built.papers} papers, {built.questions} questions, {built.reviews} reviews{held}")
            report.backup = _backup(col, path)
            tell(f"backed up {path.name} to {report.backup}")
            if options is not None and _sync(col, path, auth, options, "before", report.synced):
                tell(report.synced[-1])
            try:
                log = _import(col, package)
            except Exception as exc:  # the backend rolled its transaction back
                raise PushError(
                    f"import into {path} failed: {exc}. The collection is as it was (backup: {report.backup})."
                ) from None
        report.new, report.updated = len(log.new), len(log.updated)
        report.unchanged, report.conflicting = len(log.duplicate), len(log.conflicting)
        tell(
            f"imported into {path}: {report.new} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.conflicting} conflicting"
        )
        if options is not None:
            try:
                _sync(col, path, auth, options, "after", report.synced)
            except PushError as exc:
                raise PushError(f"imported, but not synced: {exc}", report) from None
            tell(report.synced[-1])
    finally:
        col.close()
    return report


# --- the command ------------------------------------------------------------------------------------


def _ask_password() -> str:
    """The environment's password, else a hidden prompt; never an option (it would show in `ps`)."""
    secret = os.environ.get(PASSWORD_ENV)
    if secret:
        return secret
    if not sys.stdin.isatty():
        raise PushError(f"no sync password: set {PASSWORD_ENV}, or run in a terminal to be asked")
    return str(click.prompt("Sync password", hide_input=True, err=True))


@click.command("push")
@click.argument("sources", nargs=-1, type=click.Path(exists=True))
@click.option(
    "--collection",
    type=click.Path(dir_okay=False),
    help="The collection.anki2 to import into (Anki desktop must be closed or on another profile).",
)
@click.option(
    "--profile",
    help="An Anki profile's name: its collection in Anki's data folder (ANKI_BASE overrides the folder).",
)
@click.option(
    "--lock", "lock_path", type=click.Path(dir_okay=False), help="The lock file (default: beside the sources)."
)
@click.option("--root", default="Papers", show_default=True, help="Parent deck of every paper's deck.")
@click.option("--rename-decks", is_flag=True, help="Use corrected paper titles as deck names.")
@click.option("--encoding", help="Decode the sources with this encoding instead of detecting it.")
@click.option(
    "--sync", "do_sync", is_flag=True, help="Sync before and after importing, with AnkiWeb unless --endpoint."
)
@click.option("--endpoint", metavar="URL", help="A self-hosted Anki sync server, e.g. http://host:8080/.")
@click.option("--user", help=f"Sync user name or AnkiWeb e-mail; the password comes from ${PASSWORD_ENV} or a prompt.")
@click.option("--full-upload", is_flag=True, help="If a full sync is needed: replace the server's copy with this one.")
@click.option(
    "--full-download", is_flag=True, help="If a full sync is needed first: replace this collection with the server's."
)
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
    A paper with errors is not imported (the errors are printed, the exit status is 1); the others are.
    """
    if collection and profile:
        raise click.UsageError("give --collection or --profile, not both")
    if not collection and not profile:
        raise click.UsageError(f"give --collection PATH or --profile NAME (profiles live in {anki_base()})")
    if not do_sync and (endpoint or user or full_upload or full_download):
        raise click.UsageError("--endpoint, --user, --full-upload and --full-download need --sync")
    from .cli import _print_problems, _user_errors, held_back_message

    try:
        with _user_errors():  # OSError, a broken lock: a message, as for build
            report = push(
                list(sources) or ["sources"],
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
                say=click.echo,
            )
    except PushError as exc:
        raise click.ClickException(str(exc)) from None
    except ModuleNotFoundError as exc:
        if exc.name != "anki":
            raise
        raise click.ClickException("push needs the anki package: pip install 'papers2anki[anki]'") from None
    built = report.build
    if built is not None and built.errors:
        _print_problems([p for p in built.problems if p.severity == "error"])
        kept, others = "Anki keeps what it had of them", "the other papers were imported"
        raise click.ClickException(held_back_message(built, "imported", kept, others, "See `papers2anki check`"))
