"""The source's lines as the parser reads them (scaffolding blanked), and the texts cut from them."""

from __future__ import annotations

import re

from .blocks import Block

_ATX = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)|\s+#+\s*$")


class Lines:
    """Lines of a source, 1-based in every argument, and the texts between them."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines

    def text(self, first: int, last: int) -> str:
        return "\n".join(self.lines[first - 1 : last])

    def words(self, block: Block) -> str:
        return " ".join(self.text(block.line, block.end).split())

    def outdented(self, first: int, last: int, width: int) -> str:
        out = []
        for line in self.lines[first - 1 : last]:
            expanded = line.expandtabs(4)
            strip = min(width, len(expanded) - len(expanded.lstrip(" ")))
            out.append(expanded[strip:])
        return "\n".join(out).strip("\n")

    def heading_line(self, head: Block) -> str:
        """A heading's own text: without its `#`s, or the lines above a setext underline."""
        if head.token.get("style") == "setext":
            return self.text(head.line, head.end - 1).strip()
        return _ATX.sub("", self.lines[head.line - 1]).strip()
