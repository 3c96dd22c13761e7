"""Load test of `zhengce serve` over loopback HTTP: dynamic batching on against off, in one run.

Starts the service as a user runs it (a `zhengce serve` process), sends documents from N concurrent
httpx clients to `/v1/extract` (one document per request), and reports documents/s, p50/p99
latency, errors and the server's resident memory, for the server with batching and the same server
without. `--soak SECONDS` then keeps the batching server under load and samples its memory.

    .venv/bin/python bench/service_load.py --model models/ner --documents 200 --clients 32
    .venv/bin/python bench/service_load.py --model models/ner --soak 600     # + a 10-minute soak

Results go to bench/out/service_load.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
ZHENGCE = Path(sys.executable).parent / "zhengce"


def corpus_documents(count: int) -> list[tuple[str, str]]:
    """`count` distinct notices: the corpus notices, cycled, each copy numbered so none repeats."""
    notices = sorted((ROOT / "corpus" / "notices").glob("*.txt"))
    texts = [p.read_text(encoding="utf-8") for p in notices]
    return [
        (f"{i:04d}-{notices[i % len(notices)].name}", f"（{i}）\n{texts[i % len(texts)]}")
        for i in range(count)
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (the reader processes), MiB."""
    total = 0
    pids = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class Server:
    def __init__(
        self, args: argparse.Namespace, *, batching: bool, data_dir: Path, device: str | None = None
    ) -> None:
        self.port = free_port()
        self.log = data_dir / "server.log"
        command = [str(ZHENGCE), "serve", "--port", str(self.port), "--data-dir", str(data_dir)]
        command += ["--extractor", "model", "--precision", args.precision, "--device", device or args.device]
        command += ["--concurrency", str(args.clients), "--queue-size", str(10 * args.clients)]
        command += ["--max-batch-size", str(args.max_batch_size), "--max-wait-ms", str(args.max_wait_ms)]
        command += ["--batching" if batching else "--no-batching"]
        env = {**os.environ, "ZHENGCE_MODEL_DIR": str(args.model)}
        data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            command, env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT
        )
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        raise RuntimeError(f"server did not start:\n{self.log.read_text()}")

    def rss(self) -> float:
        return tree_rss_mib(self.process.pid)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def text_request(document: tuple[str, str]) -> dict[str, Any]:
    name, text = document
    return {"json": {"documents": [{"name": name, "text": text}]}}


async def load(
    url: str,
    documents: list[Any],
    clients: int,
    make_request: Callable[[Any], dict[str, Any]] = text_request,
) -> dict[str, Any]:
    """Every document once (one `/v1/extract` call each), `clients` calls in flight."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for doc in documents:
        queue.put_nowait(doc)
    latencies: list[float] = []
    errors: list[str] = []

    async def client(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            document = queue.get_nowait()
            started = time.perf_counter()
            response = await http.post("/v1/extract", **make_request(document))
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                errors.append(f"{response.status_code} {response.text[:200]}")

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=600, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - started
    latencies.sort()
    return {
        "documents": len(documents),
        "errors": len(errors),
        "first_errors": errors[:3],
        "seconds": round(seconds, 2),
        "documents_per_s": round(len(documents) / seconds, 2),
        "p50_s": round(statistics.median(latencies), 3),
        "p99_s": round(latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))], 3),
    }


def run_mode(
    args: argparse.Namespace, documents: list[tuple[str, str]], *, batching: bool, work: Path
) -> dict:
    server = Server(args, batching=batching, data_dir=work / ("batching" if batching else "no-batching"))
    try:
        asyncio.run(load(server.url, documents[: 2 * args.clients], args.clients))  # warm-up
        rss_before = server.rss()
        result = asyncio.run(load(server.url, documents, args.clients))
        result["rss_mib_before"] = round(rss_before, 1)
        result["rss_mib_after"] = round(server.rss(), 1)
        metrics = httpx.get(f"{server.url}/metrics").text
        sums = {
            line.split()[0]: float(line.split()[1])
            for line in metrics.splitlines()
            if line.startswith(("zhengce_batch_rows_", "zhengce_batch_requests_"))
        }
        if sums.get("zhengce_batch_rows_count"):
            result["mean_rows_per_run"] = round(
                sums["zhengce_batch_rows_sum"] / sums["zhengce_batch_rows_count"], 1
            )
            result["mean_requests_per_run"] = round(
                sums["zhengce_batch_requests_sum"] / sums["zhengce_batch_requests_count"], 1
            )
        if batching and args.soak:
            result["soak"] = soak(server, documents, args)
        return result
    finally:
        server.stop()


def soak(server: Server, documents: list[tuple[str, str]], args: argparse.Namespace) -> dict:
    """Load for `args.soak` seconds; memory sampled every 10 s."""
    samples: list[tuple[float, float]] = []
    started = time.monotonic()
    rounds = 0
    errors = 0
    while time.monotonic() - started < args.soak:
        result = asyncio.run(load(server.url, documents, args.clients))
        errors += int(result["errors"])
        rounds += 1
        samples.append((round(time.monotonic() - started, 1), round(server.rss(), 1)))
    rss = [r for _, r in samples]
    first = rss[: max(1, len(rss) // 5)]
    last = rss[-max(1, len(rss) // 5) :]
    return {
        "seconds": round(time.monotonic() - started, 1),
        "rounds": rounds,
        "documents": rounds * len(documents),
        "errors": errors,
        "rss_mib_samples": samples,
        "rss_mib_first_fifth_mean": round(statistics.mean(first), 1),
        "rss_mib_last_fifth_mean": round(statistics.mean(last), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True, help="a trained model folder (zhengce train)")
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--precision", choices=["fp32", "int8"], default="fp32")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--max-batch-size", type=int, default=64)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--soak", type=float, default=0.0, help="seconds of soak after the comparison")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "service_load.json")
    args = parser.parse_args()
    if args.precision == "int8":
        parser.error("int8 cannot be batched across requests (its output depends on the batch); use fp32")
    documents = corpus_documents(args.documents)
    with tempfile.TemporaryDirectory(prefix="zhengce-load-") as tmp:
        work = Path(tmp)
        results = {
            "command": " ".join(sys.argv),
            "model": str(args.model),
            "cpus": os.cpu_count(),
            "batching_off": run_mode(args, documents, batching=False, work=work),
            "batching_on": run_mode(args, documents, batching=True, work=work),
        }
    off, on = results["batching_off"], results["batching_on"]
    results["speedup"] = round(on["documents_per_s"] / off["documents_per_s"], 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
