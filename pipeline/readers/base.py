"""What every reader returns: raw text blocks in reading order, before text repair.

Readers know file formats and nothing about policies. Text repair (`pipeline.normalize.text_repair`)
turns the blocks into the document's `text` and its page blocks with offsets.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipeline.document import BBox


class RawBlock(BaseModel):
    """A block of text as the format gives it: lines in reading order, with its box where there is one."""

    model_config = ConfigDict(extra="forbid")

    lines: list[str] = Field(description="lines in reading order, without line ends")
    page: int | None = Field(default=None, description="1-based page number; null for formats without pages")
    bbox: BBox | None = None
    furniture: bool = Field(default=False, description="page header, footer or page number: not body text")


class RawPage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: int
    width: float
    height: float
    ocr: bool = False


class RawDocument(BaseModel):
    """A reader's output."""

    model_config = ConfigDict(extra="forbid")

    media_type: str
    pages: list[RawPage] = Field(default_factory=list, description="empty for formats without pages")
    blocks: list[RawBlock] = Field(default_factory=list, description="in reading order")
