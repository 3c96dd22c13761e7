"""Page images made ready for OCR: size checked before decoding, pixels normalised, orientation and skew.

A decompression bomb (a small file that decodes to billions of pixels) is refused from the image
header, before any pixel is decoded: `open_pages` checks every frame's size against
`MAX_PAGE_PIXELS` as Pillow reports it from the header alone. Pages are yielded one at a time so
a long multi-page TIFF never sits in memory whole.

Orientation and skew are read off the OCR engine's own first pass (`page_turn`, `skew_angle`): a
page turned by 90° or 270° gives mostly vertical line boxes, an upside-down page mostly lines
that the line classifier turns by 180°. That costs a second OCR pass only for pages that really
were turned. Skew is not removed from the pixels (recognition works on each line's rotated box
already) but from the line boxes, before layout.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator, Sequence

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from pipeline.errors import InputError
from pipeline.ocr.engine import OcrLine

__all__ = [
    "MAX_PAGE_PIXELS",
    "check_pixels",
    "open_pages",
    "page_turn",
    "rotate_point_back",
    "skew_angle",
    "straighten",
    "to_pixels",
]

# 80 million pixels: an A3 page scanned at 600 dpi (7016 x 9921) fits; a 20000 x 20000 bomb does not.
MAX_PAGE_PIXELS = 80_000_000
# Fewer recognised characters than this say nothing about a page's orientation.
_MIN_ORIENTATION_CHARS = 8
# Skew below this many degrees is left alone: line grouping tolerates it.
_MIN_SKEW_DEGREES = 0.15


def check_pixels(width: int, height: int, *, name: str, page: int | None = None) -> None:
    """InputError when a page is larger than `MAX_PAGE_PIXELS` (judged before decoding)."""
    if width * height > MAX_PAGE_PIXELS:
        where = f" page {page}" if page is not None else ""
        raise InputError(
            f"{name}:{where} image too large ({width}x{height} = {width * height:,} pixels; "
            f"the limit is {MAX_PAGE_PIXELS:,})"
        )


def open_pages(data: bytes, *, name: str) -> Iterator[Image.Image]:
    """Each page (frame) of an image file, decoded one at a time, EXIF orientation applied.

    Raises:
        InputError: unreadable, truncated or corrupt image, or a page over the pixel limit.
    """
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns above its limit; ours, below, is the one that speaks.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise InputError(f"{name}: image too large ({exc}; the limit is {MAX_PAGE_PIXELS:,} pixels)") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InputError(f"{name}: corrupt image ({exc})") from exc
    with image:
        frames = getattr(image, "n_frames", 1)
        for index in range(frames):
            try:
                image.seek(index)
            except (EOFError, OSError, ValueError) as exc:
                raise InputError(f"{name}: truncated or corrupt image (page {index + 1}: {exc})") from exc
            width, height = image.size
            check_pixels(width, height, name=name, page=index + 1 if frames > 1 else None)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                    image.load()
                    page = ImageOps.exif_transpose(image)
            except (OSError, ValueError, SyntaxError) as exc:
                where = f" (page {index + 1})" if frames > 1 else ""
                raise InputError(f"{name}: truncated or corrupt image{where}: {exc}") from exc
            yield page


def to_pixels(image: Image.Image) -> np.ndarray:
    """RGB uint8 pixels (H x W x 3): transparency flattened onto white, 16-bit and 1-bit scans widened."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    elif image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        top = float(array.max()) or 1.0
        image = Image.fromarray((array * (255.0 / top)).astype(np.uint8), mode="L")
    return np.asarray(image.convert("RGB"))


def page_turn(lines: Sequence[OcrLine]) -> int:
    """Counter-clockwise quarter turns (`np.rot90`'s k, 0-3) that make the page upright.

    Judged by characters, so a few stray boxes do not outvote the text: mostly vertical lines mean
    a page turned by a quarter, and whether the line classifier found those lines upside down
    (after RapidOCR turned them counter-clockwise to read them) tells which quarter.
    """
    vertical = sum(len(line.text) for line in lines if line.vertical)
    horizontal = sum(len(line.text) for line in lines if not line.vertical)
    if vertical + horizontal < _MIN_ORIENTATION_CHARS:
        return 0
    group = [line for line in lines if line.vertical == (vertical > horizontal)]
    flipped = sum(len(line.text) for line in group if line.flipped)
    upside_down = flipped * 2 > sum(len(line.text) for line in group)
    if vertical > horizontal:
        # Text running down with its tops to the right: the page was turned clockwise; turn it back.
        return 3 if upside_down else 1
    return 2 if upside_down else 0


def rotate_point_back(x: float, y: float, turns: int, width: int, height: int) -> tuple[float, float]:
    """A point of `np.rot90(image, turns)` in the coordinates of `image` (`width` x `height`)."""
    if turns == 1:
        return width - y, x
    if turns == 2:
        return width - x, height - y
    if turns == 3:
        return y, height - x
    return x, y


def skew_angle(lines: Sequence[OcrLine]) -> float:
    """The page's skew in degrees (positive: lines run down to the right), from its long lines."""
    angles: list[tuple[float, float]] = []
    for line in lines:
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = line.quad
        width = math.hypot(x1 - x0, y1 - y0)
        height = math.hypot(x3 - x0, y3 - y0)
        if line.vertical or width < 4 * height:
            continue
        top = math.degrees(math.atan2(y1 - y0, x1 - x0))
        bottom = math.degrees(math.atan2(y2 - y3, x2 - x3))
        angles.append(((top + bottom) / 2, width))
    if not angles:
        return 0.0
    angles.sort()
    half = sum(weight for _, weight in angles) / 2
    running = 0.0
    for angle, weight in angles:  # the width-weighted median
        running += weight
        if running >= half:
            return angle if abs(angle) >= _MIN_SKEW_DEGREES else 0.0
    return 0.0  # pragma: no cover - the loop always reaches half


def straighten(
    points: Sequence[tuple[float, float]], angle: float, centre: tuple[float, float]
) -> list[tuple[float, float]]:
    """The points turned by `-angle` degrees about `centre`: skewed lines become level."""
    if not angle:
        return list(points)
    cos, sin = math.cos(math.radians(-angle)), math.sin(math.radians(-angle))
    cx, cy = centre
    return [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in points]
