"""`push --sync` and the sync server: the server of the saved key is remembered, a different one needs a
login of its own, and Anki's messages reach the user as plain text. Anki's own sync server (the `anki`
package's) and the real backend.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SYNC_PASSWORD as PASSWORD
from conftest import SYNC_USER as USER
from conftest import free_port, sync_server
from test_push import edit_sources, phone_sync, push_cli

from papers2anki.push_to_anki import KEY_FILE

# What Anki's translations put around names (Fluent's bidi isolates), and their invisible kin.
INVISIBLE = {"\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u202a", "\u202c", "\u061c", "\ufeff"}


def collection_state(path: Path) -> tuple[int, int]:
    from anki.collection import Collection

    col = Collection(str(path))
    try:
        return col.db.scalar("select mod from col"), col.note_count()
    finally:
        col.close()


def test_push_remembers_the_self_hosted_server(sources_copy: Path, tmp_path: Path, server: str, desktop: Path) -> None:
    from anki.collection import Collection

    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock)]
    first = push_cli(*args, "--sync", "--endpoint", server, "--user", USER, "--full-upload", password=PASSWORD)
    assert first.exit_code == 0, first.output
    assert f"full upload to {server}" in first.output
    assert json.loads((desktop.parent / KEY_FILE).read_text())["server"] == server

    # The README's "after each edit": only --sync. No --user, no password, no --endpoint: the same server.
    edit_sources(sources_copy)
    second = push_cli(*args, "--sync", password=None)
    assert second.exit_code == 0, second.output
    assert "1 new, 1 updated, 62 unchanged" in second.output
    assert f"synced with {server} (before the import)" in second.output
    assert f"synced with {server} (after the import)" in second.output
    assert "AnkiWeb" not in second.output
    phone = Collection(str(tmp_path / "phone.anki2"))
    try:
        phone_sync(phone, server)
        assert phone.note_count() == 64  # the second push reached the server
    finally:
        phone.close()

    # Another server: a login of its own, which needs --user; it says so, and changes nothing.
    with sync_server(tmp_path / "other") as other:
        state = collection_state(desktop)
        backups = sorted((desktop.parent / "backups").iterdir())
        for endpoint in (other, "ankiweb"):
            refused = push_cli(*args, "--sync", "--endpoint", endpoint, password=PASSWORD)
            assert refused.exit_code == 1, refused.output
            name = other if endpoint == other else "AnkiWeb"
            assert f"--user is needed to log in to {name}: the saved sync key ({KEY_FILE}) is for {server}" in (
                refused.output
            )
            assert f"Give --user to log in to {name} instead" in refused.output
            assert f"or leave out --endpoint to sync with {server}. Nothing was changed." in refused.output
            assert collection_state(desktop) == state and sorted((desktop.parent / "backups").iterdir()) == backups

        moved = push_cli(*args, "--sync", "--endpoint", other, "--user", USER, "--full-upload", password=PASSWORD)
        assert moved.exit_code == 0, moved.output
        assert f"full upload to {other}" in moved.output
        assert json.loads((desktop.parent / KEY_FILE).read_text())["server"] == other
        after = push_cli(*args, "--sync", password=None)  # now the other one is remembered
        assert after.exit_code == 0, after.output
        assert f"synced with {other} (after the import)" in after.output


def test_ankis_messages_come_without_isolation_marks(sources_copy: Path, tmp_path: Path, desktop: Path) -> None:
    from anki.errors import NetworkError

    nobody = f"http://127.0.0.1:{free_port()}/"  # no server listens there
    state = collection_state(desktop)
    with pytest.raises(NetworkError) as raw:  # what the backend itself says: names between U+2068 and U+2069
        from anki.collection import Collection

        col = Collection(str(tmp_path / "probe.anki2"))
        try:
            col.sync_login(USER, PASSWORD, nobody)
        finally:
            col.close()
    assert "\u2068" in str(raw.value) and "\u2069" in str(raw.value) and "\n" in str(raw.value)

    lock = tmp_path / "p.lock"
    args = [str(sources_copy), "--collection", str(desktop), "--lock", str(lock), "--sync", "--endpoint", nobody]
    result = push_cli(*args, "--user", USER, password=PASSWORD)
    assert result.exit_code == 1, result.output
    message = result.output.splitlines()[-1]
    assert message.startswith(f"Error: cannot reach {nobody}: A network error occurred. Error details: error")
    assert message.endswith(". Nothing was changed.")
    assert not INVISIBLE & set(result.output)
    assert "Traceback" not in result.output
    assert collection_state(desktop) == state and not lock.exists()
