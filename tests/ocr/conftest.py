"""Fixtures for the OCR tests: fonts, small rendered pages, one OCR page reader per session."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from pipeline.errors import ConfigError
from pipeline.ocr.page import PageReader
from pipeline.ocr.synthetic import Fonts, find_fonts


@pytest.fixture(scope="session")
def fonts() -> Fonts:
    try:
        return find_fonts()
    except ConfigError as exc:
        pytest.skip(f"Noto CJK fonts not installed ({exc}); `make test` installs them")


@pytest.fixture(scope="session")
def page_reader() -> PageReader:
    """One reader (one set of loaded models) for every OCR test."""
    return PageReader()


LEFT = ["对上一年度营业收入超过", "500万元的企业，给予最", "高200万元奖励。"]
RIGHT = ["支持智算中心建设，按实", "际投资的15%给予补贴，", "最高不超过5000万元。"]


def two_column_page(fonts: Fonts, *, size: int = 36) -> Image.Image:
    """A small scan-like page: a headline across two short columns."""
    image = Image.new("RGB", (1000, 560), "white")
    draw = ImageDraw.Draw(image)
    draw.text((250, 40), "关于支持企业发展的通知", font=fonts.bold(size + 10), fill="black")
    for column, lines in ((40, LEFT), (530, RIGHT)):
        for row, line in enumerate(lines):
            draw.text((column, 170 + row * int(size * 1.6)), line, font=fonts.body(size), fill="black")
    return image
