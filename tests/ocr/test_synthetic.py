"""The page generator: reproducible, laid out as newspapers are, truth that matches what was drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.ocr.synthetic import (
    Article,
    Fonts,
    PageGenerator,
    articles_from_texts,
    render_article_page,
    wrap,
)

CORPUS = Path(__file__).resolve().parents[2] / "corpus" / "notices"


@pytest.fixture(scope="module")
def generator(fonts: Fonts) -> PageGenerator:
    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))[:12]]
    return PageGenerator(articles_from_texts(texts), seed=5, width=1200, height=1700, fonts=fonts)


def test_synthetic_pages_are_reproducible(generator: PageGenerator) -> None:
    first, again = generator.page(3), generator.page(3)
    assert first.truth == again.truth
    assert np.array_equal(np.asarray(first.image), np.asarray(again.image))
    assert generator.page(4).truth != first.truth


def test_synthetic_truth_holds_body_in_order_and_furniture_apart(generator: PageGenerator) -> None:
    kinds_seen: set[str] = set()
    for index in range(6):
        truth = generator.page(index).truth
        assert truth.body[0].kind in ("kicker", "headline")
        assert {block.kind for block in truth.furniture} == {"header", "footer", "page_number"}
        assert all(c in (2, 3, 4) for c in truth.columns)
        assert all(block.text for block in truth.body)
        for block in truth.body:
            x0, y0, x1, y1 = block.bbox
            assert 0 <= x0 < x1 <= truth.width and 0 <= y0 < y1 <= truth.height
        kinds_seen |= {block.kind for block in truth.body}
    assert {"headline", "paragraph"} <= kinds_seen


def test_synthetic_wrap_keeps_closing_marks_off_line_starts(fonts: Fonts) -> None:
    font = fonts.body(30)
    text = "对上一年度营业收入超过500万元的企业，给予最高200万元奖励。支持智算中心建设。" * 3
    lines = wrap(text, font, 300)
    assert "".join(lines) == text
    assert not any(line[0] in "，。、；：）》”" for line in lines)
    assert all(font.getlength(line) <= 300 + font.size for line in lines)


def test_synthetic_article_that_does_not_fit_is_refused(fonts: Fonts) -> None:
    article = Article(headline="标题", paragraphs=["很长的一段正文。" * 400])
    with pytest.raises(ValueError, match="does not fit"):
        render_article_page(article, width=800, height=1000, fonts=fonts, degrade=False)
