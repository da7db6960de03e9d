"""Vendor the MathJax 3.2.2 files the preview page needs into papers2anki/data/mathjax-3.2.2.zip.

Source: the `mathjax` npm package 3.2.2 (Apache-2.0; its LICENSE goes into the zip), installed by
`cd tools/mathjax && npm ci`. The page loads only tex-chtml-full.js (the component Anki ships) and the
CHTML woff fonts; nothing else is fetched (checked by tests/test_preview.py). The zip is deterministic,
and tests/test_preview.py checks it still equals the npm package's files.

    python tools/vendor_mathjax.py
"""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NPM = REPO / "tools" / "mathjax" / "node_modules" / "mathjax"
TARGET = REPO / "papers2anki" / "data" / "mathjax-3.2.2.zip"
VERSION = "3.2.2"


def wanted_files(npm: Path = NPM) -> dict[str, Path]:
    """Name in the zip -> file in the npm package."""
    version = json.loads((npm / "package.json").read_text())["version"]
    if version != VERSION:
        raise SystemExit(f"{npm}: mathjax {version}, need {VERSION} (cd tools/mathjax && npm ci)")
    files = {"LICENSE": npm / "LICENSE", "tex-chtml-full.js": npm / "es5" / "tex-chtml-full.js"}
    for font in sorted((npm / "es5" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff")):
        files[f"output/chtml/fonts/woff-v2/{font.name}"] = font
    return files


def zip_bytes(files: dict[str, Path]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, path in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def main() -> None:
    if not NPM.exists():
        sys.exit(f"{NPM} is missing: run `cd tools/mathjax && npm ci` first")
    data = zip_bytes(wanted_files())
    TARGET.write_bytes(data)
    print(f"{TARGET.relative_to(REPO)}: {len(data)} bytes")


if __name__ == "__main__":
    main()
