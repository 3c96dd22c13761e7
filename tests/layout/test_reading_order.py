"""Reading order on synthetic boxes: lines, blocks, XY-cut order, furniture."""

from __future__ import annotations

import pytest

from pipeline.layout.reading_order import (
    TextBox,
    group_blocks,
    group_char_boxes,
    group_lines,
    is_furniture,
    reading_order,
)

EM = 10.0
PAGE_W, PAGE_H = 595.0, 842.0


def _chars(text: str, x: float, y: float, *, size: float = EM, gap: float = 0.0) -> list[TextBox]:
    """One box per character, CJK characters one em wide, others half; `gap` adds tracking."""
    boxes = []
    for char in text:
        width = size if ord(char) > 0x2E80 else size / 2
        if not char.isspace():
            boxes.append(TextBox(char, (x, y, x + width, y + size)))
        x += width + gap
    return boxes


def _line(text: str, x: float, y: float, *, size: float = EM) -> TextBox:
    return TextBox(text, (x, y, x + len(text) * size, y + size))


def _column(x: float, y: float, paragraphs: list[int], *, chars: int = 10, label: str = "") -> list[TextBox]:
    """Lines of paragraphs (given as line counts): first line indented 2 em, last line short."""
    lines = []
    for index, count in enumerate(paragraphs):
        for k in range(count):
            indent = 2 if k == 0 else 0
            width = chars - indent if k < count - 1 else 4
            lines.append(_line(f"{label}{index}" + "字" * (width - len(label) - 1), x + indent * EM, y))
            y += 1.5 * EM
    return lines


def _texts(blocks: list[list[TextBox]]) -> list[str]:
    return ["".join(line.text for line in block) for block in blocks]


# ---------------------------------------------------------------------------------------------- lines


def test_reading_order_lines_join_cjk_without_spaces() -> None:
    chars = _chars("关于印发通知", 0, 0, gap=1.0) + _chars("第二行", 0, 15)
    assert [line.text for line in group_lines(chars)] == ["关于印发通知", "第二行"]


def test_reading_order_lines_space_between_latin_words() -> None:
    chars = _chars("GB/T 9704-2012 补贴100万元", 0, 0)
    assert [line.text for line in group_lines(chars)] == ["GB/T 9704-2012 补贴100万元"]


def test_reading_order_lines_whitespace_boxes_mark_word_breaks() -> None:
    # Boxes wider than their advance touch each other; the space box still marks the break.
    chars = [TextBox("a", (0, 0, 7, 10)), TextBox(" ", (5, 0, 7, 10)), TextBox("b", (7, 0, 12, 10))]
    assert [line.text for line in group_lines(chars)] == ["a b"]


def test_reading_order_lines_ideographic_space_does_not_split() -> None:
    chars = _chars("第一条　总则", 0, 0) + _chars("第二条　定义", 0, 15) + _chars("第三条　范围", 0, 30)
    assert [line.text for line in group_lines(chars)] == ["第一条总则", "第二条定义", "第三条范围"]


def test_reading_order_lines_column_gutter_splits_rows() -> None:
    chars = []
    for row in range(4):
        chars += _chars("左栏文字内容", 0, row * 15) + _chars("右栏文字内容", 72, row * 15)  # 1.2 em gutter
    lines = group_lines(chars)
    assert [line.text for line in lines] == ["左栏文字内容", "右栏文字内容"] * 4
    assert {line.x0 for line in lines} == {0, 72}


def test_reading_order_lines_gutter_beside_an_indented_column_start() -> None:
    # The right column's paragraph starts with an indent in the first row: that row's gap (2.2 em)
    # is under the hard split, and its middle lies where the next rows already have text; their
    # gutter still lies inside it.
    chars = _chars("左栏文字内容", 0, 0) + _chars("段首文字", 82, 0)
    for row in range(1, 4):
        chars += _chars("左栏文字内容", 0, row * 15) + _chars("右栏文字内容", 72, row * 15)  # 1.2 em gutter
    lines = group_lines(chars)
    assert [line.text for line in lines] == ["左栏文字内容", "段首文字"] + [
        "左栏文字内容",
        "右栏文字内容",
    ] * 3


