"""Page preparation: pixel limit from the header, decoding errors, orientation and skew from OCR lines."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from pipeline.errors import InputError
from pipeline.ocr.engine import OcrLine, Quad
from pipeline.ocr.prepare import (
    MAX_PAGE_PIXELS,
    open_pages,
    page_turn,
    rotate_point_back,
    skew_angle,
    straighten,
    to_pixels,
)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height, with almost no pixel data behind it."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(64)))
        + chunk(b"IEND", b"")
    )


def line(text: str, quad: Quad, *, flipped: bool = False) -> OcrLine:
    return OcrLine(text=text, quad=quad, score=0.99, flipped=flipped)


def horizontal(text: str, y: float, *, flipped: bool = False, slope: float = 0.0) -> OcrLine:
    return line(
        text, ((0, y), (400, y + 400 * slope), (400, y + 30 + 400 * slope), (0, y + 30)), flipped=flipped
    )


def vertical(text: str, x: float, *, flipped: bool = False) -> OcrLine:
    return line(text, ((x, 0), (x + 30, 0), (x + 30, 400), (x, 400)), flipped=flipped)


def test_prepare_bomb_refused_from_the_header() -> None:
    with pytest.raises(InputError, match=r"^huge\.png: image too large \(.*400,?000,?000 pixels"):
        next(open_pages(png_header_only(20000, 20000), name="huge.png"))
    # Under Pillow's own bomb limit, ours speaks, still before decoding.
    with pytest.raises(InputError, match=r"^big\.png: image too large \(12000x9000 = 108,000,000 pixels"):
        next(open_pages(png_header_only(12000, 9000), name="big.png"))
    assert MAX_PAGE_PIXELS < 12000 * 9000


def test_prepare_truncated_jpeg_is_a_clear_error() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buffer, format="JPEG")
    data = buffer.getvalue()
    with pytest.raises(InputError, match=r"^cut\.jpg: truncated or corrupt image"):
        next(open_pages(data[: len(data) // 2], name="cut.jpg"))


def test_prepare_multipage_tiff_pages_come_one_at_a_time() -> None:
    buffer = io.BytesIO()
    frames = [Image.new("L", (200, 100), shade) for shade in (255, 128, 0)]
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    shades = [to_pixels(page)[0, 0, 0] for page in open_pages(buffer.getvalue(), name="scan.tif")]
    assert shades == [255, 128, 0]


def test_prepare_pixels_are_rgb_with_transparency_on_white() -> None:
    clear = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert to_pixels(clear).shape == (4, 4, 3) and int(to_pixels(clear).min()) == 255
    deep = Image.fromarray(np.full((4, 4), 65535, dtype=np.uint16))
    assert int(to_pixels(deep).max()) == 255


@pytest.mark.parametrize(
    ("lines", "turns"),
    [
        ([horizontal("支持智算中心建设", y) for y in (0, 50, 100)], 0),
        ([horizontal("支持智算中心建设", y, flipped=True) for y in (0, 50, 100)], 2),
        ([vertical("支持智算中心建设", x) for x in (0, 50, 100)], 1),
        ([vertical("支持智算中心建设", x, flipped=True) for x in (0, 50, 100)], 3),
        ([horizontal("正文", 0), horizontal("正文", 50)], 0),  # too little text to judge
    ],
)
def test_prepare_page_turn(lines: list[OcrLine], turns: int) -> None:
    assert page_turn(lines) == turns


def test_prepare_page_turn_is_decided_by_characters_not_boxes() -> None:
    lines = [
        horizontal("对上一年度营业收入超过五百万元的企业给予奖励", 0),
        vertical("图", 0),
        vertical("注", 40),
    ]
    assert page_turn(lines) == 0


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_prepare_rotate_point_back_inverts_rot90(turns: int) -> None:
    image = np.zeros((30, 50), dtype=np.uint8)
    image[7, 11] = 1  # row 7, column 11: the point (11, 7)
    turned = np.rot90(image, turns)
    row, column = (int(v) for v in np.argwhere(turned == 1)[0])
    x, y = rotate_point_back(column + 0.5, row + 0.5, turns, 50, 30)
    assert (x, y) == pytest.approx((11.5, 7.5))


def test_prepare_skew_is_measured_and_levelled() -> None:
    slope = np.tan(np.radians(1.2))
    lines = [horizontal("支持智算中心建设", y, slope=slope) for y in (0, 50, 100)]
    angle = skew_angle(lines)
    assert angle == pytest.approx(1.2, abs=0.01)
    (x0, y0), (x1, y1) = straighten(lines[0].quad[:2], angle, (200.0, 60.0))
    assert y1 - y0 == pytest.approx(0.0, abs=1e-6) and x1 > x0
    assert skew_angle([horizontal("支持智算中心建设", 0)]) == 0.0
