"""Reading order for positioned text: characters into lines, lines into blocks, blocks into reading order.

The digital PDF reader feeds character boxes through `group_char_boxes` (`group_lines` on parallel
lists of texts and boxes), `group_blocks` and `reading_order`; the OCR path feeds the recogniser's
line boxes through `group_ocr_lines` (the same row and gutter logic, with thresholds for boxes that
are whole text lines) and then the same `group_blocks`, `reading_order` and `is_furniture`. Boxes are
`(x0, y0, x1, y1)` with the origin at the top left of the page, in page units (points for PDF,
pixels for images).

XY-cut is written by hand here: no maintained pure-Python library cuts character or line boxes (the
layout packages work on page images and ship models), and the algorithm is small.

    >>> chars = [TextBox("通", (0, 0, 10, 10)), TextBox("知", (10, 0, 20, 10))]
    >>> [line.text for line in group_lines(chars)]
    ['通知']
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "BBox",
    "TextBox",
    "block_bbox",
    "group_blocks",
    "group_char_boxes",
    "group_lines",
    "group_ocr_lines",
    "is_furniture",
    "reading_order",
]

BBox = tuple[float, float, float, float]

# A gap wider than this (in em, the line's median char height) splits a line even without a
# whitespace river in the rows around it: two text runs this far apart are never one line.
HARD_SPLIT_EM = 3.0
# A gap wider than this splits a line when the rows above or below have a gap at the same place
# (a column gutter). Below it: letter spacing, and one dropped ideographic space (1 em).
GUTTER_MIN_EM = 1.1
# Latin letters and digits further apart than this get one space between them (a space is 0.2-0.33 em).
SPACE_EM = 0.15
# How far left of a paragraph's first line its second line may start (in line heights): the
# first-line indent of two characters, plus slack.
PARAGRAPH_INDENT_EM = 1.5
# Bands of the page height where page headers and footers live.
FURNITURE_BAND = 0.06
PAGE_NUMBER_BAND = 0.12
FURNITURE_MAX_CHARS = 40
# OCR line boxes (`group_ocr_lines`): their height, the em of that grouping, is a little more than
# the glyph height (PP-OCR's detector pads each line), and the detector already splits text at wide
# gaps. Pieces of one row closer than a box height are one line (the detector cut it at a digit
# run or a space); a gap a third of that wide splits the row where the neighbouring rows have a
# gap at the same place: a column gutter.
OCR_HARD_SPLIT_EM = 1.0
OCR_GUTTER_MIN_EM = 0.3

_PAGE_NUMBER = re.compile(
    r"^\s*(?:"
    r"[-－—–~～·•\s]*\d{1,4}[-－—–~～·•\s]*"  # 3, - 3 -, — 3 —
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"  # 第3页, 第3页 共10页
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/10
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"  # Page 3 of 10
    r")\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TextBox:
    """A piece of text (a character, a line) and its box, origin top-left."""

    text: str
    bbox: BBox

    @property
    def x0(self) -> float:
        return self.bbox[0]

    @property
    def y0(self) -> float:
        return self.bbox[1]

    @property
    def x1(self) -> float:
        return self.bbox[2]

    @property
    def y1(self) -> float:
        return self.bbox[3]

    @property
    def height(self) -> float:
        return self.bbox[3] - self.bbox[1]


def block_bbox(boxes: Sequence[TextBox]) -> BBox:
    """The union of the boxes."""
    if not boxes:
        raise ValueError("block_bbox() of no boxes")
    left, top, right, bottom = boxes[0].bbox
    for box in boxes[1:]:
        x0, y0, x1, y1 = box.bbox
        if x0 < left:
            left = x0
        if y0 < top:
            top = y0
        if x1 > right:
            right = x1
        if y1 > bottom:
            bottom = y1
    return (left, top, right, bottom)


# ---------------------------------------------------------------------------------------------- lines


def group_lines(chars: Sequence[TextBox]) -> list[TextBox]:
    """Group character boxes into line boxes, top to bottom, left to right within a row.

    Characters share a row when they overlap vertically by half the smaller height. A row is split
    at a gap wider than `HARD_SPLIT_EM`, or wider than `GUTTER_MIN_EM` where a neighbouring row has a
    gap at the same place: a column gutter, so two columns never merge into one line. Nothing is put
    between CJK characters; other neighbours get one space where they are more than `SPACE_EM` apart
    or where a whitespace box lies between them. Whitespace boxes are optional and never text of
    their own: they only mark word breaks that the gap alone does not show (fonts whose boxes are
    wider than their advance).

    Args:
        chars: one box per character.

    Returns:
        The lines, ordered by row and then by x; reading order is `reading_order`'s job.

    >>> chars = [TextBox("a", (0, 0, 5, 10)), TextBox("b", (9, 0, 14, 10)), TextBox("c", (100, 0, 105, 10))]
    >>> [line.text for line in group_lines(chars)]
    ['a b', 'c']
    """
    return group_char_boxes([char.text for char in chars], [char.bbox for char in chars])


def group_ocr_lines(lines: Sequence[TextBox]) -> list[TextBox]:
    """Join OCR line pieces that share a row within a column into lines; never across a gutter.

    >>> row = [TextBox("最高", (0, 0, 60, 45)), TextBox("1000万元", (75, 0, 260, 45))]
    >>> [line.text for line in group_ocr_lines([*row, TextBox("其他", (320, 0, 380, 45))])]
    ['最高 1000万元', '其他']

    (Text repair takes the space before the number out again.)
    """
    return group_char_boxes(
        [line.text for line in lines],
        [line.bbox for line in lines],
        hard_split_em=OCR_HARD_SPLIT_EM,
        gutter_min_em=OCR_GUTTER_MIN_EM,
    )


def group_char_boxes(
    texts: Sequence[str],
    boxes: Sequence[BBox],
    *,
    ems: Sequence[float] | None = None,
    hard_split_em: float = HARD_SPLIT_EM,
    gutter_min_em: float = GUTTER_MIN_EM,
) -> list[TextBox]:
    """`group_lines` for characters given as two parallel lists: their texts and their boxes.

    The PDF reader's path, which so builds no `TextBox` per character. This is the reader's
    hottest code: it works on indexes into the two lists, and its loops avoid per-character
    function calls (`min`, `max`, properties).

    Args:
        texts: one string per character.
        boxes: their boxes.
        ems: each character's em (its font size on the page), where the source knows it. Without
            it a line's em is the median height of its boxes, which for a PDF depends on the
            ascent and descent of whatever font renders the text: for a font the PDF does not
            embed, a system font pdfium picks, so the thresholds would move with the fonts
            installed.
        hard_split_em: see `HARD_SPLIT_EM`.
        gutter_min_em: see `GUTTER_MIN_EM`.

    >>> [line.text for line in group_char_boxes(["通", "知"], [(0, 0, 10, 10), (10, 0, 20, 10)])]
    ['通知']
    """
    if len(texts) != len(boxes) or (ems is not None and len(ems) != len(boxes)):
        counts = f"{len(texts)} texts for {len(boxes)} boxes" + (f" and {len(ems)} ems" if ems else "")
        raise ValueError(counts)
    if not all(texts):
        kept = [i for i, text in enumerate(texts) if text]
        texts, boxes = [texts[i] for i in kept], [boxes[i] for i in kept]
        if ems is not None:
            ems = [ems[i] for i in kept]
    sizes = [y1 - y0 for _, y0, _, y1 in boxes] if ems is None else ems

    # Each row once: its ink (non-whitespace) chars, the sorted x centres of its whitespace boxes
    # and the vertical extent of its ink.
    ink_rows: list[list[int]] = []
    space_rows: list[list[float]] = []
    extents: list[tuple[float, float]] = []
    for row in _rows(boxes):
        ink: list[int] = []
        spaces: list[float] = []
        top = bottom = 0.0
        for i in row:
            x0, y0, x1, y1 = boxes[i]
            if texts[i].isspace():
                spaces.append((x0 + x1) / 2)
                continue
            if not ink:
                top, bottom = y0, y1
            else:
                if y0 < top:
                    top = y0
                if y1 > bottom:
                    bottom = y1
            ink.append(i)
        spaces.sort()
        ink_rows.append(ink)
        space_rows.append(spaces)
        extents.append((top, bottom))

    lines: list[TextBox] = []
    count = len(ink_rows)
    for index, row in enumerate(ink_rows):
        if not row:
            continue
        em = _em(sizes, row)
        spaces = space_rows[index]
        top, bottom = extents[index]
        neighbours = []
        for j in (index - 1, index + 1):
            if 0 <= j < count and ink_rows[j]:
                n_top, n_bottom = extents[j]
                if max(top - n_bottom, n_top - bottom, 0.0) <= 2.0 * em:
                    neighbours.append(ink_rows[j])
        hard = hard_split_em * em
        gutter = gutter_min_em * em
        start = 0
        reach = boxes[row[0]][2]
        for position in range(1, len(row)):
            x0, _, x1, _ = boxes[row[position]]
            width = x0 - reach
            if width > hard or (
                width > gutter and any(_has_gutter(boxes, n, reach, x0, em) for n in neighbours)
            ):
                lines.append(_join_line(texts, boxes, sizes, row[start:position], spaces))
                start = position
            if x1 > reach:
                reach = x1
        lines.append(_join_line(texts, boxes, sizes, row[start:], spaces, em if start == 0 else None))
    return lines


def _rows(boxes: Sequence[BBox]) -> list[list[int]]:
    """Char indexes into rows by vertical overlap; each row sorted by x."""
    lefts = [box[0] for box in boxes]
    centres = [((box[1] + box[3]) / 2, box[0]) for box in boxes]
    rows: list[list[int]] = []
    # (top, bottom, height) of each row's first char.
    bands: list[tuple[float, float, float]] = []
    for i in sorted(range(len(boxes)), key=centres.__getitem__):
        _, y0, _, y1 = boxes[i]
        height = y1 - y0
        # Only the last few rows can overlap a char that is lower than all earlier ones.
        k = len(rows) - 1
        stop = k - 3 if k > 2 else -1
        while k > stop:
            top, bottom, band_height = bands[k]
            overlap = (y1 if y1 < bottom else bottom) - (y0 if y0 > top else top)
            if overlap >= 0.5 * (height if height < band_height else band_height):
                rows[k].append(i)
                break
            k -= 1
        else:
            rows.append([i])
            bands.append((y0, y1, height))
    for row in rows:
        row.sort(key=lefts.__getitem__)
    order = sorted(range(len(rows)), key=lambda k: (bands[k][0], lefts[rows[k][0]]))
    return [rows[k] for k in order]


def _median(values: list[float]) -> float:
    """`statistics.median`, without its generality (this runs once per line)."""
    values.sort()
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def _em(sizes: Sequence[float], chars: list[int]) -> float:
    """The median em of the chars (indexes into `sizes`)."""
    return max(_median([sizes[i] for i in chars]), 1e-6)


def _has_gutter(boxes: Sequence[BBox], row: list[int], low: float, high: float, em: float) -> bool:
    """True when the row (sorted by x0) has whitespace between text inside the gap `low`..`high`.

    Half an em of it, or all of a narrower gap. Anywhere within the gap, not only around its
    middle: the line being split may start its column with a paragraph indent, which widens its
    gap on one side only.
    """
    wanted = min(0.5 * em, high - low)
    reach: float | None = None
    for i in row:
        x0, _, x1, _ = boxes[i]
        if x0 >= high and reach is None:
            return False
        if reach is not None and min(x0, high) - max(reach, low) >= wanted:
            return True
        if reach is None or x1 > reach:
            reach = x1
        if reach >= high:
            return False
    return False


def _join_line(
    texts: Sequence[str],
    boxes: Sequence[BBox],
    sizes: Sequence[float],
    chars: list[int],
    spaces: list[float],
    em: float | None = None,
) -> TextBox:
    """One line from its chars (indexes into `texts`, `boxes` and `sizes`).

    `spaces` are the x centres of the row's whitespace boxes, sorted; `em` is `_em` of the chars
    where the caller has it (it is only needed next to non-CJK text).
    """
    space_gap = -1.0  # SPACE_EM em, worked out at the first pair that needs it
    text = texts[chars[0]]
    parts = [text]
    left, top, right, bottom = boxes[chars[0]]
    reach = right
    prev_x0, prev_x1 = left, right
    prev_cjk = _is_cjk(text[-1])
    for i in chars[1:]:
        text = texts[i]
        x0, y0, x1, y1 = boxes[i]
        cjk = _is_cjk(text[-1])
        if not (prev_cjk and _is_cjk(text[0])):
            if space_gap < 0:
                space_gap = SPACE_EM * (_em(sizes, chars) if em is None else em)
            prev_centre, centre = (prev_x0 + prev_x1) / 2, (x0 + x1) / 2
            marked = bisect.bisect_right(spaces, prev_centre) < bisect.bisect_left(spaces, centre)
            if marked or x0 - reach > space_gap:
                parts.append(" ")
        parts.append(text)
        if x1 > reach:
            reach = x1
        # The union of the boxes, as `block_bbox` computes it.
        if x0 < left:
            left = x0
        if y0 < top:
            top = y0
        if x1 > right:
            right = x1
        if y1 > bottom:
            bottom = y1
        prev_x0, prev_x1, prev_cjk = x0, x1, cjk
    return TextBox("".join(parts), (left, top, right, bottom))


@functools.cache
def _is_cjk(ch: str) -> bool:
    """CJK ideographs, kana, hangul, CJK and full-width punctuation: scripts written without spaces."""
    code = ord(ch)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, ideographs
        or 0xAC00 <= code <= 0xD7AF  # hangul
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFE30 <= code <= 0xFE4F  # compatibility forms
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # extension ideographs
        or code in (0x2014, 0x2026, 0x201C, 0x201D, 0x2018, 0x2019)  # — … “ ” ‘ ’ as set in Chinese
    )


# --------------------------------------------------------------------------------------------- blocks


def group_blocks(lines: Sequence[TextBox]) -> list[list[TextBox]]:
    """Group lines into blocks (paragraphs, headings) within a column.

    A line joins the block whose last line is just above it (gap under one line height), overlaps
    it horizontally by half the narrower width and has about the same height. It starts a new block
    instead where a paragraph visibly starts: an indented line (Chinese paragraphs start with a
    two-character indent and no extra space) or a line after a short last line.

    Returns:
        Blocks, each a list of lines top to bottom, ordered by the top of their first line.
    """
    ordered = sorted(lines, key=_top_then_left)
    heights = [line.bbox[3] - line.bbox[1] for line in ordered]
    # `_continues` needs a line's top within one em (at most the taller line's height) of the
    # block's bottom, and tops only grow down the sorted lines: a block that ends further above a
    # line than the tallest line is high is over for good, and later lines skip it. (Only with
    # every top and height a number, when `sorted` really orders the tops.)
    reach = max(max(heights, default=0.0), 1e-6)
    prune = all(h <= reach for h in heights) and all(
        a.bbox[1] <= b.bbox[1] for a, b in itertools.pairwise(ordered)
    )
    beside = _row_neighbours(ordered)
    blocks: list[list[TextBox]] = []
    candidates: list[list[TextBox]] = []  # the blocks still open, in the order of `blocks`
    for index, line in enumerate(ordered):
        if prune:
            top = line.bbox[1]
            candidates = [block for block in candidates if not top - block[-1].bbox[3] > reach]
        fits = [
            (block, overlap)
            for block in candidates
            # The line above running across the gutter to another column is a lead, no paragraph.
            if not any(_overlap_x(block[-1], other) > 0 for other in beside[index])
            for overlap in [_continues(block, line)]
            if overlap > 0
        ]
        best: list[TextBox] | None = None
        best_overlap = 0.0
        for block, overlap in fits:
            if overlap > best_overlap and not _line_between(block, fits, line):
                best, best_overlap = block, overlap
        if best is None:
            blocks.append([line])
            candidates.append(blocks[-1])
        else:
            best.append(line)
    return blocks


def _line_between(block: list[TextBox], fits: list[tuple[list[TextBox], float]], line: TextBox) -> bool:
    """Whether another block the line could continue ends between this block and the line: a
    paragraph's indented first line sits between the paragraph above and its own second line, and
    the second line continues it, never the paragraph above."""
    last = block[-1]
    slack = 0.5 * max(min(last.height, line.height), 1e-6)
    return any(
        other is not block
        and other[-1].bbox[1] >= last.bbox[3] - slack
        and other[-1].bbox[3] <= line.bbox[1] + slack
        for other, _ in fits
    )


def _row_neighbours(lines: Sequence[TextBox]) -> list[list[TextBox]]:
    """For each line (sorted by top), the other lines of its row: those that overlap it vertically
    by half the smaller height and not horizontally (the same row of other columns)."""
    found: list[list[TextBox]] = [[] for _ in lines]
    for i, a in enumerate(lines):
        for j in range(i + 1, len(lines)):
            b = lines[j]
            if b.bbox[1] >= a.bbox[3]:
                break
            shared = min(a.bbox[3], b.bbox[3]) - b.bbox[1]
            if shared >= 0.5 * min(a.height, b.height) and _overlap_x(a, b) <= 0:
                found[i].append(b)
                found[j].append(a)
    return found


def _overlap_x(a: TextBox, b: TextBox) -> float:
    return min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])


def _top_then_left(box: TextBox) -> tuple[float, float]:
    return (box.bbox[1], box.bbox[0])


def _continues(block: list[TextBox], line: TextBox) -> float:
    """How well the line continues the block: horizontal overlap in points, 0 when it does not."""
    last_x0, last_y0, last_x1, last_y1 = block[-1].bbox
    x0, y0, x1, y1 = line.bbox
    last_height, height = last_y1 - last_y0, y1 - y0
    em = max(min(last_height, height), 1e-6)
    if not 0.77 <= height / max(last_height, 1e-6) <= 1.3:
        return 0.0
    if not -0.3 * em <= y0 - last_y1 <= 1.0 * em:
        return 0.0
    # The line above may be a paragraph's indented first line (two characters, about 1.3 line
    # heights): its next line starts left of it, and may be as short as `业：`.
    last_x0 -= PARAGRAPH_INDENT_EM * em
    overlap = min(last_x1, x1) - max(last_x0, x0)
    if overlap < 0.5 * min(last_x1 - last_x0, x1 - x0):
        return 0.0
    body_left = min(b.bbox[0] for b in block[1:]) if len(block) > 1 else block[0].bbox[0]
    if x0 > body_left + 0.8 * em:
        return 0.0  # indented: a new paragraph
    right = max(b.bbox[2] for b in block)
    if len(block) > 1 and last_x1 < right - 1.5 * em:
        return 0.0  # the block's last line ended short: its paragraph is over
    return max(overlap, 1e-6)


# ---------------------------------------------------------------------------------------------- order


def reading_order(
    blocks: Sequence[Sequence[TextBox]], page_width: float, page_height: float
) -> list[list[TextBox]]:
    """Order blocks by recursive XY-cut; running heads first and footers last.

    Page furniture (`is_furniture`) takes no part in the cuts: a running head split into parts, or
    a page number under a column, would only add gutters and bands that the body does not have.

    At each level the body is cut along whitespace that runs right through it, in this order:
    horizontal bands at least a line high (so a headline across columns comes before the columns
    below it), then vertical gaps (columns, read left to right), then narrower horizontal gaps
    (between paragraphs; around a boxed sidebar, which so stays in place within its column).
    Narrow horizontal gaps come after vertical ones because paragraph breaks in neighbouring
    columns often line up, and cutting there would interleave the columns.

    A horizontal gap, wide or narrow, is not cut where the columns of the text above it go on
    below it (`_continues_columns`): a photo at the foot of one column, or a column that ends
    early, leaves a band of whitespace across the page, and the text under it (the caption, the
    rest of that column) is read before the columns to the right, not after them. A headline or
    lead across the columns, or a title over one column, has no gutter of its own, and so is
    still cut off first.

    Args:
        blocks: blocks from `group_blocks` (or OCR), each a list of lines.
        page_width: page width, in the boxes' units.
        page_height: page height, in the boxes' units.

    Returns:
        The same blocks in reading order.
    """
    body: list[list[TextBox]] = []
    heads: list[list[TextBox]] = []
    feet: list[list[TextBox]] = []
    for block in (list(block) for block in blocks if block):
        if not is_furniture(block, page_width, page_height):
            body.append(block)
        else:
            _, top, _, bottom = block_bbox(block)
            (heads if top + bottom < page_height else feet).append(block)
    ordered: list[list[TextBox]] = []
    if body:
        line_height = _median([line.bbox[3] - line.bbox[1] for block in body for line in block])
        boxed = [(block, block_bbox(block)) for block in body]
        ordered = [block for block, _ in _xy_cut(boxed, max(line_height, 1e-6))]
    return sorted(heads, key=_first_top_left) + ordered + sorted(feet, key=_first_top_left)


def _first_top_left(block: list[TextBox]) -> tuple[float, float]:
    return _top_then_left(block[0])


_Item = tuple[list[TextBox], BBox]


def _xy_cut(items: list[_Item], line_height: float) -> list[_Item]:
    """Blocks (with their boxes) in reading order."""
    if len(items) <= 1:
        return items
    y_gaps = _projection_gaps([(box[1], box[3]) for _, box in items])
    x_gaps = _projection_gaps([(box[0], box[2]) for _, box in items])
    wide = [gap for gap in y_gaps if gap[1] - gap[0] >= line_height]
    parts: list[list[_Item]] = []
    if wide:
        parts = _bands(items, wide)
    if len(parts) <= 1 and x_gaps:
        parts = _split(items, x_gaps, axis=0)
    if len(parts) <= 1 and y_gaps:
        parts = _bands(items, y_gaps)
    if len(parts) <= 1 and (wide or y_gaps):
        # The bands all continue one set of columns, yet no gutter runs through them all (boxes
        # that only touch). Cut at the gaps.
        parts = _split(items, wide or y_gaps, axis=1)
    if len(parts) <= 1:
        # Overlapping boxes with no whitespace through them: top to bottom, then left to right.
        return sorted(items, key=lambda item: (item[1][1], item[1][0]))
    ordered: list[_Item] = []
    for part in parts:
        ordered.extend(_xy_cut(part, line_height))
    return ordered


def _split(items: list[_Item], cuts: list[tuple[float, float]], *, axis: int) -> list[list[_Item]]:
    """The items on each side of the cuts (gaps on the axis: 0 for x, 1 for y), empty sides dropped."""
    parts: list[list[_Item]] = [[] for _ in range(len(cuts) + 1)]
    for item in items:
        box = item[1]
        centre = (box[axis] + box[axis + 2]) / 2
        parts[sum(1 for cut in cuts if centre > cut[0])].append(item)
    return [part for part in parts if part]


def _bands(items: list[_Item], y_gaps: list[tuple[float, float]]) -> list[list[_Item]]:
    """The bands between the gaps; a band that goes on in the columns of the one above joins it."""
    merged: list[list[_Item]] = []
    for band in _split(items, y_gaps, axis=1):
        if merged and _continues_columns(merged[-1], band):
            merged[-1] = merged[-1] + band
        else:
            merged.append(band)
    return merged


def _continues_columns(above: list[_Item], below: list[_Item]) -> bool:
    """True when the text below a band of whitespace goes on in the columns of the text above it.

    The text above ends in columns (`_columns_at_foot`), nothing below crosses the middle of one of
    their gutters, and the first block below is no headline (its lines no taller than 1.3 times the
    lines above): a new story starts below a band, a column goes on below it.
    """
    gutters = _columns_at_foot(above)
    if not gutters:
        return False
    middles = [(start + end) / 2 for start, end in gutters]
    if any(box[0] < middle < box[2] for _, box in below for middle in middles):
        return False
    above_height = _median([line.height for block, _ in above for line in block])
    first, _ = min(below, key=lambda item: (item[1][1], item[1][0]))
    return max(line.height for line in first) <= 1.3 * above_height


def _columns_at_foot(items: list[_Item]) -> list[tuple[float, float]]:
    """The gutters between the columns that run down to the bottom of the items; none if none do.

    The items' horizontal bands are taken from the bottom up for as long as a gutter runs through
    them all, so a headline across the columns higher up does not hide them, and a column that
    ends early (its neighbour alone at the bottom) does not make a gutter of its own.
    """
    bands = _split(items, _projection_gaps([(box[1], box[3]) for _, box in items]), axis=1)
    spans: list[tuple[float, float]] = []
    gutters: list[tuple[float, float]] = []
    for band in reversed(bands):
        spans.extend((box[0], box[2]) for _, box in band)
        found = _projection_gaps(spans)
        if found:
            gutters = found
        elif gutters:
            break
    return gutters


def _projection_gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Gaps between the merged intervals of the spans' projection on one axis."""
    gaps: list[tuple[float, float]] = []
    spans = sorted(spans)
    reach = spans[0][1]
    for start, end in spans[1:]:
        if start > reach + 0.5:  # half a point: loose boxes of touching blocks may overlap a little
            gaps.append((reach, start))
        reach = max(reach, end)
    return gaps