def test_reading_order_lines_gaps_measured_in_given_ems() -> None:
    # PDF boxes are as tall as the font pdfium substitutes makes them (here 1.3 times the font
    # size); the reader's ems (font sizes) keep the thresholds where the text is.
    chars = [
        TextBox(c.text, (c.x0, c.y0, c.x1, c.y0 + 13)) for c in _chars("标题", 0, 0) + _chars("第3版", 55, 0)
    ]
    texts, boxes = [c.text for c in chars], [c.bbox for c in chars]
    assert [line.text for line in group_char_boxes(texts, boxes)] == ["标题第3版"]  # 3.5 em < 3 x 1.3 em
    split = group_char_boxes(texts, boxes, ems=[EM] * len(chars))
    assert [line.text for line in split] == ["标题", "第3版"]


def test_reading_order_lines_wide_gap_splits_a_lone_row() -> None:
    chars = _chars("标题", 0, 0) + _chars("第3版", 100, 0)
    assert [line.text for line in group_lines(chars)] == ["标题", "第3版"]


def test_reading_order_lines_punctuation_stays_in_line() -> None:
    # A loose box of a comma shares the line's band even when its ink sits low.
    chars = [*_chars("通知", 0, 0), TextBox("，", (20, 1, 30, 11)), *_chars("如下", 30, 0)]
    assert [line.text for line in group_lines(chars)] == ["通知，如下"]


def test_reading_order_lines_from_parallel_lists_match_text_boxes() -> None:
    # The PDF reader's entry point gives the same lines as `group_lines`, empty texts dropped alike.
    chars = [
        *_chars("左栏 text 内容", 0, 0),
        TextBox(" ", (72, 0, 77, 10)),
        TextBox("", (80, 0, 85, 10)),
        *_chars("右栏文字", 120, 0),
        *_chars("第二行", 0, 15),
    ]
    lines = group_char_boxes([c.text for c in chars], [c.bbox for c in chars])
    assert lines == group_lines(chars)
    assert [line.text for line in lines] == ["左栏 text 内容", "右栏文字", "第二行"]


def test_reading_order_lines_parallel_lists_must_match() -> None:
    with pytest.raises(ValueError, match="2 texts for 1 boxes"):
        group_char_boxes(["a", "b"], [(0, 0, 5, 10)])
    with pytest.raises(ValueError, match="1 texts for 1 boxes and 2 ems"):
        group_char_boxes(["a"], [(0, 0, 5, 10)], ems=[10.0, 10.0])


# --------------------------------------------------------------------------------------------- blocks


def test_reading_order_blocks_split_at_indent_and_short_line() -> None:
    lines = _column(0, 0, [3, 2, 1])
    blocks = group_blocks(lines)
    assert [len(block) for block in blocks] == [3, 2, 1]


def test_reading_order_blocks_continue_across_a_one_em_gap() -> None:
    # The largest gap that continues a block (one em), with other blocks opened in between.
    lines = [_line("第一行文字内容", 0, 0), _line("旁栏", 300, 5), _line("第二行文字内容", 0, 20)]
    assert [len(block) for block in group_blocks(lines)] == [2, 1]


def test_reading_order_blocks_headline_apart_from_body() -> None:
    lines = [_line("通知标题", 0, 0, size=18), *_column(0, 25, [2])]
    assert [len(block) for block in group_blocks(lines)] == [1, 2]


def test_reading_order_blocks_never_span_columns() -> None:
    lines = _column(0, 0, [4], label="左") + _column(120, 0, [4], label="右")
    blocks = group_blocks(lines)
    assert len(blocks) == 2
    assert all(len({line.x0 >= 120 for line in block}) == 1 for block in blocks)


