"""Ingest throughput on generated multi-page digital PDFs: pages/s and characters/s, 1 and 2 workers.

    .venv/bin/python bench/ingest_throughput.py [--docs 200] [--out bench/out]

Generates policy-notice PDFs (1 to 3 columns, 2 to 8 pages, text drawn from the bundled sample
notice with its numbers varied), then times `zhengce ingest DIR -o OUT` as a user runs it, once
with one process and once with `--jobs 2`, each on a fresh output folder. Prints a table and
writes `results.json`. The first run warms the file cache; each setting is timed `--repeat` times
and the median reported.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.readers.pdf_factory import make_notice_pdf  # noqa: E402

SAMPLE = ROOT / "pipeline" / "samples" / "sample_notice.txt"


def _vary(paragraph: str, rng: random.Random) -> str:
    """The same prose with other numbers, so no two documents are identical."""
    return re.sub(r"\d+", lambda m: str(max(1, int(m.group()) * rng.randint(1, 9) // 5)), paragraph)


def generate(folder: Path, docs: int, seed: int) -> tuple[int, int]:
    """Write `docs` PDFs; returns (pages, characters of body text)."""
    rng = random.Random(seed)
    paragraphs = [p for p in SAMPLE.read_text(encoding="utf-8").splitlines() if len(p) > 20]
    folder.mkdir(parents=True, exist_ok=True)
    pages = chars = 0
    for i in range(docs):
        body = [_vary(p, rng) for p in rng.sample(paragraphs, k=len(paragraphs))]
        body *= rng.randint(1, 3)
        chars += sum(len(p) for p in body)
        pages += make_notice_pdf(
            folder / f"notice_{i:04d}.pdf",
            body,
            title=f"关于印发第{i + 1}号促进产业发展若干措施的通知",
            columns=rng.choice((1, 1, 2, 3)),
            header="某市人民政府公报",
        )
    return pages, chars


def time_ingest(inputs: Path, out: Path, jobs: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    cmd = [
        str(Path(sys.executable).parent / "zhengce"),
        "ingest",
        str(inputs),
        "-o",
        str(out),
        "--jobs",
        str(jobs),
    ]
    started = time.perf_counter()
    subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    inputs = args.out / "pdfs"
    shutil.rmtree(inputs, ignore_errors=True)
    pages, chars = generate(inputs, args.docs, args.seed)
    time_ingest(inputs, args.out / "warmup", jobs=1)

    results = {
        "docs": args.docs,
        "pages": pages,
        "characters": chars,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "runs": {},
    }
    print(f"{args.docs} PDFs, {pages} pages, {chars} characters of body text")
    print(
        f"{'workers':>8} {'seconds (median, range)':>28} {'pages/s':>9} {'chars/s':>10} {'pages/s/core':>13}"
    )
    for jobs in (1, 2):
        seconds = [time_ingest(inputs, args.out / f"jobs{jobs}", jobs) for _ in range(args.repeat)]
        median = statistics.median(seconds)
        run = {
            "seconds": seconds,
            "median_seconds": median,
            "pages_per_s": pages / median,
            "chars_per_s": chars / median,
            "pages_per_s_per_core": pages / median / jobs,
        }
        results["runs"][str(jobs)] = run  # type: ignore[index]
        spread = f"{median:.2f} ({min(seconds):.2f}-{max(seconds):.2f})"
        print(
            f"{jobs:>8} {spread:>28} {run['pages_per_s']:>9.1f} {run['chars_per_s']:>10.0f} "
            f"{run['pages_per_s_per_core']:>13.1f}"
        )
    (args.out / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
