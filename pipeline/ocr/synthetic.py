"""Synthetic scanned newspaper pages with ground truth: the OCR path's evaluation harness.

A page is laid out from articles (a corpus notice's title and paragraphs) the way a provincial
daily sets one: a running head and a footer, one or two stories each with a headline across all
of its columns (sometimes a kicker above and a subtitle below), a lead across the full width,
body text in 2, 3 or 4 justified columns with two-character paragraph indents and kinsoku line
breaking, a paragraph running on from one column into the next, boxed sidebars (inside a column
between paragraphs, or across the foot of the last columns), photos with captions, rules between
columns. It is then degraded like a scan: paper tone, skew, blur, noise and JPEG artefacts.

The ground truth is every text block as it was printed, in reading order (body) or set apart
(furniture: running head, footer, page number). Reading order is the order a reader follows:
kicker, headline, subtitle, lead, then the columns left to right, each top to bottom, a box or
caption inside a column where it stands, and a box across the foot of the columns after them.

Pillow draws the text with Noto CJK (Debian's `fonts-noto-cjk`); `find_fonts` says how to get
it when it is missing. Everything is drawn from one `random.Random(seed)`, so a (seed, index)
pair always gives the same page.

    >>> generator = PageGenerator(articles_from_texts(texts), seed=1)  # doctest: +SKIP
    >>> page = generator.page(0)  # doctest: +SKIP
    >>> page.image.size, page.truth.body[0].kind  # doctest: +SKIP
    ((2400, 3400), 'headline')
"""

from __future__ import annotations

import io
import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pydantic import BaseModel, ConfigDict, Field

from pipeline.errors import ConfigError

__all__ = [
    "Article",
    "Fonts",
    "PageGenerator",
    "PageTruth",
    "SyntheticPage",
    "TruthBlock",
    "articles_from_texts",
    "find_fonts",
    "render_article_page",
]

BBox = tuple[float, float, float, float]
BlockKind = Literal[
    "kicker",
    "headline",
    "subtitle",
    "lead",
    "paragraph",
    "box_title",
    "box",
    "caption",
    "header",
    "footer",
    "page_number",
]

_FONT_DIRS = (
    Path("/usr/share/fonts/opentype/noto"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/opentype"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
)
_FONT_INSTALL = "install Debian's fonts-noto-cjk (apt-get install fonts-noto-cjk)"

# A line may not start with these (closing punctuation) nor end with the openers (kinsoku shori).
_NO_LINE_START = set("，。、；：？！）》」』”’〕】…—％%,.;:?!)")
_NO_LINE_END = set("（《「『“‘〔【(")

_PAPERS = ("山西日报", "河南日报", "陕西日报", "内蒙古日报", "宁波日报", "大连日报", "经济日报")
_EDITORS = ("王磊", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏")
_WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


class TruthBlock(BaseModel):
    """One printed text block: what it is, its text and its box in the page image's pixels."""

    model_config = ConfigDict(extra="forbid")

    kind: BlockKind
    text: str
    bbox: BBox


class PageTruth(BaseModel):
    """A generated page's ground truth."""

    model_config = ConfigDict(extra="forbid")

    name: str
    width: int
    height: int
    columns: list[int] = Field(description="column count of each story, top to bottom")
    features: list[str] = Field(description="what the page holds: box_in_column, box_at_foot, photo, …")
    body: list[TruthBlock] = Field(description="body blocks in reading order")
    furniture: list[TruthBlock] = Field(description="running head, footer and page number")

    @property
    def text(self) -> str:
        return "\n".join(block.text for block in self.body)


@dataclass
class SyntheticPage:
    image: Image.Image
    truth: PageTruth


@dataclass
class Article:
    """A story to set: its headline, optional kicker and subtitle, lead paragraphs across the page,
    body paragraphs in columns and an optional box (a sidebar with its own title)."""

    headline: str
    paragraphs: list[str]
    kicker: str | None = None
    subtitle: str | None = None
    lead: list[str] = field(default_factory=list)
    box_title: str | None = None
    box: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Fonts:
    """Font files (and .ttc face indexes) for body text and headlines."""

    serif: Path
    serif_index: int
    sans_bold: Path
    sans_bold_index: int

    def body(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.serif, self.serif_index, size)

    def bold(self, size: int) -> ImageFont.FreeTypeFont:
        return _font(self.sans_bold, self.sans_bold_index, size)


_FONT_CACHE: dict[tuple[Path, int, int], ImageFont.FreeTypeFont] = {}


def _font(path: Path, index: int, size: int) -> ImageFont.FreeTypeFont:
    key = (path, index, size)
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = ImageFont.truetype(str(path), size, index=index)
    return _FONT_CACHE[key]


def find_fonts() -> Fonts:
    """Noto Serif CJK SC Regular and Noto Sans CJK SC Bold from the system font folders.

    Raises:
        ConfigError: the fonts are not installed (the message says how to install them).
    """
    serif = _find_face("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC")
    sans = _find_face("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC")
    if serif is None or sans is None:
        raise ConfigError(f"Noto CJK fonts not found in {', '.join(map(str, _FONT_DIRS))}: {_FONT_INSTALL}")
    return Fonts(serif[0], serif[1], sans[0], sans[1])


def _find_face(file_name: str, family: str) -> tuple[Path, int] | None:
    for folder in _FONT_DIRS:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob(file_name)):
            # The collection holds JP, KR, SC, TC and HK faces; pick the Simplified Chinese one by name.
            for index in range(10):
                try:
                    face = ImageFont.truetype(str(path), 20, index=index)
                except OSError:
                    break
                if face.getname()[0] == family:
                    return path, index
    return None


def articles_from_texts(texts: Sequence[str]) -> list[Article]:
    """Articles from notice texts: the first line is the headline, the other non-empty lines paragraphs."""
    articles = []
    for text in texts:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) >= 2:
            articles.append(Article(headline=lines[0], paragraphs=lines[1:]))
    return articles


