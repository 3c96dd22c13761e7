"""`kill -9` of `zhengce serve` in the middle of a job, then a restart: the job completes, every
document exactly once. A real server process on loopback."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SAMPLE = Path(__file__).resolve().parents[2] / "pipeline" / "samples" / "sample_notice.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


# `zhengce serve` whose fourth document never finishes, so the kill lands while it is running.
_HOLDING_SERVER = """
import asyncio, sys
from pipeline.cli import main
from pipeline.service.runner import DocumentRunner

process, started = DocumentRunner.process, []

async def held(self, path):
    started.append(path)
    if len(started) > 3:
        await asyncio.Event().wait()
    return await process(self, path)

DocumentRunner.process = held
sys.exit(main(sys.argv[1:], prog_name="zhengce"))
"""


def _serve(data_dir: Path, port: int, log: Path, *, hold: bool = False) -> subprocess.Popen[bytes]:
    zhengce = (
        [sys.executable, "-c", _HOLDING_SERVER] if hold else [str(Path(sys.executable).parent / "zhengce")]
    )
    command = [*zhengce, "serve", "--port", str(port), "--data-dir", str(data_dir)]
    command += ["--extractor", "patterns", "--workers", "1", "--concurrency", "1"]
    with log.open("ab") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)


def _wait_healthy(client: httpx.Client, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"server did not start:\n{log.read_text()}")


def test_restart_after_kill_completes_the_job_exactly_once(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "server.log"
    data = tmp_path / "data"
    text = SAMPLE.read_text(encoding="utf-8")
    documents = [{"name": f"n{i:02d}.txt", "text": f"{i}\n{text}"} for i in range(60)]
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
        first = _serve(data, port, log, hold=True)
        try:
            _wait_healthy(client, first, log)
            job = client.post("/v1/jobs", json={"documents": documents}).json()
            while True:
                status = client.get(f"/v1/jobs/{job['id']}").json()
                if status["ok"] == 3 and status["running"] == 1:  # the fourth document is held
                    break
                time.sleep(0.05)
            readers = _children(first.pid)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        for pid in readers:  # the killed server's reader processes, if they outlived it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

        second = _serve(data, port, log)
        try:
            _wait_healthy(client, second, log)
            lines = [
                json.loads(line) for line in client.get(f"/v1/jobs/{job['id']}/results").text.splitlines()
            ]
            status = client.get(f"/v1/jobs/{job['id']}").json()
        finally:
            second.terminate()
            second.wait(30)
    assert [line["index"] for line in lines] == list(range(60))
    assert [line["document"]["source"]["name"] for line in lines] == [d["name"] for d in documents]
    assert all(line["status"] == "ok" for line in lines)
    assert (status["status"], status["ok"], status["documents"]) == ("done", 60, 60)
    assert "interrupted by the last shutdown; running them again" in log.read_text()
