"""Counts as a person writes them: `1 paper`, `2 papers`; `1 карточка`, `2 карточки`, `5 карточек`.

The one helper for every count the commands print, in English and in Russian.
"""

from __future__ import annotations


def plural(count: int, one: str, many: str | None = None) -> str:
    """`count` and the English noun for it: `one` for 1, else `many` (by default `one` + "s")."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def plural_ru(count: int, one: str, few: str, many: str) -> str:
    """`count` and the Russian noun for it, by the last digits: 1, 21, 101 take `one` (карточка); 2-4, 22-24
    take `few` (карточки); 0, 5-20, 11-14, 25-30, 111 take `many` (карточек)."""
    tens, units = count % 100, count % 10
    if units == 1 and tens != 11:
        word = one
    elif 2 <= units <= 4 and not 12 <= tens <= 14:
        word = few
    else:
        word = many
    return f"{count} {word}"
