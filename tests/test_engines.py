"""The same 50 documents through the local CLI, the service (dynamic batching on) and the Ray
engine give identical JSON, with a trained model doing the extraction (issue 6)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from pipeline.model.features import SPECIALS

pytest.importorskip("torch")
pytest.importorskip("ray")
pytest.importorskip("fastapi")

ROOT = Path(__file__).resolve().parents[1]
ZHENGCE = Path(sys.executable).parent / "zhengce"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.readers.pdf_factory import make_notice_pdf

    folder = tmp_path_factory.mktemp("inputs")
    notices = sorted((ROOT / "corpus" / "notices").glob("*.txt"))[:46]
    for notice in notices:
        (folder / notice.name).write_bytes(notice.read_bytes())
    for i, notice in enumerate(notices[:4]):
        paragraphs = [p for p in notice.read_text(encoding="utf-8").split("\n") if p.strip()]
        make_notice_pdf(folder / f"scan-{i}.pdf", paragraphs[1:], title=paragraphs[0], columns=1 + i % 2)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 truncated")
    return folder


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny model trained on a few corpus notices: weak, but a real encoder with real numerics."""
    from pipeline.corpus.build import build, load_split
    from pipeline.model.train import TrainOptions, train

    build(ROOT / "corpus")
    records = load_split(ROOT / "corpus", "train")[:12]
    dev = load_split(ROOT / "corpus", "dev")[:2]
    base = tmp_path_factory.mktemp("base")
    chars = sorted({c for r in [*records, *dev] for c in r.text})
    (base / "vocab.txt").write_text("\n".join([*SPECIALS, *chars]) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("model")
    options = TrainOptions(
        base=base, scratch=True, scratch_hidden=64, scratch_layers=2, epochs=1, max_steps=8, augment=False
    )
    train(options, records, dev, out)
    return out


def _ray_environment(tmp_path: Path) -> dict[str, str]:
    """Ray kept on loopback (../shared/FACTS.md): no usage stats, loopback node address, a fresh
    HOME holding an empty bootstrap config, a fresh temp folder."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "ray_bootstrap_config.yaml").write_text("{}\n")
    return {
        "HOME": str(home),
        "RAY_USAGE_STATS_ENABLED": "0",
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
    }


def _outputs(folder: Path) -> dict[str, object]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def _manifest(folder: Path) -> dict[str, tuple[object, ...]]:
    lines = [
        json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return {
        r["input"]: (r["output"] and Path(r["output"]).name, r["status"], r["error"], r["skipped"])
        for r in lines
    }


@pytest.mark.slow
def test_engines_local_service_and_ray_give_identical_json(
    inputs: Path, model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {**os.environ, "ZHENGCE_MODEL_DIR": str(model_dir)}
    flags = ["--extractor", "model", "--precision", "fp32"]

    local = tmp_path / "local"
    run = subprocess.run(
        [str(ZHENGCE), "ingest", str(inputs), "-o", str(local), *flags],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 1, run.stderr  # broken.pdf fails, the rest go on
    assert "broken.pdf" in run.stderr and "50 of 51 inputs ok" in run.stderr

    # Ray: a local instance with 2 CPUs started here, the CLI connecting to it by address.
    ray_out = tmp_path / "ray"
    ray_env = {**env, **_ray_environment(tmp_path)}
    # Short: Ray's unix sockets live under it, and a socket path has at most 107 bytes.
    ray_temp = tempfile.mkdtemp(prefix="zhengce-ray-")
    script = textwrap.dedent(
        f"""
        import subprocess, sys, ray
        ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", _temp_dir={ray_temp!r})
        address = ray.get_runtime_context().gcs_address
        assert address.startswith("127.0.0.1:"), address
        command = [{str(ZHENGCE)!r}, "ingest", {str(inputs)!r}, "-o", {str(ray_out)!r}, "--engine", "ray",
                   "--address", address, "-j", "2", *{flags!r}]
        code = subprocess.run(command).returncode
        ray.shutdown()
        sys.exit(code)
        """
    )
    try:
        ray_run = subprocess.run(
            [sys.executable, "-c", script], env=ray_env, capture_output=True, text=True, timeout=600
        )
    finally:
        shutil.rmtree(ray_temp, ignore_errors=True)
    assert ray_run.returncode == 1, ray_run.stderr[-3000:]
    assert "50 of 51 inputs ok" in ray_run.stderr, ray_run.stderr[-3000:]

    # The service, in-process, with dynamic batching across concurrent documents.
    monkeypatch.setenv("ZHENGCE_MODEL_DIR", str(model_dir))
    service_docs, batches = asyncio.run(_through_service(inputs, tmp_path / "service"))

    expected = _outputs(local)
    assert len(expected) == 50
    assert _outputs(ray_out) == expected
    assert _manifest(ray_out) == _manifest(local)
    assert {f"{name}.json": doc for name, doc in service_docs.items() if doc is not None} == expected
    assert any(doc["entities"] for doc in expected.values())  # type: ignore[index]
    requests, runs = batches
    assert requests > runs, "the service never batched two documents together"


async def _through_service(inputs: Path, data_dir: Path) -> tuple[dict[str, object], tuple[float, float]]:
    import httpx

    from pipeline.service.app import create_app
    from pipeline.service.settings import ServiceSettings

    settings = ServiceSettings(
        data_dir=data_dir,
        extractor="model",
        precision="fp32",
        batching=True,
        workers=2,
        concurrency=16,
        max_wait_ms=20,
    )
    app = create_app(settings)
    files = [("files", (p.name, p.read_bytes())) for p in sorted(inputs.iterdir())]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=300) as client:
            job = (await client.post("/v1/jobs", files=files)).json()
            lines = (await client.get(f"/v1/jobs/{job['id']}/results")).text.splitlines()
            metrics = (await client.get("/metrics")).text
    documents = {}
    for line in map(json.loads, lines):
        documents[line["name"]] = line["document"]
    values = {
        line.split()[0]: float(line.split()[1])
        for line in metrics.splitlines()
        if line.startswith("zhengce_batch_requests_")
    }
    return documents, (values["zhengce_batch_requests_sum"], values["zhengce_batch_requests_count"])
