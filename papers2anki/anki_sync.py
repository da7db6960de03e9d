"""The sync around a push: the login (a sync key kept beside the collection with the server it is for,
never the password), a normal sync, and a full upload or download only when asked for.

The `anki` package (the optional extra) is imported inside the functions that need it.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .anki_collection import PushError, anki_message

PASSWORD_ENV = "PAPERS2ANKI_SYNC_PASSWORD"
KEY_FILE = "papers2anki-sync.json"  #: beside the collection, mode 0600: the sync key (never the password)
ANKIWEB = "AnkiWeb"  #: the server when no endpoint is given nor saved; `--endpoint ankiweb` names it


@dataclass(slots=True)
class SyncOptions:
    """How to sync after the import."""

    endpoint: str | None = None  #: a self-hosted sync server's URL or "ankiweb"; None: the saved key's server
    user: str | None = None  #: the AnkiWeb e-mail or the server's user name
    password: str | Callable[[], str] | None = None  #: asked only when no cached key works
    full_upload: bool = False  #: allow replacing the server's collection with this one
    full_download: bool = False  #: allow replacing this collection with the server's (before importing)


def _server(options: SyncOptions) -> str:
    return options.endpoint or ANKIWEB


def _key_file(path: Path) -> Path:
    return path.parent / KEY_FILE


def _saved(path: Path) -> dict[str, Any] | None:
    """What the key file holds (the server, the user, the key), or None when there is none to use."""
    try:
        data = json.loads(_key_file(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("hkey") and data.get("server") else None


def _same_server(a: str, b: str) -> bool:
    return a == b or (a != ANKIWEB and b != ANKIWEB and a.rstrip("/") == b.rstrip("/"))


def _choose_server(options: SyncOptions, saved: dict[str, Any] | None) -> None:
    """Set `options.endpoint` to the server to sync with: the one asked for (`ankiweb` names AnkiWeb),
    else the one the saved key was made for, else AnkiWeb (None)."""
    asked = options.endpoint.strip() if options.endpoint else ""
    if asked.lower() == ANKIWEB.lower():
        options.endpoint = None
    elif asked:
        options.endpoint = asked
    elif saved is not None and saved["server"] != ANKIWEB:
        options.endpoint = str(saved["server"])  # remembered: `--endpoint` is needed only the first time
    else:
        options.endpoint = None


def _cached_auth(saved: dict[str, Any] | None, options: SyncOptions) -> Any:
    from anki.sync import SyncAuth

    if saved is None or not _same_server(str(saved["server"]), _server(options)):
        return None
    if options.user and saved.get("user") != options.user:
        return None
    options.user = saved.get("user")  # kept in the file when AnkiWeb moves the account
    return SyncAuth(hkey=saved["hkey"], endpoint=saved.get("endpoint") or None)


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


def _no_user(options: SyncOptions, saved: dict[str, Any] | None) -> PushError:
    """Why a login cannot be done without --user, and what to do."""
    server = _server(options)
    if saved is None or _same_server(str(saved["server"]), server):
        return PushError(f"--user is needed to log in to {server} (no saved sync key for it yet)")
    other = saved["server"]
    return PushError(
        f"--user is needed to log in to {server}: the saved sync key ({KEY_FILE}) is for {other} "
        f"(user '{saved.get('user')}'). Give --user to log in to {server} instead (its key replaces the saved "
        f"one), or leave out --endpoint to sync with {other}. Nothing was changed."
    )


def login(col: Any, path: Path, options: SyncOptions) -> Any:
    """A sync key: the cached one, else a login with the password (which is never stored). Without an
    endpoint, the server is the one the saved key is for (see `_choose_server`)."""
    from anki.errors import NetworkError, SyncError, SyncErrorKind

    saved = _saved(path)
    _choose_server(options, saved)
    auth = _cached_auth(saved, options)
    if auth is not None:
        try:
            col.sync_status(auth)  # asks the server: is the saved key still good?
            return auth
        except SyncError as exc:
            if exc.kind != SyncErrorKind.AUTH:
                raise PushError(f"{_server(options)}: {anki_message(exc)}. Nothing was changed.") from None
            _key_file(path).unlink(missing_ok=True)  # revoked or from an old server: log in again
            saved = None
        except NetworkError as exc:
            raise PushError(f"cannot reach {_server(options)}: {anki_message(exc)}. Nothing was changed.") from None
    if not options.user:
        raise _no_user(options, saved)
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
        raise PushError(f"login to {_server(options)} failed: {anki_message(exc)}. Nothing was changed.") from None
    except NetworkError as exc:
        raise PushError(f"cannot reach {_server(options)}: {anki_message(exc)}. Nothing was changed.") from None
    _save_auth(path, options, options.user, auth)
    return auth


def full_sync_advice(required: str, stage: str, server: str) -> str:
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


def sync(col: Any, path: Path, auth: Any, options: SyncOptions, stage: str, done: list[str]) -> bool:
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
        raise PushError(full_sync_advice(required, stage, server))
    except SyncError as exc:
        raise PushError(f"sync with {server} failed: {anki_message(exc)}") from None
    except NetworkError as exc:
        raise PushError(f"cannot reach {server}: {anki_message(exc)}") from None


def _full(col: Any, auth: Any, *, upload: bool) -> None:
    col.close_for_full_sync()
    try:
        col.full_upload_or_download(auth=auth, server_usn=None, upload=upload)  # no media: server_usn unused
    finally:
        col.reopen(after_full_sync=True)
