"""Content sniffing and the dispatch in `read_document`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

import pipeline.readers as readers
from pipeline.errors import InputError
from pipeline.readers import READERS, SUPPORTED_SUFFIXES, read_document
from pipeline.readers.sniff import DOCX, JPEG, OCTET_STREAM, OLE, PDF, PNG, TEXT, TIFF, ZIP, sniff


def _zip(names: list[str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", PDF),
        (b"\r\n\r\n%PDF-1.4\n", PDF),  # junk before the header is allowed
        (b"\x89PNG\r\n\x1a\n" + bytes(32), PNG),
        (b"\xff\xd8\xff\xe0" + bytes(32), JPEG),
        (b"II*\x00" + bytes(32), TIFF),
        (b"MM\x00*" + bytes(32), TIFF),
        (_zip(["[Content_Types].xml", "word/document.xml"]), DOCX),
        (_zip(["mimetype", "content.xml"]), ZIP),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(32), OLE),
        ("通知".encode("gbk"), TEXT),
        ("通知\n".encode(), TEXT),
        (bytes(range(256)) * 4, OCTET_STREAM),
        (b"GIF89a" + bytes(64), OCTET_STREAM),
    ],
)
def test_sniff_media_types(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


def test_sniff_truncated_docx_is_still_docx() -> None:
    data = _zip(["[Content_Types].xml", "word/document.xml"])
    assert sniff(data[: len(data) // 2]) == DOCX


def test_sniff_registry_covers_readable_types() -> None:
    assert set(READERS) == {PDF, DOCX, TEXT, PNG, JPEG, TIFF}
    assert all(media_type in reader.media_types for media_type, reader in READERS.items())
    assert SUPPORTED_SUFFIXES == (".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".txt", ".docx")


def test_sniff_text_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_text("关于印发通知\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"^report\.pdf: content is plain text, not PDF \(file name says \.pdf\)$"
    ):
        read_document(path)


def test_sniff_pdf_named_docx(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InputError, match=r"^a\.docx: content is PDF, not DOCX \(file name says \.docx\)$"):
        read_document(path)


@pytest.mark.parametrize("name", ["a.png", "b.jpg", "c.tif"])
def test_sniff_images_go_to_the_image_reader(tmp_path: Path, name: str) -> None:
    headers = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff\xe0", ".tif": b"II*\x00"}
    path = tmp_path / name
    path.write_bytes(headers[path.suffix] + bytes(64))
    # Sniffed as images and handed to OCR, whose decoder refuses the broken body by name.
    with pytest.raises(InputError, match=rf"^{name}: (truncated or )?corrupt image"):
        read_document(path)


def test_sniff_unknown_suffix_read_by_content(tmp_path: Path) -> None:
    path = tmp_path / "notice.html"
    path.write_text("通知\n\n正文", encoding="utf-8")
    assert read_document(path).media_type == TEXT


def test_sniff_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^missing\.pdf: no such file$"):
        read_document(tmp_path / "missing.pdf")


def test_sniff_directory_is_not_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    with pytest.raises(InputError, match=r"^folder\.pdf: not a regular file$"):
        read_document(folder)


def test_sniff_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_FILE_BYTES", 10)
    path = tmp_path / "big.txt"
    path.write_text("通知" * 10, encoding="utf-8")
    with pytest.raises(InputError, match=r"^big\.txt: file too large \(60 bytes; the limit is 10\)$"):
        read_document(path)
