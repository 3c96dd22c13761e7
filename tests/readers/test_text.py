"""Plain text reader: encodings detected from content, binary rejected, blank-line blocks."""

from __future__ import annotations

import codecs
import os
import random
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.readers import read_document
from pipeline.readers.text import detect_encoding

NOTICE = (
    "关于印发《省级专项资金管理办法》的通知\n各市、县人民政府：\n　　对符合条件的企业给予最高100万元奖励。"
)
TRADITIONAL = "關於印發專項資金管理辦法的通知，對符合條件的企業給予最高一百萬元獎勵。"


def _write(tmp_path: Path, data: bytes, name: str = "notice.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "data",
    [
        NOTICE.encode("utf-8"),
        codecs.BOM_UTF8 + NOTICE.encode("utf-8"),
        NOTICE.encode("utf-16"),  # with BOM
        codecs.BOM_UTF16_BE + NOTICE.encode("utf-16-be"),
        NOTICE.encode("gbk"),
        NOTICE.encode("gb2312"),
        NOTICE.encode("gb18030"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "gbk", "gb2312", "gb18030"],
)
def test_text_encodings_decode_to_the_same_text(tmp_path: Path, data: bytes) -> None:
    doc = read_document(_write(tmp_path, data))
    assert doc.media_type == "text/plain"
    assert doc.pages == []
    assert [b.lines for b in doc.blocks] == [NOTICE.split("\n")]


def test_text_big5_detected() -> None:
    assert detect_encoding(TRADITIONAL.encode("big5")) == "big5"


def test_text_gbk_only_characters_use_gb18030() -> None:
    text = "关于“镕”字的说明：支持企业发展，补贴50万元。" * 3
    data = text.encode("gbk")
    assert detect_encoding(data) == "gb18030"
    assert data.decode(detect_encoding(data) or "") == text


def test_text_latin1_note_is_text() -> None:
    data = "Notice: the subsidy is paid in café vouchers, see annex.\n".encode("latin-1")
    assert detect_encoding(data) is not None


@pytest.mark.parametrize("size", [64, 512, 4096, 65536])
@pytest.mark.parametrize("seed", range(8))
def test_text_random_bytes_rejected(tmp_path: Path, size: int, seed: int) -> None:
    data = random.Random(seed).randbytes(size)
    with pytest.raises(InputError, match=r"^noise\.txt: not text \(binary content\)$"):
        read_document(_write(tmp_path, data, "noise.txt"))


@pytest.mark.parametrize("size", [64, 512, 4096])
@pytest.mark.parametrize("seed", range(8))
def test_text_random_high_bytes_rejected(size: int, seed: int) -> None:
    # Bytes above 0x7f only: they decode in GBK and in most code pages, so plausibility decides.
    data = bytes(b | 0x80 for b in random.Random(seed).randbytes(size))
    assert detect_encoding(data) is None


def test_text_urandom_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not text"):
        read_document(_write(tmp_path, os.urandom(4096), "noise.txt"))


@pytest.mark.parametrize("data", [b" \n\t\r\n", "　　\n".encode(), b"\n\n\n"])
def test_text_whitespace_only_is_empty(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(InputError, match=r"^blank\.txt: empty file"):
        read_document(_write(tmp_path, data, "blank.txt"))


def test_text_zero_bytes_is_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^empty\.txt: empty file$"):
        read_document(_write(tmp_path, b"", "empty.txt"))


def test_text_blank_lines_separate_blocks(tmp_path: Path) -> None:
    text = "第一条  标题\r\n　　正文一行\r\n\r\n  \r\n第二条\r正文\n\n\n附件"
    doc = read_document(_write(tmp_path, text.encode("utf-8")))
    assert [b.lines for b in doc.blocks] == [["第一条  标题", "　　正文一行"], ["第二条", "正文"], ["附件"]]
    assert all(b.page is None and b.bbox is None and not b.furniture for b in doc.blocks)
