"""Text repair: layout damage undone, offsets and page boxes kept."""

from __future__ import annotations

import pytest

from pipeline.normalize.text_repair import clean_line, repair
from pipeline.readers.base import RawBlock, RawDocument, RawPage


def _text(*blocks: list[str]) -> str:
    return repair(RawDocument(media_type="text/plain", blocks=[RawBlock(lines=b) for b in blocks]))[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("给予不超过研发总投入 20%、最高 1000", "给予不超过研发总投入20%、最高1000"),
        ("典型应用场景不少于 5个", "典型应用场景不少于5个"),
        ("给予最高 100 万元的一次性", "给予最高100万元的一次性"),
        ("一 体 的 新 型 生 产", "一体的新型生产"),
        ("大 做 强 的 工 作 要", "大做强的工作要"),
        ("资源禀赋独特 政策指向明确 要素保障有力", "资源禀赋独特 政策指向明确 要素保障有力"),
        ("　　对符合条件的企业，", "对符合条件的企业，"),
        ("提供坚实支撑。 （姚毅）", "提供坚实支撑。（姚毅）"),
        ("（半精度 FP16）以上", "（半精度 FP16）以上"),
        (" 8月 19日，省发改委", "8月19日，省发改委"),
        ("1 000 000元", "1000000元"),
    ],
)
def test_text_repair_clean_line(line: str, expected: str) -> None:
    assert clean_line(line) == expected


def test_text_repair_joins_wrapped_lines_without_spaces() -> None:
    lines = ["支持大模型关键技术", "攻关。支持高校、科研", "机构、企业联合智算中", "心孵化大模型。"]
    assert _text(lines) == "支持大模型关键技术攻关。支持高校、科研机构、企业联合智算中心孵化大模型。"


def test_text_repair_keeps_headings_and_paragraph_ends() -> None:
    lines = [
        "资源禀赋独特 政策指向明确",
        "——《若干措施》解读",
        "8月19日，省发改委、省数据局联合发出申报工作的通知，并根据专项资金要求制定了",
        "详细的申报指南，标志着我省在全面落实省委、省政府关于推动数字经济的工作要求。",
    ]
    assert _text(lines).split("\n") == [
        "资源禀赋独特 政策指向明确",
        "——《若干措施》解读",
        "8月19日，省发改委、省数据局联合发出申报工作的通知，并根据专项资金要求制定了详细的申报指南，"
        "标志着我省在全面落实省委、省政府关于推动数字经济的工作要求。",
    ]


def test_text_repair_paragraph_cut_by_a_column_break_is_joined() -> None:
    first = ["对于参数量不低于千亿、", "典型应用场景不少于 5个"]
    second = ["的大模型，给予不超过研发总投入 20%、最高 1000", "万元的补贴。"]
    assert (
        _text(first, second)
        == "对于参数量不低于千亿、典型应用场景不少于5个的大模型，给予不超过研发总投入20%、最高1000万元的补贴。"
    )


def test_text_repair_one_line_at_a_column_foot_continues_in_the_next_column() -> None:
    foot = ["支持云服务发展。鼓励"]
    next_column = ["算力企业转变算力供给", "方式，大力发展云服务。"]
    assert _text(foot, next_column) == "支持云服务发展。鼓励算力企业转变算力供给方式，大力发展云服务。"
    # A short heading alone in its block does not run into the paragraph below it.
    assert _text(["一、总则"], next_column).split("\n")[0] == "一、总则"


def test_text_repair_a_numbered_item_starts_a_paragraph_after_a_wide_heading() -> None:
    lines = ["四、推进数字化转型", "（七）支持企业智能", "化改造。对企业实施"]
    assert _text(lines).split("\n") == ["四、推进数字化转型", "（七）支持企业智能化改造。对企业实施"]


def test_text_repair_short_last_lines_of_a_column_stay_in_the_paragraph() -> None:
    lines = [
        "支持应用本省算力资源，每年评选10个优秀算力应用示范场景予以授牌，并按",
        "照不超过关键设备和",
        "系统软件投入的20%，",
        "给予应用方最高100",
        "万元的一次性奖励。",
    ]
    assert _text(lines).endswith("投入的20%，给予应用方最高100万元的一次性奖励。")
    assert "\n" not in _text(lines)


def test_text_repair_one_paragraph_per_line_stays_apart() -> None:
    lines = [
        "关于印发若干措施的通知",
        "各市人民政府：",
        "现将《若干措施》印发给你们，请认真贯彻落实。",
        "一、支持企业研发",
    ]
    assert _text(lines).split("\n") == lines


def test_text_repair_digits_split_over_lines_join_and_latin_words_keep_a_space() -> None:
    assert (
        _text(["租用办公用房面积不少于20", "0平方米的企业，给予补贴。"])
        == "租用办公用房面积不少于200平方米的企业，给予补贴。"
    )
    assert "computing power" in _text(
        ["the provincial plan for computing", "power and artificial intelligence."]
    )
    # A Latin run inside Chinese text is one word cut by the line end.
    assert "能源利用效率（PUE）应低于1.3" in _text(
        ["对新建算力中心给予补助，项目能源利用效率（P", "UE）应低于1.3。"]
    )
    assert "采用 Open Harmony 系统" in _text(["对终端企业在新产品中采用 Open", "Harmony 系统的给予补贴。"])


def test_text_repair_blocks_keep_boxes_and_offsets_furniture_left_out() -> None:
    raw = RawDocument(
        media_type="application/pdf",
        pages=[RawPage(number=1, width=595, height=842)],
        blocks=[
            RawBlock(lines=["某市人民政府公报"], page=1, bbox=(72, 20, 300, 32), furniture=True),
            RawBlock(lines=["一、总则"], page=1, bbox=(72, 80, 200, 95)),
            RawBlock(lines=["对符合条件的企业给予最高 100万元奖励。"], page=1, bbox=(72, 100, 520, 115)),
        ],
    )
    text, pages = repair(raw)
    assert text == "一、总则\n对符合条件的企业给予最高100万元奖励。"
    blocks = pages[0].blocks
    assert [text[b.start : b.end] for b in blocks] == ["一、总则", "对符合条件的企业给予最高100万元奖励。"]
    assert blocks[1].bbox == (72, 100, 520, 115)
