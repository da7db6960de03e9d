"""Screenshots of a question card for the README: front and back, light and dark, phone and desktop.

    python tools/screenshots/make_screenshots.py     # needs Debian's `chromium`

Renders `papers2anki preview` of examples/answers/ in headless Chromium and writes
docs/screenshots/card-{light,dark}-{phone,desktop}.png. Pixels differ between Chromium versions, so
currency is checked through the inputs instead: docs/screenshots/inputs.sha256 holds the hash of the
preview page, the vendored MathJax and this script; tests/test_preview.py recomputes it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
EXAMPLE = "examples/answers/answers.md"  # relative to REPO: cards show `file:line` as given
SHOTS = REPO / "docs" / "screenshots"
HASH_FILE = SHOTS / "inputs.sha256"
CARD = "card-1"  # the first question: an answer with inline and display math
VIEWS = {  # name: (viewport width, height, device scale)
    "phone": (375, 812, 2),
    "desktop": (1100, 900, 1),
}
THEMES = ("light", "dark")


def preview_page() -> tuple[str, dict[str, bytes]]:
    """The preview page of the example and its MathJax files, exactly as the command writes them."""
    from papers2anki.preview import card_views, mathjax_files, page_html

    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        decks, _ = card_views([EXAMPLE], REPO / "docs" / "screenshots" / "preview.html")
    finally:
        os.chdir(cwd)
    folder = "preview_files/mathjax"
    return page_html(decks, folder), mathjax_files(folder)


def inputs_digest() -> str:
    page, assets = preview_page()
    digest = hashlib.sha256()
    digest.update(page.encode("utf-8"))
    for name, data in sorted(assets.items()):
        digest.update(name.encode() + b"\0" + data)
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()


def main() -> None:
    sys.path.insert(0, str(HERE))
    from chromium import Chromium

    page, assets = preview_page()
    with tempfile.TemporaryDirectory(prefix="p2a-shots-") as tmp:
        root = Path(tmp)
        (root / "preview.html").write_text(page, "utf-8")
        for name, data in assets.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        SHOTS.mkdir(parents=True, exist_ok=True)
        with Chromium() as browser:
            for view, (width, height, scale) in VIEWS.items():
                browser.set_viewport(width, height, scale)
                browser.open((root / "preview.html").as_uri(), "document.documentElement.dataset.math")
                state = browser.evaluate("document.documentElement.dataset.math")
                if state != "done":
                    sys.exit(f"MathJax did not finish: {state}")
                for theme in THEMES:
                    browser.evaluate(f"document.body.classList.toggle('nightMode', {str(theme == 'dark').lower()})")
                    box = browser.evaluate(
                        f"(() => {{ const r = document.getElementById('{CARD}').getBoundingClientRect();"
                        " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()"
                    )
                    pad = 8
                    clip = {
                        "x": max(box["x"] - pad, 0),
                        "y": max(box["y"] - pad, 0),
                        "width": min(box["width"] + 2 * pad, width),
                        "height": box["height"] + 2 * pad,
                    }
                    target = SHOTS / f"card-{theme}-{view}.png"
                    target.write_bytes(browser.screenshot(clip))
                    print(f"{target.relative_to(REPO)}")
    HASH_FILE.write_text(
        "# sha256 of what produces the screenshots; regenerate: python tools/screenshots/make_screenshots.py\n"
        f"{inputs_digest()}\n"
    )
    print(f"{HASH_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