# ------------------------------------------------------------------------------------------- layout


@dataclass
class _Slot:
    """A column's free space: x, width, the next line's top, and the bottom."""

    x: float
    width: float
    y: float
    bottom: float


@dataclass
class _Canvas:
    image: Image.Image
    draw: ImageDraw.ImageDraw
    ink: int
    body: list[TruthBlock] = field(default_factory=list)
    furniture: list[TruthBlock] = field(default_factory=list)


def _char_width(font: ImageFont.FreeTypeFont, ch: str) -> float:
    return float(font.getlength(ch))


def _tokens(text: str) -> list[str]:
    """Break units: single CJK characters, and runs of ASCII letters and digits kept whole."""
    tokens: list[str] = []
    for ch in text:
        if (
            tokens
            and ch.isascii()
            and ch.isalnum()
            and tokens[-1][-1:].isascii()
            and tokens[-1][-1:].isalnum()
        ):
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float, *, indent: float = 0.0) -> list[str]:
    """Lines of at most `width` pixels (the first `indent` narrower), with kinsoku line breaking."""
    lines: list[list[str]] = [[]]
    used = indent
    for token in _tokens(text):
        advance = sum(_char_width(font, ch) for ch in token)
        if lines[-1] and used + advance > width:
            # A closing mark may not start a line: push the last char down with it.
            carried = [lines[-1].pop()] if token[0] in _NO_LINE_START and len(lines[-1]) > 1 else []
            while len(lines[-1]) > 1 and lines[-1][-1][-1] in _NO_LINE_END:
                carried.insert(0, lines[-1].pop())
            lines.append(carried)
            used = sum(_char_width(font, ch) for piece in carried for ch in piece)
        lines[-1].append(token)
        used += advance
    return ["".join(line) for line in lines if line]


def _draw_line(
    canvas: _Canvas,
    line: str,
    font: ImageFont.FreeTypeFont,
    x: float,
    y: float,
    width: float | None,
) -> BBox:
    """Draw a line; with `width`, justified to it (extra space spread between characters)."""
    chars = list(line)
    advances = [_char_width(font, ch) for ch in chars]
    natural = sum(advances)
    gap = (width - natural) / (len(chars) - 1) if width is not None and len(chars) > 1 else 0.0
    gap = max(0.0, min(gap, 0.5 * font.size))
    cursor = x
    for ch, advance in zip(chars, advances, strict=True):
        if not ch.isspace():
            canvas.draw.text((cursor, y), ch, font=font, fill=canvas.ink)
        cursor += advance + gap
    return (x, y, cursor - gap, y + font.size)


