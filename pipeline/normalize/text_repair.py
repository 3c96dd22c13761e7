"""Turn a reader's raw blocks into the document text, repairing layout damage while keeping evidence true.

Scans, PDFs and hard-wrapped web text break Chinese sentences in ways no library repairs: lines cut
at the column width (`支持大模型关键技术` / `攻关。`), a paragraph continued in the next column
after a blank line, letter-spaced headings (`一 体 的 新 型`) and spaces inside numbers and units
(`最高 1000 万元`, `不少于 5个`). The rules below are hand-written because they depend on Chinese
typography; every output block records its offsets into the repaired text and keeps its page box,
so each character of `text` still maps back to where it was printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from pipeline.document import Block, Page
from pipeline.readers.base import RawBlock, RawDocument

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = (
    "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2026\u201c\u201d\u2018\u2019"
)
_SPACE = "[ \t\u00a0\u3000]"

# A run of single CJK characters each separated by one space: letter-spaced justification.
_LETTER_SPACED = re.compile(rf"[{_CJK}](?:{_SPACE}[{_CJK}]){{2,}}(?![{_CJK}])")
# Spaces between a number and the CJK word or sign it belongs with, and next to CJK punctuation.
_SPACE_IN_NUMBER = re.compile(
    rf"(?<=[0-9０-９.%％])({_SPACE}+)(?=[{_CJK}0-9０-９%％‰])"
    rf"|(?<=[{_CJK}])({_SPACE}+)(?=[0-9０-９])"
    rf"|(?<=[{_CJK_PUNCT}])({_SPACE}+)"
    rf"|({_SPACE}+)(?=[{_CJK_PUNCT}])"
)
_TERMINAL = tuple("。！？；：!?;:")
_CLOSERS = "”’」』）)"
# A wrapped line is at least this share of its block's widest line.
_WRAP_SHARE = 0.75
# Paragraphs commonly start indented by two characters (that OCR or extraction may drop).
_FIRST_LINE_INDENT = 2.0
_ENUMERATION_START = re.compile(
    r"^(?:[一二三四五六七八九十]+[、是]|[（(][一二三四五六七八九十0-9]+[)）]|\d+[.、．]|第.{1,4}[条章])"
)


def clean_line(line: str) -> str:
    """Strip a line and remove layout spaces, keeping spaces that separate phrases or Latin words."""
    line = line.strip(" \t\u00a0\u3000\ufeff")
    line = _LETTER_SPACED.sub(lambda m: re.sub(_SPACE, "", m.group(0)), line)
    return _SPACE_IN_NUMBER.sub("", line)


def _ends_sentence(line: str) -> bool:
    return line.rstrip(_CLOSERS).endswith(_TERMINAL)


def display_width(text: str) -> float:
    """Printed width in em: CJK and full-width characters are one em, ASCII half."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


def _is_wrapped(line: str, width: float, *, indent: float = 0.0) -> bool:
    """A line cut by the column width: long for its block and not at a sentence end."""
    return width > 0 and display_width(line) + indent >= _WRAP_SHARE * width and not _ends_sentence(line)


_LATIN_RUN_AT_END = re.compile(r"[A-Za-z]+$")


def _joiner(left: str, right: str) -> str:
    """Nothing between CJK text or digits (`不少于20` / `0平方米`); a space between Latin words. A
    Latin run written into Chinese text (`能源利用效率（P` + `UE）`, `50PFl` + `ops`) is one word cut
    by the line end; it is a word of its own when a space or the line start comes before it, or the
    line is English prose."""
    run = _LATIN_RUN_AT_END.search(left)
    if run is None or not (right[:1].isascii() and right[:1].isalpha()):
        return ""
    before = left[: run.start()]
    own_word = not before or before[-1].isspace() or left.count(" ") >= 2
    return " " if own_word else ""


@dataclass
class _Piece:
    text: str
    block: RawBlock
    continues: bool  # joins the previous piece without a line break
    width: float  # the block's widest line in em, for continuation decisions
    last_line: str


def _block_piece(block: RawBlock) -> _Piece | None:
    lines = [c for c in (clean_line(line) for line in block.lines) if c]
    if not lines:
        return None
    width = max(display_width(line) for line in lines) if len(lines) > 1 else 0.0
    parts = [lines[0]]
    # Inside a paragraph whose lines wrap, only a sentence end can end it: the last lines of a column
    # may be short (a box beside them) without ending the paragraph. The first line may be indented.
    in_paragraph = False
    for i, (prev, line) in enumerate(pairwise(lines)):
        indent = _FIRST_LINE_INDENT if i == 0 else 0.0
        wrapped = _is_wrapped(prev, width, indent=indent) or (in_paragraph and not _ends_sentence(prev))
        # A numbered item starts a paragraph even after a heading nearly as wide as a narrow column.
        wrapped = wrapped and not _ENUMERATION_START.match(line)
        parts.append(_joiner(prev, line) if wrapped else "\n")
        parts.append(line)
        in_paragraph = wrapped
    return _Piece("".join(parts), block, False, width, lines[-1])


def repair(raw: RawDocument) -> tuple[str, list[Page]]:
    """Build the document text and its pages with block offsets from a reader's output.

    Furniture (page headers, footers, numbers) stays out of the text. A block whose last line is
    wrapped continues in the next block without a break: a paragraph cut by a column or page break.
    """
    pieces: list[_Piece] = []
    for block in raw.blocks:
        if block.furniture:
            continue
        piece = _block_piece(block)
        if piece is None:
            continue
        if pieces:
            prev = pieces[-1]
            # A one-line block has no width of its own to judge its line by: the column's next
            # block, where a paragraph cut at the column foot goes on, lends it one.
            width = prev.width or piece.width
            piece.continues = _is_wrapped(prev.last_line, width) and not _ENUMERATION_START.match(piece.text)
        pieces.append(piece)

    chunks: list[str] = []
    offset = 0
    pages = {p.number: Page(number=p.number, width=p.width, height=p.height, ocr=p.ocr) for p in raw.pages}
    for i, piece in enumerate(pieces):
        if i:
            sep = _joiner(pieces[i - 1].text, piece.text) if piece.continues else "\n"
            chunks.append(sep)
            offset += len(sep)
        start = offset
        chunks.append(piece.text)
        offset += len(piece.text)
        block = piece.block
        if block.page is not None and block.bbox is not None and block.page in pages:
            pages[block.page].blocks.append(Block(bbox=block.bbox, start=start, end=offset))
    return "".join(chunks), [pages[n] for n in sorted(pages)]