# ------------------------------------------------------------------------------------------ furniture


def is_furniture(block: Sequence[TextBox], page_width: float, page_height: float) -> bool:
    """True for a page header, footer or page number.

    Short text (one line, at most `FURNITURE_MAX_CHARS` characters) inside the top or bottom
    `FURNITURE_BAND` of the page, or a page number (`3`, `- 3 -`, `— 3 —`, `第3页`, `3/10`) within the
    wider `PAGE_NUMBER_BAND` (Chinese official documents, GB/T 9704, put it about 9% from the bottom).

    >>> is_furniture([TextBox("- 3 -", (290, 770, 310, 780))], 595, 842)
    True
    """
    del page_width
    if not block:
        return False
    _, y0, _, y1 = block_bbox(block)
    text = "".join(line.text for line in block)
    top_band = y1 <= FURNITURE_BAND * page_height
    bottom_band = y0 >= (1 - FURNITURE_BAND) * page_height
    if (top_band or bottom_band) and len(block) == 1 and len(text.strip()) <= FURNITURE_MAX_CHARS:
        return True
    near_edge = y1 <= PAGE_NUMBER_BAND * page_height or y0 >= (1 - PAGE_NUMBER_BAND) * page_height
    return near_edge and len(block) == 1 and _PAGE_NUMBER.match(text) is not None
