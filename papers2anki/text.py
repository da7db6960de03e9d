"""Small text helpers shared by the stages: identity keys and search skeletons."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=4096)  # asked for each question and note of a paper, each time its title
def title_key(title: str) -> str:
    """Fold case, spacing, Markdown emphasis and punctuation: the identity of a paper."""
    text = unicodedata.normalize("NFKC", title).casefold().replace("ё", "е")
    return _NOT_WORD.sub(" ", text).strip()


def skeleton(text: str) -> str:
    """Letters and digits only, lower case: what survives Markdown and line breaks."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())
