"""Rebuild the decks, import them into an Anki profile and sync, as `papers2anki push --sync` does.

    PAPERS2ANKI_SYNC_PASSWORD=... python examples/push_sync.py "User 1" me@example.org [ENDPOINT]

Run it from a cron job or a git hook after the lists change (with Anki desktop closed): the phone gets
the new and corrected cards on its next sync, and keeps every review. Without ENDPOINT it syncs with
the server of the saved sync key, else AnkiWeb. The password is needed only the first time; the sync key
is then saved beside the collection.
"""

from __future__ import annotations

import sys

import papers2anki
from papers2anki.push_to_anki import PushError


def main(profile: str, user: str, endpoint: str | None = None) -> int:
    try:
        report = papers2anki.push(["sources"], profile=profile, sync=True, endpoint=endpoint, user=user, say=print)
    except PushError as exc:  # Anki is open, a wrong password, a full sync to decide on...
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{report.new} new, {report.updated} updated; backup in {report.backup}")
    built = report.build
    if built is not None and built.errors:  # errors in the lists: their papers were held back, fix them
        for problem in built.problems:
            if problem.severity == "error":
                print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:4]))