def _union(boxes: Sequence[BBox]) -> BBox:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _centred_lines(
    canvas: _Canvas, text: str, font: ImageFont.FreeTypeFont, x: float, width: float, y: float, pitch: float
) -> tuple[BBox, float]:
    """Centred lines (a headline); returns their box and the y below them."""
    boxes = []
    for line in wrap(text, font, width):
        line_width = sum(_char_width(font, ch) for ch in line)
        boxes.append(_draw_line(canvas, line, font, x + (width - line_width) / 2, y, None))
        y += pitch
    return _union(boxes), y


class _Story:
    """Sets one article into a rectangle of the page."""

    def __init__(
        self,
        canvas: _Canvas,
        fonts: Fonts,
        rng: random.Random,
        *,
        body_size: int,
        columns: int,
        rules: bool,
    ) -> None:
        self.canvas = canvas
        self.fonts = fonts
        self.rng = rng
        self.size = body_size
        self.font = fonts.body(body_size)
        self.pitch = round(body_size * rng.uniform(1.45, 1.65))
        self.columns = columns
        self.rules = rules
        self.features: list[str] = []

    def set(self, article: Article, box: BBox, *, box_place: str | None, photo: bool) -> float:
        """Set the article into `box`; returns the y where the story's text ends."""
        x0, y0, x1, y1 = box
        width = x1 - x0
        canvas, size = self.canvas, self.size
        y = y0
        if article.kicker:
            font = self.fonts.bold(round(size * 1.15))
            bbox, y = _centred_lines(canvas, article.kicker, font, x0, width, y, font.size * 1.4)
            canvas.body.append(TruthBlock(kind="kicker", text=article.kicker, bbox=bbox))
            y += size * 0.4
        font = self.fonts.bold(round(size * self.rng.uniform(2.0, 2.8)))
        bbox, y = _centred_lines(canvas, article.headline, font, x0, width, y, font.size * 1.25)
        canvas.body.append(TruthBlock(kind="headline", text=article.headline, bbox=bbox))
        if article.subtitle:
            y += size * 0.4
            font = self.fonts.body(round(size * 1.2))
            bbox, y = _centred_lines(canvas, article.subtitle, font, x0, width, y, font.size * 1.4)
            canvas.body.append(TruthBlock(kind="subtitle", text=article.subtitle, bbox=bbox))
        y += size * 1.6
        for paragraph in article.lead:
            y = self._paragraph_full_width(paragraph, x0, width, y, kind="lead")
        if article.lead:
            y += size * 1.2
            canvas.draw.line([(x0, y - size * 0.6), (x1, y - size * 0.6)], fill=canvas.ink, width=2)

        gutter = size * self.rng.uniform(1.5, 2.2)
        column_width = (width - gutter * (self.columns - 1)) / self.columns
        slots = [_Slot(x0 + i * (column_width + gutter), column_width, y, y1) for i in range(self.columns)]
        foot_box: list[str] = []
        if article.box and box_place == "foot" and self.columns >= 2:
            foot_box = article.box
        items = self._flow_items(article, box_place, photo)
        first_box_block = len(canvas.body)
        if foot_box:
            first = self.rng.randint(1, self.columns - 1)
            box_x0 = slots[first].x
            inner = x1 - box_x0 - 2 * size
            lines = sum(len(wrap(p, self.font, inner, indent=2 * size)) for p in foot_box)
            title_height = size * 1.6 if article.box_title else 0.0
            box_height = lines * self.pitch + title_height + 2 * size
            box_top = y1 - box_height
            if box_top - y < 6 * self.pitch:
                foot_box = []  # no room: leave the box out of this story
            else:
                for slot in slots[first:]:
                    slot.bottom = box_top - 1.5 * self.pitch
                self._box((box_x0, box_top, x1, y1), article.box_title, foot_box)
                self.features.append("box_at_foot")
        if self.rules:
            for left, right in itertools.pairwise(slots):
                gx = right.x - gutter / 2
                canvas.draw.line([(gx, y), (gx, min(left.bottom, right.bottom))], fill=canvas.ink, width=1)
        box_blocks = self.canvas.body[first_box_block:]
        del self.canvas.body[first_box_block:]
        end = self._flow(items, slots)
        # A box across the foot of the columns is read after them, though it was drawn first.
        self.canvas.body.extend(box_blocks)
        return max(end, y1 if foot_box else end)

    def _flow_items(self, article: Article, box_place: str | None, photo: bool) -> list[tuple[str, object]]:
        items: list[tuple[str, object]] = [("p", p) for p in article.paragraphs]
        if article.box and box_place == "column" and len(items) > 3:
            at = self.rng.randint(2, len(items) - 1)
            items.insert(at, ("box", (article.box_title, article.box)))
        if photo and len(items) > 3:
            at = self.rng.randint(1, len(items) - 2)
            caption = "图为" + article.paragraphs[min(at, len(article.paragraphs) - 1)][:18].rstrip(
                "，。、；："
            )
            items.insert(at, ("photo", caption))
        return items

    def _paragraph_full_width(self, text: str, x: float, width: float, y: float, *, kind: BlockKind) -> float:
        lines = wrap(text, self.font, width, indent=2 * self.size)
        boxes = []
        for i, line in enumerate(lines):
            indent = 2 * self.size if i == 0 else 0.0
            last = i == len(lines) - 1
            boxes.append(
                _draw_line(self.canvas, line, self.font, x + indent, y, None if last else width - indent)
            )
            y += self.pitch
        self.canvas.body.append(TruthBlock(kind=kind, text=text, bbox=_union(boxes)))
        return y

    def _flow(self, items: list[tuple[str, object]], slots: list[_Slot]) -> float:
        """Pour paragraphs, boxes and photos into the column slots; returns the lowest y used."""
        column = 0
        lowest = slots[0].y
        for kind, payload in items:
            if column >= len(slots):
                break
            if kind == "p":
                assert isinstance(payload, str)
                column, lowest = self._pour(payload, slots, column, lowest)
                continue
            # A box or photo needs its whole height in one column, with a line's space around it.
            slot = slots[column]
            if kind == "photo":
                assert isinstance(payload, str)
                height = self._photo_height(slot)
            else:
                assert isinstance(payload, tuple)
                height = self._box_height(slot.width, payload[0], payload[1])
            needed = height + 3 * self.pitch
            if slot.y + needed > slot.bottom:
                continue  # no room here: leave it out rather than break the column flow
            top = slot.y + 1.5 * self.pitch
            if kind == "photo":
                assert isinstance(payload, str)
                self._photo(slot, top, height, payload)
                self.features.append("photo")
            else:
                assert isinstance(payload, tuple)
                self._box((slot.x, top, slot.x + slot.width, top + height), payload[0], payload[1])
                self.features.append("box_in_column")
            slot.y = top + height + 1.5 * self.pitch
            lowest = max(lowest, slot.y)
        return lowest

    def _pour(self, text: str, slots: list[_Slot], column: int, lowest: float) -> tuple[int, float]:
        """One paragraph into the columns from `column` on; each column's share is its own block."""
        width = slots[0].width
        lines = wrap(text, self.font, width, indent=2 * self.size)
        piece_boxes: list[BBox] = []
        piece_start = 0
        consumed = 0
        for i, line in enumerate(lines):
            while column < len(slots) and slots[column].y + self.size > slots[column].bottom:
                if piece_boxes:
                    self._piece(lines, piece_start, i, text, piece_boxes)
                    piece_boxes, piece_start = [], i
                column += 1
            if column >= len(slots):
                break
            slot = slots[column]
            indent = 2 * self.size if i == 0 else 0.0
            last = i == len(lines) - 1
            piece_boxes.append(
                _draw_line(
                    self.canvas, line, self.font, slot.x + indent, slot.y, None if last else width - indent
                )
            )
            slot.y += self.pitch
            lowest = max(lowest, slot.y)
            consumed = i + 1
        if piece_boxes:
            self._piece(lines, piece_start, consumed, text, piece_boxes)
        return column, lowest

    def _piece(self, lines: list[str], start: int, end: int, text: str, boxes: list[BBox]) -> None:
        piece = "".join(lines[start:end]) if (start, end) != (0, len(lines)) else text
        self.canvas.body.append(TruthBlock(kind="paragraph", text=piece, bbox=_union(boxes)))

    def _box_height(self, width: float, title: str | None, paragraphs: list[str]) -> float:
        inner = width - 2 * self.size
        lines = sum(len(wrap(p, self.font, inner, indent=2 * self.size)) for p in paragraphs)
        return lines * self.pitch + (self.size * 1.6 if title else 0.0) + 2 * self.size

    def _box(self, box: BBox, title: str | None, paragraphs: list[str]) -> None:
        x0, y0, x1, _ = box
        pad = self.size
        y = y0 + pad
        if title:
            font = self.fonts.bold(round(self.size * 1.05))
            bbox, _ = _centred_lines(self.canvas, title, font, x0 + pad, x1 - x0 - 2 * pad, y, font.size)
            self.canvas.body.append(TruthBlock(kind="box_title", text=title, bbox=bbox))
            y += self.size * 1.6
        for paragraph in paragraphs:
            y = self._paragraph_full_width(paragraph, x0 + pad, x1 - x0 - 2 * pad, y, kind="box")
        self.canvas.draw.rectangle(
            [x0, y0, x1, y - self.pitch + self.size + pad], outline=self.canvas.ink, width=3
        )

    def _photo_height(self, slot: _Slot) -> float:
        return slot.width * self.rng.uniform(0.55, 0.8) + self.size * 2.2

    def _photo(self, slot: _Slot, top: float, height: float, caption: str) -> None:
        image_height = height - self.size * 2.2
        x0, x1 = slot.x, slot.x + slot.width
        # A soft, textless picture: a vertical gradient with a few blurred shapes.
        w, h = round(x1 - x0), round(image_height)
        rows = np.linspace(self.rng.randint(90, 150), self.rng.randint(160, 220), h, dtype=np.float32)
        picture = Image.fromarray(np.repeat(rows[:, None], w, axis=1).astype(np.uint8), mode="L")
        shapes = ImageDraw.Draw(picture)
        for _ in range(3):
            cx, cy, r = self.rng.uniform(0, w), self.rng.uniform(0, h), self.rng.uniform(h * 0.1, h * 0.35)
            shapes.ellipse([cx - r, cy - r, cx + r, cy + r], fill=self.rng.randint(60, 200))
        picture = picture.filter(ImageFilter.GaussianBlur(radius=max(4, h // 30)))
        self.canvas.image.paste(picture, (round(x0), round(top)))
        font = self.fonts.body(round(self.size * 0.85))
        y = top + image_height + self.size * 0.5
        boxes = []
        for line in wrap(caption, font, slot.width):
            boxes.append(_draw_line(self.canvas, line, font, x0, y, None))
            y += font.size * 1.4
        self.canvas.body.append(TruthBlock(kind="caption", text=caption, bbox=_union(boxes)))


# ------------------------------------------------------------------------------------------- pages


def _furniture(
    canvas: _Canvas, fonts: Fonts, rng: random.Random, width: int, height: int, margin: float
) -> float:
    """Running head with a rule under it, footer and page number; returns the top of the body area."""
    size = round(height * 0.009)
    paper = rng.choice(_PAPERS)
    page_number = rng.randint(2, 16)
    date = f"{rng.randint(2023, 2025)}年{rng.randint(1, 12)}月{rng.randint(1, 28)}日 {rng.choice(_WEEKDAYS)}"
    y = height * 0.02
    parts = [
        (paper, fonts.bold(round(size * 1.3))),
        (date, fonts.body(size)),
        (f"第{page_number}版", fonts.body(size)),
    ]
    positions = ("left", "centre", "right")
    for (text, font), where in zip(parts, positions, strict=True):
        text_width = sum(_char_width(font, ch) for ch in text)
        x = {"left": margin, "centre": (width - text_width) / 2, "right": width - margin - text_width}[where]
        bbox = _draw_line(canvas, text, font, x, y, None)
        canvas.furniture.append(TruthBlock(kind="header", text=text, bbox=bbox))
    rule_y = height * 0.02 + size * 2.2
    canvas.draw.line([(margin, rule_y), (width - margin, rule_y)], fill=canvas.ink, width=4)

    font = fonts.body(size)
    y = height * 0.962
    editor = f"责任编辑：{rng.choice(_EDITORS)}"
    bbox = _draw_line(canvas, editor, font, margin, y, None)
    canvas.furniture.append(TruthBlock(kind="footer", text=editor, bbox=bbox))
    number = str(page_number)
    text_width = sum(_char_width(font, ch) for ch in number)
    bbox = _draw_line(canvas, number, font, width - margin - text_width, y, None)
    canvas.furniture.append(TruthBlock(kind="page_number", text=number, bbox=bbox))
    return rule_y + size * 2.0


def _new_canvas(width: int, height: int, rng: random.Random) -> _Canvas:
    image = Image.new("L", (width, height), color=255)
    return _Canvas(image=image, draw=ImageDraw.Draw(image), ink=rng.randint(0, 40))


def _degrade(
    image: Image.Image, rng: random.Random, truth: PageTruth, *, skew: bool = True
) -> tuple[Image.Image, list[str]]:
    """Scan damage: paper tone, skew, blur, noise, JPEG artefacts; boxes follow the skew."""
    applied = []
    paper = rng.randint(225, 250)
    pixels = np.asarray(image, dtype=np.float32)
    pixels = pixels * (paper / 255.0)
    image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8), mode="L")
    if skew and rng.random() < 0.6:
        angle = rng.uniform(-1.5, 1.5)
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=paper)
        _rotate_truth(truth, angle)
        applied.append(f"skew {angle:+.2f}°")
    if rng.random() < 0.7:
        radius = rng.uniform(0.3, 1.0)
        image = image.filter(ImageFilter.GaussianBlur(radius=radius))
        applied.append(f"blur {radius:.2f}")
    if rng.random() < 0.8:
        sigma = rng.uniform(3.0, 12.0)
        noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, sigma, (image.height, image.width))
        pixels = np.asarray(image, dtype=np.float32) + noise.astype(np.float32)
        image = Image.fromarray(pixels.clip(0, 255).astype(np.uint8), mode="L")
        applied.append(f"noise {sigma:.1f}")
    if rng.random() < 0.5:
        specks = np.random.default_rng(rng.getrandbits(32))
        pixels = np.array(image)
        count = specks.integers(200, 2000)
        ys, xs = specks.integers(0, image.height, count), specks.integers(0, image.width, count)
        pixels[ys, xs] = specks.integers(0, 120, count).astype(np.uint8)
        image = Image.fromarray(pixels, mode="L")
        applied.append(f"specks {count}")
    image = image.convert("RGB")
    if rng.random() < 0.8:
        quality = rng.randint(40, 85)
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=quality)
        image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
        applied.append(f"jpeg q{quality}")
    return image, applied


