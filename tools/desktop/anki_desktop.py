"""Start the real Anki desktop (PyPI `aqt`) offscreen on a job and read its report.

    from anki_desktop import missing, run_job
    report = run_job(packages, views, tmp_dir)           # one Anki process for the whole job

Used by tests/test_desktop.py and tools/screenshots/make_screenshots.py. The app runs in its own
process (Qt wants the main thread, and a crash must not take pytest with it) with a fresh base
folder, `QT_QPA_PLATFORM=offscreen`, and Chromium's sandbox off when run as root. The process and
its QtWebEngine children are ended, whatever happens.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "run_anki.py"

# The two widths every card is checked at: a desktop window and a phone-like one (about 400 px).
VIEWS = [
    {"name": f"{theme}-{width}", "theme": theme, "width": width, "height": 900}
    for theme in ("light", "dark")
    for width in (1000, 400)
]


class DesktopError(RuntimeError):
    """Anki did not start, did not finish the job, or reported an error."""


def missing() -> str | None:
    """Why the desktop cannot run here, or None when it can."""
    for module in ("aqt", "PyQt6.QtWebEngineCore"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is not installed (pip install -e '.[test]' installs aqt[qt6])"
        except ModuleNotFoundError:
            return f"{module} is not installed (pip install -e '.[test]' installs aqt[qt6])"
    return None


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    flags = env.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if os.geteuid() == 0 and "--no-sandbox" not in flags:  # Chromium's sandbox refuses to run as root
        env["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()
    env["ANKI_NOHIGHDPI"] = "1"  # one CSS pixel a device pixel: widths are what the job asks
    env.pop("ANKI_BASE", None)
    return env


def single_instance_key(base: Path) -> str:
    """Anki lets one instance run per user and hands a second one's work to it: a key of the run's own,
    so that a test run next to an open Anki, or next to another test run, starts its own."""
    return f"papers2anki-tests-{os.getpid()}-{abs(hash(str(base)))}"


def run_job(
    packages: list[Path],
    work: Path,
    views: list[dict[str, Any]] | None = None,
    shots: list[dict[str, Any]] | None = None,
    timeout: float = 300.0,
    step_timeout: float = 30.0,
) -> dict[str, Any]:
    """Import `packages` into a fresh Anki in `work`, show every card in each view; the runner's report."""
    work.mkdir(parents=True, exist_ok=True)
    out = work / "report.json"
    job = {
        "base": str(work / "anki-base"),
        "packages": [str(p) for p in packages],
        "views": views or VIEWS,
        "shots": shots or [],
        "out": str(out),
        "step_timeout": step_timeout,
    }
    job_file = work / "job.json"
    job_file.write_text(json.dumps(job, ensure_ascii=False), "utf-8")
    log = work / "anki.log"
    started = time.monotonic()
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, str(RUNNER), str(job_file)],
            env={**environment(), "ANKI_SINGLE_INSTANCE_KEY": single_instance_key(work)},
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: ended with its QtWebEngine children
        )
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            _end_group(proc)
    tail = log.read_text("utf-8", "replace")[-3000:]
    if not out.exists():
        took = time.monotonic() - started
        raise DesktopError(f"Anki wrote no report in {took:.0f} s (exit {proc.returncode}):\n{tail}")
    report: dict[str, Any] = json.loads(out.read_text("utf-8"))
    if "error" in report:
        raise DesktopError(f"Anki reported: {report['error']}\n{tail}")
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    return report


def _end_group(proc: subprocess.Popen[bytes]) -> None:
    """End the app's process group (its own id): TERM, then KILL if anything is left."""
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        # The leader is gone; children in the group may linger for a moment.
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.1)
