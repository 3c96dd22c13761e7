"""`zhengce serve` with CUDA against CPU: documents/s and pages/s over loopback HTTP, one script.

For a machine with an NVIDIA GPU and onnxruntime-gpu (`pip install -e '.[gpu]'`). It generates
multi-page notice PDFs from the corpus, starts the service once with `--device cuda` and once with
`--device cpu` (dynamic batching on, fp32), sends every PDF from N concurrent clients to
`/v1/extract`, and reports documents/s, pages/s and latency for each. It refuses to report a CUDA
number when onnxruntime has no CUDA provider (the service would have fallen back to CPU).

    .venv/bin/python bench/gpu_service.py --model models/ner --documents 200 --clients 32

Results go to bench/out/gpu_service.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.service_load import ROOT, Server, load
from tests.readers.pdf_factory import make_notice_pdf


def make_pdfs(folder: Path, count: int) -> list[tuple[str, bytes, int]]:
    """`count` notice PDFs (1 to 3 columns) from the corpus notices: (name, bytes, pages)."""
    notices = sorted((ROOT / "corpus" / "notices").glob("*.txt"))
    pdfs = []
    for i in range(count):
        notice = notices[i % len(notices)]
        paragraphs = [p for p in notice.read_text(encoding="utf-8").split("\n") if p.strip()]
        path = folder / f"{i:04d}-{notice.stem}.pdf"
        pages = make_notice_pdf(path, [f"（{i}）", *paragraphs[1:]], title=paragraphs[0], columns=1 + i % 3)
        pdfs.append((path.name, path.read_bytes(), pages))
    return pdfs


def pdf_request(document: tuple[str, bytes, int]) -> dict[str, Any]:
    name, data, _ = document
    return {"files": [("files", (name, data, "application/pdf"))]}


def measure(
    args: argparse.Namespace, pdfs: list[tuple[str, bytes, int]], device: str, work: Path
) -> dict[str, Any]:
    server = Server(args, batching=True, data_dir=work / device, device=device)
    try:
        asyncio.run(load(server.url, pdfs[: 2 * args.clients], args.clients, pdf_request))  # warm-up
        result = asyncio.run(load(server.url, pdfs, args.clients, pdf_request))
    finally:
        server.stop()
    pages = sum(p for _, _, p in pdfs)
    result["pages"] = pages
    result["pages_per_s"] = round(pages / result["seconds"], 2)
    log = server.log.read_text()
    result["cuda_fallback_warning"] = "running on CPU" in log
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True, help="a trained model folder (zhengce train)")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--max-batch-size", type=int, default=64)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "gpu_service.json")
    args = parser.parse_args()
    args.precision, args.device = "fp32", "cpu"
    if "CUDAExecutionProvider" not in ort.get_available_providers():
        parser.error(
            f"no CUDAExecutionProvider in this onnxruntime ({ort.get_available_providers()}); "
            "install the gpu extra on a CUDA machine"
        )
    with tempfile.TemporaryDirectory(prefix="zhengce-gpu-") as tmp:
        work = Path(tmp)
        pdfs = make_pdfs(work, args.documents)
        results: dict[str, Any] = {
            "command": " ".join(sys.argv),
            "model": str(args.model),
            "cpus": os.cpu_count(),
        }
        results["cuda"] = measure(args, pdfs, "cuda", work)
        results["cpu"] = measure(args, pdfs, "cpu", work)
    results["cuda_over_cpu"] = round(
        results["cuda"]["documents_per_s"] / results["cpu"]["documents_per_s"], 2
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
