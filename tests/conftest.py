"""Shared test helpers: the real Anki backend, fresh collections, built decks."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = REPO / "sources"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SYNC_USER, SYNC_PASSWORD = "student", "Correct-Horse-31"  #: the throwaway user of `sync_server`


def import_packages(col, packages: Iterable[os.PathLike[str] | str]):  # type: ignore[no-untyped-def]
    """Import .apkg files exactly as Anki's File > Import does with its default options."""
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as UC

    logs = []
    for path in packages:
        options = ImportAnkiPackageOptions(
            merge_notetypes=False,
            update_notes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            update_notetypes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
            with_scheduling=False,
            with_deck_configs=False,
        )
        logs.append(col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options)).log)
    return logs


def fresh_collection(folder: Path):  # type: ignore[no-untyped-def]
    """A new, empty Anki collection in `folder` (the same Rust core as Anki desktop and AnkiMobile)."""
    from anki.collection import Collection

    folder.mkdir()
    return Collection(str(folder / "collection.anki2"))


@pytest.fixture(autouse=True, scope="session")
def _private_build_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterable[None]:
    """Builds in tests cache in a folder of the run's own, not in the user's ~/.cache."""
    saved = os.environ.get("PAPERS2ANKI_CACHE")
    os.environ["PAPERS2ANKI_CACHE"] = str(tmp_path_factory.mktemp("build-cache"))
    yield
    if saved is None:
        os.environ.pop("PAPERS2ANKI_CACHE", None)
    else:
        os.environ["PAPERS2ANKI_CACHE"] = saved


@pytest.fixture
def collection(tmp_path: Path):  # type: ignore[no-untyped-def]
    col = fresh_collection(tmp_path / "collection")
    yield col
    col.close()


@pytest.fixture
def sources_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped sources (without a lock), to edit and build."""
    dest = tmp_path / "sources"
    shutil.copytree(SOURCES, dest, ignore=shutil.ignore_patterns("*.lock", ".*"))
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def sync_server(folder: Path) -> Iterator[str]:
    """Anki's own sync server on a free local port with a throwaway user, its data in `folder`; its URL."""
    port = free_port()
    folder.mkdir()
    env = dict(
        os.environ,
        SYNC_USER1=f"{SYNC_USER}:{SYNC_PASSWORD}",
        SYNC_BASE=str(folder / "data"),
        SYNC_HOST="127.0.0.1",
        SYNC_PORT=str(port),
    )
    log = (folder / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "anki.syncserver"], env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """Anki's own sync server on a free local port with a throwaway user; its URL."""
    with sync_server(tmp_path / "server") as url:
        yield url


@pytest.fixture
def desktop(tmp_path: Path) -> Path:
    """An empty collection in an Anki profile folder, as Anki desktop leaves it when closed."""
    from anki.collection import Collection

    path = tmp_path / "Anki2" / "User 1" / "collection.anki2"
    path.parent.mkdir(parents=True)
    Collection(str(path)).close()
    return path
