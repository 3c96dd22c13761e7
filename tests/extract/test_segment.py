"""Clause segmentation: sentences, semicolons and enumerations, each under its heading."""

from __future__ import annotations

from pipeline.extract.segment import segment


def test_segment_sentences_and_semicolons_with_offsets() -> None:
    text = "支持智算中心建设。对新建项目给予补贴；对改建项目给予奖励。"
    clauses = segment(text)
    assert [c.text for c in clauses] == ["支持智算中心建设。", "对新建项目给予补贴；", "对改建项目给予奖励。"]
    assert all(text[c.start : c.end] == c.text for c in clauses)


def test_segment_short_first_sentence_is_the_heading() -> None:
    clauses = segment("支持智算中心建设。对新建项目给予补贴。\n鼓励企业上云。对上云企业给予奖励。")
    assert [(c.is_heading, c.heading) for c in clauses] == [
        (True, "支持智算中心建设"),
        (False, "支持智算中心建设"),
        (True, "鼓励企业上云"),
        (False, "鼓励企业上云"),
    ]


def test_segment_enumerated_headings_lose_their_markers() -> None:
    text = (
        "一、支持数字技术创新\n（一）支持关键核心技术攻关。对榜单项目给予补助。\n第七条 对获奖企业给予奖励。"
    )
    clauses = segment(text)
    assert clauses[0].is_heading and clauses[0].heading == "支持数字技术创新"
    assert clauses[1].is_heading and clauses[1].heading == "支持关键核心技术攻关"
    assert clauses[2].heading == "支持关键核心技术攻关" and not clauses[2].is_heading
    assert clauses[3].text == "第七条 对获奖企业给予奖励。" and not clauses[3].is_heading


def test_segment_sentences_with_numbers_are_never_headings() -> None:
    (clause,) = segment("给予最高100万元奖励。")
    assert not clause.is_heading


def test_segment_a_headline_before_the_body_names_no_measure() -> None:
    # A newspaper headline is the document's title; the first measure below it is not called so.
    text = "洛阳出台文旅融合新政　让文物活起来\n博物馆建设等18条措施同步落地\n对新建博物馆给予补助。\n支持研学旅行\n对研学机构给予奖励。"
    clauses = segment(text)
    assert clauses[0].is_heading and clauses[0].heading is None
    assert clauses[2].heading is None
    assert clauses[4].heading == "支持研学旅行"