def _rotate_truth(truth: PageTruth, angle: float) -> None:
    """Move the truth boxes with `Image.rotate(angle)` (counter-clockwise about the centre)."""
    cx, cy = truth.width / 2, truth.height / 2
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    for block in [*truth.body, *truth.furniture]:
        x0, y0, x1, y1 = block.bbox
        points = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        moved = [
            (cx + (x - cx) * cos + (y - cy) * sin, cy - (x - cx) * sin + (y - cy) * cos) for x, y in points
        ]
        block.bbox = (
            min(p[0] for p in moved),
            min(p[1] for p in moved),
            max(p[0] for p in moved),
            max(p[1] for p in moved),
        )


class PageGenerator:
    """Synthetic newspaper pages of mixed layouts from a pool of articles, reproducible from a seed."""

    def __init__(
        self,
        articles: Sequence[Article],
        *,
        seed: int,
        width: int = 2400,
        height: int = 3400,
        fonts: Fonts | None = None,
    ) -> None:
        if len(articles) < 2:
            raise ValueError("the generator needs at least two articles")
        self.articles = list(articles)
        self.seed = seed
        self.width = width
        self.height = height
        self.fonts = fonts or find_fonts()

    def page(self, index: int) -> SyntheticPage:
        """The index-th page of this seed's sequence."""
        rng = random.Random(f"{self.seed}:{index}")
        width, height = self.width, self.height
        canvas = _new_canvas(width, height, rng)
        margin = width * rng.uniform(0.04, 0.06)
        top = _furniture(canvas, self.fonts, rng, width, height, margin)
        bottom = height * 0.935
        body_size = rng.randint(30, 38)
        stories = 2 if rng.random() < 0.4 else 1
        picks = rng.sample(range(len(self.articles)), k=2 * stories)
        features: list[str] = []
        columns_used: list[int] = []
        y = top
        for story_index in range(stories):
            main, extra = self.articles[picks[2 * story_index]], self.articles[picks[2 * story_index + 1]]
            article = self._dress(main, extra, rng, lead=story_index == 0)
            columns = rng.choice((2, 3, 4) if story_index == 0 else (2, 3))
            columns_used.append(columns)
            story_bottom = (
                bottom if story_index == stories - 1 else top + (bottom - top) * rng.uniform(0.5, 0.62)
            )
            story = _Story(
                canvas, self.fonts, rng, body_size=body_size, columns=columns, rules=rng.random() < 0.5
            )
            box_place = rng.choice((None, "column", "foot")) if article.box else None
            end = story.set(
                article,
                (margin, y, width - margin, story_bottom),
                box_place=box_place,
                photo=rng.random() < 0.4,
            )
            features.extend(story.features)
            y = end + body_size * 1.5
            if story_index < stories - 1:
                canvas.draw.line(
                    [(margin, y - body_size * 0.75), (width - margin, y - body_size * 0.75)],
                    fill=canvas.ink,
                    width=5,
                )
                y += body_size
        truth = PageTruth(
            name=f"synthetic-{self.seed}-{index:03d}",
            width=width,
            height=height,
            columns=columns_used,
            features=features,
            body=canvas.body,
            furniture=canvas.furniture,
        )
        image, applied = _degrade(canvas.image, rng, truth)
        truth.features.extend(applied)
        return SyntheticPage(image=image, truth=truth)

    def _dress(self, main: Article, extra: Article, rng: random.Random, *, lead: bool) -> Article:
        """The story as printed: maybe a kicker, a subtitle, a lead, and a box from another notice."""
        paragraphs = list(main.paragraphs)
        kicker = subtitle = None
        lead_paragraphs: list[str] = []
        if rng.random() < 0.3:
            kicker = rng.choice(_PAPERS).removesuffix("日报") + "出台新政策"
        if rng.random() < 0.5:
            subtitle = "——" + extra.headline
        if lead and rng.random() < 0.4 and paragraphs:
            lead_paragraphs = [paragraphs.pop(0)]
        box: list[str] = []
        box_title = None
        if rng.random() < 0.6:
            box = [p for p in extra.paragraphs[1:4] if len(p) < 160][:2]
            box_title = "相关链接" if box and rng.random() < 0.7 else None
        return Article(
            headline=main.headline,
            paragraphs=paragraphs,
            kicker=kicker,
            subtitle=subtitle,
            lead=lead_paragraphs,
            box_title=box_title,
            box=box,
        )


