"""File-system-safe names for deck files: transliterated, bounded, never special."""

from __future__ import annotations

import re
import unicodedata

_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщыэюя",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch y e yu ya".split(),
    )
) | {"ъ": "", "ь": ""}
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
MAX_LENGTH = 80


def slugify(title: str) -> str:
    """`Mask-Predict: Parallel Decoding` -> `mask-predict-parallel-decoding`; never empty or reserved."""
    text = "".join(_TRANSLIT.get(c, c) for c in title.casefold())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > MAX_LENGTH:
        slug = slug[:MAX_LENGTH].rsplit("-", 1)[0] or slug[:MAX_LENGTH]
    if not slug:
        slug = "paper"
    if slug.split(".")[0] in _WINDOWS_RESERVED:
        slug += "-paper"
    return slug


def unique_slugs(titles: list[str]) -> list[str]:
    """Slugs for titles in order; a repeated slug gets `-2`, `-3`, ... in order of appearance."""
    seen: dict[str, int] = {}
    out = []
    for title in titles:
        slug = slugify(title)
        count = seen.get(slug, 0) + 1
        seen[slug] = count
        candidate = slug if count == 1 else f"{slug}-{count}"
        while candidate in seen and candidate != slug:
            count += 1
            candidate = f"{slug}-{count}"
        seen.setdefault(candidate, 1)
        out.append(candidate)
    return out