def test_reading_order_blocks_a_lead_across_columns_keeps_apart_from_the_column_below() -> None:
    """A lead line over two columns, the byline under it in the left column, the right column's
    text beside the byline: the byline starts the left column, it does not end the lead."""
    lead = _line("一一省工信厅负责人解读若干政策措施全文", 0, 0)
    byline = _line("本报记者孟庆林", 0, 1.8 * EM)
    right = _column(120, 1.8 * EM, [3], label="右")
    blocks = group_blocks([lead, byline, *right])
    assert [line.text for line in blocks[0]] == [lead.text]
    assert any(block[0] is byline for block in blocks)


def test_reading_order_blocks_a_second_line_continues_its_own_first_line() -> None:
    """OCR line boxes of a generated page (pixels): the first line of （五） touches the last line of
    （四） above it, and its second line is within one line height of both. The second line
    continues （五）, never （四） past it, though it overlaps （四）'s last line more."""
    lines = [
        TextBox("（四）算力调度平台项目。对接入省级算力调", (183, 1597, 800, 1641)),
        TextBox("度平台且可调度算力规模超过500PFlops的平台运", (106, 1640, 801, 1686)),
        TextBox("营主体，根据调度成效给予100万～300万元奖励。", (106, 1684, 769, 1730)),
        TextBox("（五）算力应用示范项目。对入选省级算力应", (181, 1729, 800, 1773)),
        TextBox("用典型案例的项目，按照项目总投资的10%给予补", (106, 1773, 799, 1818)),
    ]
    assert [len(block) for block in group_blocks(lines)] == [3, 2]


def test_reading_order_blocks_a_short_last_line_under_an_indented_first_line() -> None:
    # `业：` ends the salutation: it starts at the body's left edge, left of the indented line above.
    lines = [
        TextBox("各市（州）经济和信息化局、财政局，有关企", (166, 453, 800, 498)),
        TextBox("业：", (109, 498, 163, 542)),
        TextBox("为贯彻落实《四川省推进算力基础设施高质量", (166, 541, 799, 585)),
        TextBox("发展若干措施》，加快建设全国一体化算力网络成", (109, 586, 798, 628)),
    ]
    assert [[line.text[:2] for line in block] for block in group_blocks(lines)] == [
        ["各市", "业："],
        ["为贯", "发展"],
    ]


# ---------------------------------------------------------------------------------------------- order


def _order(lines: list[TextBox]) -> list[str]:
    return _texts(reading_order(group_blocks(lines), PAGE_W, PAGE_H))


def test_reading_order_headline_then_columns_left_to_right() -> None:
    headline = _line("关于印发专项资金管理办法的通知", 30, 0, size=18)
    lines = [headline, *_column(0, 40, [3, 2], label="左"), *_column(120, 40, [2, 3], label="右")]
    order = _order(lines)
    assert order[0] == headline.text
    assert [text[:2] for text in order[1:]] == ["左0", "左1", "右0", "右1"]


def test_reading_order_aligned_paragraph_breaks_do_not_interleave() -> None:
    # Same line pitch and paragraph breaks at the same heights in both columns: narrow bands of
    # whitespace cross the whole page between every two rows, and must not be cut before the gutter.
    lines = _column(0, 0, [2, 2, 2], label="左") + _column(120, 0, [2, 2, 2], label="右")
    order = _order(lines)
    assert [text[:2] for text in order] == ["左0", "左1", "左2", "右0", "右1", "右2"]


def test_reading_order_narrow_title_over_middle_column_comes_first() -> None:
    title = _line("通知", 170, 0, size=18)  # over the middle column only, not across a gutter
    lines = [title]
    for index, x in enumerate((0, 130, 260)):
        lines += _column(x, 40, [3], label="甲乙丙"[index])
    order = _order(lines)
    assert [text[:2] for text in order] == ["通知", "甲0", "乙0", "丙0"]


def test_reading_order_sidebar_stays_in_its_column() -> None:
    upper = _column(0, 0, [3], label="上")
    sidebar = [_line("专栏" + "字" * 6, 15, 60), _line("专栏" + "字" * 6, 15, 75)]
    lower = _column(0, 110, [3], label="下")
    right = _column(130, 0, [5, 3], label="右")
    order = _order(upper + sidebar + lower + right)
    assert [text[:2] for text in order] == ["上0", "专栏", "下0", "右0", "右1"]