def render_article_page(
    article: Article,
    *,
    columns: int = 3,
    seed: int = 0,
    width: int = 2400,
    height: int = 3400,
    body_size: int = 34,
    box_place: Literal["foot", "column"] | None = "foot",
    degrade: bool = True,
    fonts: Fonts | None = None,
) -> SyntheticPage:
    """One article set as a scanned page with a fixed layout (the seed test's page).

    The article's text must fit the page: a `ValueError` says when it does not.
    """
    fonts = fonts or find_fonts()
    rng = random.Random(f"article:{seed}")
    canvas = _new_canvas(width, height, rng)
    margin = width * 0.05
    top = _furniture(canvas, fonts, rng, width, height, margin)
    story = _Story(canvas, fonts, rng, body_size=body_size, columns=columns, rules=True)
    story.set(article, (margin, top, width - margin, height * 0.935), box_place=box_place, photo=False)
    printed = "".join(block.text for block in canvas.body)
    expected = "".join([article.kicker or "", article.headline, article.subtitle or "", *article.lead])
    expected += "".join([*article.paragraphs, article.box_title or "", *article.box])
    if len(printed) < len(expected):
        raise ValueError(
            f"the article does not fit the page ({len(printed)} of {len(expected)} characters set)"
        )
    truth = PageTruth(
        name=f"article-{seed}",
        width=width,
        height=height,
        columns=[columns],
        features=story.features,
        body=canvas.body,
        furniture=canvas.furniture,
    )
    image = canvas.image.convert("RGB")
    if degrade:
        image, applied = _degrade(canvas.image, rng, truth, skew=False)
        truth.features.extend(applied)
    return SyntheticPage(image=image, truth=truth)
