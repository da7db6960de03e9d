"""Screenshots of a question card for the README, as the real Anki desktop draws it: light and night,
a desktop window and a phone-wide one.

    python tools/screenshots/make_screenshots.py     # needs pip install -e '.[test]' (aqt[qt6])

Builds examples/answers/ through the public API, imports the decks into a fresh Anki desktop (PyPI `aqt`,
offscreen: tools/desktop/anki_desktop.py), shows the first question's back (the question above, the
answer under it) in the reviewer and writes the reviewer as drawn to
docs/screenshots/card-{light,dark}-{phone,desktop}.png, each marked `Software: Anki ...` in its PNG text.
Pixels differ between machines and Qt builds, so currency is checked through the inputs instead:
docs/screenshots/inputs.sha256 holds the hash of the note types (templates, CSS), the example's
fields, the Anki version pinned in setup.cfg and the scripts that make the pictures;
tests/test_preview.py recomputes it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DESKTOP = REPO / "tools" / "desktop"
EXAMPLE = "examples/answers/answers.md"  # relative to REPO: cards show `file:line` as given
CARD = f"{EXAMPLE}:3"  # the first question: an answer with inline and display math
SHOTS = REPO / "docs" / "screenshots"
HASH_FILE = SHOTS / "inputs.sha256"
VIEWS = {"desktop": 900, "phone": 400}  # window width in CSS pixels
THEMES = ("light", "dark")


def _in_repo() -> list[list[str]]:
    """The example's notes' fields, built from the repository's root as the README's commands are."""
    import papers2anki
    from papers2anki.api import drafts_of

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        corpus = papers2anki.load([EXAMPLE])
    finally:
        os.chdir(cwd)
    return [draft.fields for group in drafts_of(corpus.papers) for draft in group]


def anki_pin() -> str:
    """The Anki desktop the test extras install (setup.cfg)."""
    found = re.search(r"^\s*(aqt\[qt6\].*)$", (REPO / "setup.cfg").read_text("utf-8"), re.M)
    return found.group(1).strip() if found else "?"


def inputs_digest() -> str:
    from papers2anki.notes import note_types

    digest = hashlib.sha256()
    types = [[t.name, t.fields, t.template, t.qfmt, t.afmt, t.css] for t in note_types()]
    digest.update(json.dumps([types, _in_repo(), anki_pin()], ensure_ascii=False).encode("utf-8"))
    for script in (Path(__file__), DESKTOP / "run_anki.py", DESKTOP / "anki_desktop.py"):
        digest.update(script.read_bytes())
    return digest.hexdigest()


def main() -> None:
    sys.path.insert(0, str(DESKTOP))
    import anki_desktop

    import papers2anki

    reason = anki_desktop.missing()
    if reason:
        sys.exit(reason)
    views = [
        {"name": f"{theme}-{view}", "theme": theme, "width": width, "height": 1600}
        for theme in THEMES
        for view, width in VIEWS.items()
    ]
    software = f"Anki desktop ({anki_pin()}), tools/screenshots/make_screenshots.py"
    shots = [
        {
            "view": f"{theme}-{view}",
            "side": "answer",
            "source": CARD,
            "path": str(SHOTS / f"card-{theme}-{view}.png"),
            "software": software,
        }
        for theme in THEMES
        for view in VIEWS
    ]
    SHOTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="p2a-shots-") as tmp:
        work = Path(tmp)
        cwd = os.getcwd()
        os.chdir(REPO)
        try:
            papers2anki.build(papers2anki.load([EXAMPLE]), work / "decks", lock_path=work / "shots.lock")
        finally:
            os.chdir(cwd)
        report = anki_desktop.run_job(sorted((work / "decks").glob("*.apkg")), work / "anki", views, shots)
    if sorted(report["shots"]) != sorted(shot["path"] for shot in shots):
        sys.exit(f"Anki made {report['shots']}, not every screenshot asked for")
    for path in report["shots"]:
        print(Path(path).relative_to(REPO))
    HASH_FILE.write_text(
        "# sha256 of what produces the screenshots; regenerate: python tools/screenshots/make_screenshots.py\n"
        f"{inputs_digest()}\n"
    )
    print(HASH_FILE.relative_to(REPO))


if __name__ == "__main__":
    main()
