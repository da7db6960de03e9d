"""Run inside the real Anki desktop (aqt), offscreen: import decks, show cards in the reviewer, report.

    python tools/desktop/run_anki.py JOB.json      # started by anki_desktop.py, not by hand

The job (JSON) names a fresh base folder, the packages to import, the views (theme and window
size) and, optionally, the cards to photograph. Anki starts with that base folder, its first-run
language dialog answered with Russian; when the profile is open the decks are imported with the
collection's own `import_anki_package` (File > Import's defaults), the reviewer is opened, and for
each view (switched in place: night mode on or off, the main window resized) every card is shown,
front then back, through the reviewer's own `_showQuestion` / `_showAnswer`. The page is read once
the reviewer's update queue has run (Anki's `_queueAction`: the card's HTML is in, MathJax's
`typesetPromise` has resolved), then `MathJax.startup.promise` and the fonts. The findings go to
the job's `out` file as JSON; nothing is judged here.

Driven with gui_hooks, the add-on API, registered before `aqt.run()`.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import traceback
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PAGE_REPORT = (HERE / "page_report.js").read_text("utf-8")
PREFIX = "p2a-report:"
# The reviewer's page has loaded its script and the bridge.
READY = (
    "document.readyState === 'complete' && typeof _queueAction === 'function' && typeof pycmd === 'function'"
    " && document.getElementById('qa') !== null"
)

# Anki's MathJax skips these elements (skipHtmlTags), so a delimiter inside them is text.
_SKIPPED = re.compile(r"<(pre|code|style|script|textarea)\b.*?</\1>", re.S | re.I)
_DELIMITERS = re.compile(r"\\\(|\\\[")

Step = tuple[str, Any]


def delimiters(side_html: str) -> int:
    """How many formulas MathJax must typeset on a card side: its `\\(` and `\\[` outside skipped tags."""
    return len(_DELIMITERS.findall(_SKIPPED.sub("", side_html)))


class Driver:
    """Runs the job's steps one after another on Qt's event loop; a step that waits on the page
    resumes when the page answers over the bridge (`pycmd`)."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.job = job
        self.results: dict[str, Any] = {"sides": [], "shots": [], "views": [], "imports": []}
        self.started = time.monotonic()
        self.steps: Generator[Step, Any, None] | None = None
        self.timer: Any = None
        self.waiting = ""
        self.last_poll: Any = None
        self.step_number = 0

    # --- plumbing -------------------------------------------------------------------------------
    def start(self) -> None:
        from aqt import gui_hooks, mw
        from aqt.qt import QTimer

        gui_hooks.webview_did_receive_js_message.append(self.on_message)
        self.steps = self.run()
        # The main window settles after the profile opens (deck browser, toolbar, sync checks).
        QTimer.singleShot(500, lambda: self.advance(None))
        self.timer = QTimer(mw)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(lambda: self.fail(f"no answer in {self.job['step_timeout']} s to {self.waiting}"))
        self.timer.setObjectName("p2a-step-timer")

    def on_message(self, handled: tuple[bool, Any], message: str, context: Any) -> tuple[bool, Any]:
        if not message.startswith(PREFIX):
            return handled
        self.timer.stop()
        from aqt.qt import QTimer

        value = json.loads(message[len(PREFIX) :])
        QTimer.singleShot(0, lambda: self.advance(value))
        return (True, None)

    def advance(self, value: Any) -> None:
        if self.steps is None:  # finished already (a late answer)
            return
        self.timer.stop()
        try:
            kind, arg = self.steps.send(value)
            self.step_number += 1
            self.waiting = f"{kind} {str(arg)[:200]!r}"
        except StopIteration:
            self.finish()
            return
        except Exception:
            self.fail(traceback.format_exc())
            return
        if kind == "page":  # evaluate JS that ends in pycmd(PREFIX + json)
            from aqt import mw

            self.timer.start(int(self.job["step_timeout"] * 1000))
            mw.reviewer.web.eval(arg)
        elif kind == "until":  # poll a JS condition (the page's own state): True when it holds, False after a time
            condition, seconds = arg
            self.poll(condition, time.monotonic() + seconds)

    def poll(self, condition: str, deadline: float) -> None:
        """Ask the page every 100 ms; a question sent while the page navigates may get no answer at all."""
        from aqt import mw
        from aqt.qt import QTimer

        step = self.step_number
        probe = "[document.readyState, typeof _queueAction, typeof pycmd, location.pathname]"

        def stop() -> None:
            ticker.stop()
            ticker.deleteLater()

        def check(value: Any) -> None:
            self.last_poll = value
            if step == self.step_number and value and value[0] is True:
                stop()
                self.advance(True)

        def ask() -> None:
            if step != self.step_number:
                stop()
            elif time.monotonic() > deadline:
                stop()
                self.advance(False)
            else:
                mw.reviewer.web.evalWithCallback(f"[Boolean({condition}), {probe}]", check)

        ticker = QTimer(mw)
        ticker.timeout.connect(ask)
        ticker.start(100)
        ask()

    def fail(self, message: str) -> None:
        from aqt import mw

        self.results["error"] = f"{message} (Anki's state: {mw.state}, the page: {self.last_poll})"
        self.finish()

    def finish(self) -> None:
        from aqt import mw

        self.results["seconds"] = round(time.monotonic() - self.started, 2)
        Path(self.job["out"]).write_text(json.dumps(self.results, ensure_ascii=False), "utf-8")
        self.steps = None
        from aqt.qt import QTimer

        # Leave as the user does; if anything blocks, the process ends anyway.
        QTimer.singleShot(30_000, lambda: os._exit(3))
        mw.unloadProfileAndExit()

    # --- the job ------------------------------------------------------------------------------
    def page(self, expression: str) -> str:
        """JS that waits for the reviewer's queue, MathJax and fonts, then sends `expression`'s value."""
        return (
            "(async () => {"
            " let value;"
            " try {"
            "  await new Promise((done) => _queueAction(done));"
            "  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;"
            # MathJax's fonts load as its formulas are laid out and drawn, one after another: on the first card
            # `fonts.ready` resolves before, its glyphs not yet drawn. Wait until a drawn frame starts no more
            # font loading (up to 5 s).
            "  const frame = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));"
            "  const loading = () => [...document.fonts].some((f) => f.status === 'loading');"
            "  for (let i = 0; i < 100; i++) {"
            "    await frame();"
            "    if (!loading()) break;"
            "    await document.fonts.ready;"
            "  }"
            "  await document.fonts.ready;"
            "  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));"
            f"  value = {{ok: ({expression})}};"
            " } catch (err) { value = {error: String(err && err.stack || err)}; }"
            f" pycmd({json.dumps(PREFIX)} + JSON.stringify(value));"
            "})();"
        )

    def run(self) -> Generator[Step, Any, None]:
        from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
        from anki.import_export_pb2 import ImportAnkiPackageUpdateCondition as UC
        from aqt import mw
        from aqt.theme import Theme

        col = mw.col
        for package in self.job["packages"]:
            options = ImportAnkiPackageOptions(
                merge_notetypes=False,
                update_notes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                update_notetypes=UC.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
                with_scheduling=False,
                with_deck_configs=False,
            )
            log = col.import_anki_package(ImportAnkiPackageRequest(package_path=package, options=options)).log
            counts = {"new": len(log.new), "conflicting": len(log.conflicting)}
            self.results["imports"].append({"package": package, **counts})
        cards = [col.get_card(cid) for cid in col.find_cards(self.job.get("search", ""), order="c.id")]
        if not cards:
            raise RuntimeError("no cards were imported")
        col.decks.select(cards[0].did)
        mw.moveToState("overview")
        mw.moveToState("review")
        yield from self.reviewer_ready()
        reviewer = mw.reviewer
        shots = self.job.get("shots", [])
        for view in self.job["views"]:
            # As Preferences > Theme does: the profile's theme, then every web view told of the change.
            mw.set_theme(Theme.DARK if view["theme"] == "dark" else Theme.LIGHT)
            mw.resize(view["width"], view["height"])
            yield from self.reviewer_ready()
            # The reviewer's web view spans the window: the page has the window's width once its resize arrives.
            if not (yield ("until", (f"innerWidth === {int(view['width'])}", 10.0))):
                raise RuntimeError(f"the page never took the width of {view}: {self.last_poll}")
            got = yield ("page", self.page("innerWidth"))
            self.results["views"].append({**view, "innerWidth": got.get("ok"), "window": [mw.width(), mw.height()]})
            for card in cards:
                note = card.note()
                for side in ("question", "answer"):
                    reviewer.card = card
                    if side == "question":
                        reviewer._showQuestion()
                        side_html = card.question()
                    else:
                        reviewer._showAnswer()
                        side_html = card.answer()
                    got = yield ("page", self.page(PAGE_REPORT))
                    record = {
                        "view": view["name"],
                        "card": card.id,
                        "deck": col.decks.name(card.did),
                        "type": note.note_type()["name"],  # type: ignore[index]
                        "source": note["Source"] if "Source" in note else "",
                        "side": side,
                        "delimiters": delimiters(side_html),
                        **got,
                    }
                    self.results["sides"].append(record)
                    for shot in shots:
                        if shot["view"] == view["name"] and shot["side"] == side and shot["source"] == record["source"]:
                            self.save_shot(shot, got.get("ok", {}).get("contentHeight", 0))

    def save_shot(self, shot: dict[str, Any], height: int) -> None:
        """The reviewer's web view as drawn, down to the end of the card, with a note of what made it."""
        from aqt import mw

        image = mw.reviewer.web.grab().toImage()
        if 0 < height < image.height():
            image = image.copy(0, 0, image.width(), height)
        image.setText("Software", shot["software"])
        if not image.save(shot["path"], "PNG"):
            raise RuntimeError(f"could not write {shot['path']}")
        self.results["shots"].append(shot["path"])

    def reviewer_ready(self) -> Generator[Step, Any, None]:
        """Wait for the reviewer's page. A page that was still loading when the reviewer opened (the deck
        browser's, the overview's) can win the race and stay: then the reviewer loads its page again."""
        from aqt import mw

        for _ in range(5):
            if (yield ("until", (READY, 5.0))):
                return
            mw.reviewer._initWeb()
        raise RuntimeError(f"the reviewer's page never loaded: {self.last_poll}")


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text("utf-8"))
    sys.argv = ["anki", "-b", job["base"]]
    import aqt
    import aqt.profiles
    from aqt import gui_hooks

    def russian(self: aqt.profiles.ProfileManager, idx: int) -> None:
        self.setLang("ru_RU")  # the first run's modal language dialog, answered

    aqt.profiles.ProfileManager.setDefaultLang = russian  # type: ignore[method-assign]
    driver = Driver(job)
    opened: list[Callable[[], None]] = []

    def on_open() -> None:
        if not opened:
            opened.append(driver.start)
            driver.start()

    gui_hooks.profile_did_open.append(on_open)
    aqt.run()


if __name__ == "__main__":
    main()
