"""mistune's block parser, with the source line of every block it makes.

mistune's tokens carry no positions. `_Parser` stamps each token with the line where its rule
matched (`parse_method`), a paragraph with the line where its text starts (`add_paragraph`), and
gives each nested parse (a list item, a block quote) the line its text starts on, so that lines
inside containers are source lines too. `blocks` turns the tokens into a tree of `Block`s, each with
its first and last source line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import mistune
from mistune.block_parser import BlockParser
from mistune.core import BlockState
from mistune.plugins.table import table

_EMPTY_ITEM = re.compile(r"[ \t]*(?:[-+*]|\d{1,9}[.)])[ \t]*\n?$")


class _State(BlockState):
    """A BlockState that knows the source line of its text's first line."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.first_line = 1
        self._breaks: list[int] | None = None
        self.containers: list[dict[str, Any]] = []  #: the list or quote being parsed, innermost last

    def line_at(self, pos: int) -> int:
        if self._breaks is None:
            self._breaks = [m.start() for m in re.finditer("\n", self.src)]
        return self.first_line + bisect.bisect_left(self._breaks, pos)

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        if last and last["type"] == "paragraph":
            last["text"] += text
        else:
            self.tokens.append({"type": "paragraph", "text": text, "line": self.line_at(self.cursor)})

    def append_token(self, token: dict[str, Any]) -> None:
        if not self.containers:  # outside a rule (indented code): the token starts at the cursor
            token.setdefault("line", self.line_at(self.cursor))
        self.tokens.append(token)

    def child_state(self, src: str, lazy_line_starts: Any = None) -> BlockState:
        child = super().child_state(src, lazy_line_starts)
        assert isinstance(child, _State)
        if not self.containers:
            child.first_line = self.line_at(self.cursor)
            return child
        container = self.containers[-1]
        if container["rule"] != "list":  # a block quote: its text starts on its first line
            child.first_line = container["line"]
            return child
        # A list item: it starts where the previous one found its marker (the list's line for the first).
        start = container["next"]
        container["items"].append(start)
        own_line = self.src[self._offset_of(start) : self.find_line_end_at(self._offset_of(start))]
        child.first_line = start + 1 if _EMPTY_ITEM.match(own_line) else start
        # The item ends where the next one's marker is read: the line before the cursor.
        container["next"] = self.line_at(max(self.cursor - 1, 0))
        return child

    def _offset_of(self, line: int) -> int:
        if self._breaks is None:
            self.line_at(0)
        assert self._breaks is not None
        index = line - self.first_line
        return 0 if index <= 0 else self._breaks[index - 1] + 1


class _Parser(BlockParser):
    def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
        assert isinstance(state, _State)
        line = state.line_at(m.start())
        rule = m.lastgroup
        before = len(state.tokens)
        state.containers.append({"rule": rule, "line": line, "next": line, "items": []})
        try:
            end = super().parse_method(m, state)
        finally:
            container = state.containers.pop()
        for token in state.tokens[before:]:
            if "line" not in token:
                token["line"] = line
                if token["type"] == "list":
                    for item, item_line in zip(token["children"], container["items"]):
                        item["line"] = item_line
        return end


_block = _Parser()
mistune.Markdown(renderer=None, block=_block, plugins=[table])  # registers the table rule on _block


@dataclass
class Block:
    """A block of the source: its type, its first and last line (1-based), and its children."""

    type: str  #: mistune's token type: paragraph, heading, list, list_item, block_code, table, ...
    line: int
    end: int
    token: dict[str, Any] = field(repr=False)
    children: list[Block] = field(default_factory=list)

    @property
    def text(self) -> str:
        return str(self.token.get("text", self.token.get("raw", "")))

    @property
    def level(self) -> int:
        return int(self.token.get("attrs", {}).get("level", 0))


def blocks(text: str, lines: list[str]) -> list[Block]:
    """The top-level blocks of `text` (whose lines are `lines`), blank lines left out."""
    state = _State()
    state.process(text if text.endswith("\n") else text + "\n")
    _block.parse(state)
    out = _tree(state.tokens)
    _set_ends(out, len(lines), lines)
    return out


def _tree(tokens: list[dict[str, Any]]) -> list[Block]:
    out: list[Block] = []
    for token in tokens:
        if token["type"] == "blank_line":
            continue
        children = _tree(token.get("children", []) if token["type"] in ("list", "list_item", "block_quote") else [])
        # A container mistune placed by index, past `parse_method`'s look, starts where its first child does.
        line = token.get("line") or (children[0].line if children else out[-1].line if out else 1)
        out.append(Block(token["type"], int(line), 0, token, children))
    return sorted(out, key=lambda b: b.line)  # mistune inserts a list before the block that ended it


def _set_ends(found: list[Block], end: int, lines: list[str]) -> None:
    """Each block runs to the line before the next one (or its container's end), blank lines trimmed."""
    for i, block in enumerate(found):
        last = found[i + 1].line - 1 if i + 1 < len(found) else end
        while last > block.line and not lines[last - 1].strip():
            last -= 1
        block.end = max(block.line, last)
        _set_ends(block.children, block.end, lines)
