"""OCR speed on 2400x3400 scanned newspaper pages: seconds per page, and the share spent outside the models.

    .venv/bin/python bench/ocr_speed.py [--pages 5] [--providers CUDAExecutionProvider,CPUExecutionProvider]

Generates pages with the OCR evaluation's generator (`pipeline.ocr.synthetic`, seed 7), saves
them as JPEG, then ingests each file as `zhengce ingest` does (read: decode, OCR, orientation,
layout; text repair; metadata, extraction, measures). The OCR engine is wrapped in a timer, so the
same run splits each page's wall time into time inside the OCR models (RapidOCR's detection,
line classification and recognition calls, with their own pre- and post-processing) and time
outside them (everything the pipeline adds). The first page warms up (model load, first-touch
memory) and is not counted. Prints medians and ranges; writes `bench/out/ocr_speed.json`.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline import readers  # noqa: E402
from pipeline.ocr.engine import OcrLine, OcrOptions, create_engine  # noqa: E402
from pipeline.ocr.evaluate import generated_pages  # noqa: E402
from pipeline.ocr.page import PageReader  # noqa: E402
from pipeline.readers.image import ImageReader  # noqa: E402
from pipeline.readers.sniff import JPEG  # noqa: E402
from pipeline.run import Pipeline  # noqa: E402


class TimedEngine:
    """An OCR engine that adds up the seconds spent inside the wrapped engine."""

    def __init__(self, options: OcrOptions) -> None:
        self._engine = create_engine(options)
        self.name = self._engine.name
        self.seconds = 0.0

    def recognize(self, image: np.ndarray) -> list[OcrLine]:
        started = time.perf_counter()
        try:
            return self._engine.recognize(image)
        finally:
            self.seconds += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5, help="timed pages (one more warms up)")
    parser.add_argument(
        "--providers", default="CPUExecutionProvider", help="onnxruntime providers, comma-separated"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    options = OcrOptions(providers=tuple(p for p in args.providers.split(",") if p))
    engine = TimedEngine(options)
    # `zhengce ingest` reads JPEGs through READERS; put the timed engine behind it for this run.
    readers.READERS[JPEG] = ImageReader(PageReader(engine))
    pipeline = Pipeline()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for page in generated_pages(ROOT / "corpus", seed=7, count=args.pages + 1):
            path = Path(tmp) / f"{page.truth.name}.jpg"
            page.image.save(path, quality=85)
            paths.append(path)
        for index, path in enumerate(paths):
            engine.seconds = 0.0
            started = time.perf_counter()
            doc = pipeline.process_path(path)
            total = time.perf_counter() - started
            if index == 0:
                continue  # warm-up
            rows.append(
                {
                    "page": path.name,
                    "seconds": total,
                    "ocr_model_seconds": engine.seconds,
                    "outside_share": (total - engine.seconds) / total,
                    "characters": len(doc.text),
                }
            )
            print(
                f"{path.name}: {total:.2f} s, outside the OCR models {100 * rows[-1]['outside_share']:.1f}%",
                flush=True,
            )
    seconds = [r["seconds"] for r in rows]
    shares = [r["outside_share"] for r in rows]
    summary = {
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "providers": list(options.providers),
        "page_size": "2400x3400",
        "pages": len(rows),
        "seconds_per_page_median": round(statistics.median(seconds), 3),
        "seconds_per_page_range": [round(min(seconds), 3), round(max(seconds), 3)],
        "pages_per_second": round(len(rows) / sum(seconds), 4),
        "outside_models_share_median": round(statistics.median(shares), 4),
        "outside_models_share_max": round(max(shares), 4),
        "outside_models_share_total": round(1 - sum(r["ocr_model_seconds"] for r in rows) / sum(seconds), 4),
        "rows": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "ocr_speed.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