def test_reading_order_column_goes_on_below_a_photo() -> None:
    # Issue 4 (generated pages synthetic-1-017 and -029): a photo in the left column and the right
    # column ending at its top leave a band of whitespace across the page. The caption and the
    # rest of the left column come before the right column, not after it.
    headline = _line("关于印发通知", 30, 0, size=18)
    upper = _column(0, 40, [3, 2], label="左")
    caption = _line("图为企业车间", 10, 220, size=8)
    lower = _column(0, 240, [3], label="下")
    right = _column(120, 40, [3, 2], label="右")
    order = _order([headline, *upper, caption, *lower, *right])
    assert [text[:2] for text in order] == ["关于", "左0", "左1", "图为", "下0", "右0", "右1"]


def test_reading_order_lead_across_then_columns_with_aligned_rows() -> None:
    # Issue 4 (synthetic-1-011): a headline and a lead across the page, set less than a line
    # above two columns whose rows line up: the rows' narrow gaps must not be cut across the gutter.
    headline = _line("关于印发通知", 30, 0, size=18)
    lead = _line("导" * 22, 0, 27)
    lines = [headline, lead, *_column(0, 42, [2, 2], label="左"), *_column(120, 42, [2, 2], label="右")]
    order = _order(lines)
    assert [text[:2] for text in order] == ["关于", "导导", "左0", "左1", "右0", "右1"]


def test_reading_order_new_story_below_a_band_is_read_after_the_columns_above() -> None:
    # A second story whose headline sits over its first column only: the band above it ends the
    # first story's columns (the headline is taller than their lines), it does not continue them.
    first = _column(0, 0, [2], label="甲") + _column(120, 0, [2], label="乙")
    headline = _line("第二篇报道", 0, 60, size=18)
    second = _column(0, 90, [2], label="丙") + _column(120, 90, [2], label="丁")
    order = _order([*first, headline, *second])
    assert [text[:2] for text in order] == ["甲0", "乙0", "第二", "丙0", "丁0"]


def test_reading_order_furniture_outside_the_cuts() -> None:
    # A page number under the first column would otherwise continue that column.
    heads = [_line("山西日报", 0, 5), _line("第3版", 200, 5)]
    body = _column(0, 60, [3], label="左") + _column(120, 60, [3], label="右")
    foot = _line("- 3 -", 30, 820)
    order = _order([foot, *body, *heads])
    assert [text[:2] for text in order] == ["山西", "第3", "左0", "右0", "- "]


def test_reading_order_empty_and_single() -> None:
    assert reading_order([], PAGE_W, PAGE_H) == []
    block = [_line("通知", 0, 0)]
    assert reading_order([block], PAGE_W, PAGE_H) == [block]


# ------------------------------------------------------------------------------------------ furniture


@pytest.mark.parametrize(
    ("text", "y", "expected"),
    [
        ("3", 815, True),
        ("- 3 -", 815, True),
        ("— 3 —", 770, True),  # GB/T 9704 puts the page number about 9% from the bottom
        ("－12－", 770, True),
        ("第3页", 770, True),
        ("第 3 页 共 10 页", 815, True),
        ("3/10", 20, True),
        ("山西日报 2024年3月1日 第3版", 20, True),  # short line in the top band
        ("山西日报 2024年3月1日 第3版", 770, False),  # same text above the band
        ("3", 400, False),  # a bare number in the body
        ("对符合条件的企业给予最高100万元奖励，所需资金由省级财政安排，具体办法另行制定。", 815, False),
    ],
)
def test_reading_order_furniture(text: str, y: float, expected: bool) -> None:
    assert is_furniture([_line(text, 250, y)], PAGE_W, PAGE_H) is expected


def test_reading_order_furniture_needs_one_line() -> None:
    block = [_line("3", 290, 800), _line("4", 290, 815)]
    assert not is_furniture(block, PAGE_W, PAGE_H)
