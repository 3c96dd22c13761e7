"""The review loop against a real Label Studio server (its own virtualenv, SQLite, loopback only).

The test starts `label-studio` on 127.0.0.1 with a free port and every switch that keeps it from
calling out (../shared/FACTS.md), creates a project with our labeling config through the API,
imports exported tasks with predictions, saves annotations as a reviewer would (one correcting the
prediction, one accepting it), exports the project as JSON and imports that with zhengce.

`make test` sets ZHENGCE_LABEL_STUDIO to the server built by `make label-studio` (.venv-ls); without
it the test looks there and is skipped when it is missing.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.corpus import read_jsonl
from pipeline.corpus.convert import document_to_records
from pipeline.document import PolicyDocument
from pipeline.review.config import labeling_config
from pipeline.review.export import annotation_result, document_key
from tests.review.conftest import annotation_of, predicted_document, write_results

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180  # about 26 s on a fresh database on a 2-core machine; migrations vary
TOKEN = "zhengce-review-test-token"

pytestmark = pytest.mark.slow


def _label_studio_command() -> Path:
    configured = os.environ.get("ZHENGCE_LABEL_STUDIO")
    if configured:
        if not Path(configured).is_file():
            pytest.fail(f"ZHENGCE_LABEL_STUDIO={configured} does not exist: run `make label-studio`")
        return Path(configured).resolve()  # the server starts in its own folder
    default = ROOT / ".venv-ls" / "bin" / "label-studio"
    if not default.is_file():
        pytest.skip("Label Studio is not installed: `make label-studio` builds .venv-ls")
    return default


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LabelStudio:
    url: str
    # Never through a proxy: the server is on loopback and nothing may leave the machine.
    opener: urllib.request.OpenerDirector

    def call(self, method: str, path: str, body: object = None) -> Any:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"},
        )
        with self.opener.open(request, timeout=60) as response:
            content = response.read()
        return json.loads(content) if content else None


@pytest.fixture(scope="module")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudio]:
    command = _label_studio_command()
    data = tmp_path_factory.mktemp("label-studio")
    port = _free_port()
    # It reads unprefixed USERNAME, PASSWORD, HOST and PORT: none of the caller's may leak in.
    env = {k: v for k, v in os.environ.items() if k not in {"USERNAME", "PASSWORD", "HOST", "PORT"}}
    env.update(
        HOME=str(data),
        LABEL_STUDIO_BASE_DATA_DIR=str(data),
        DJANGO_DB="sqlite",
        LABEL_STUDIO_COLLECT_ANALYTICS="false",
        LABEL_STUDIO_LATEST_VERSION_CHECK="false",
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
    )
    args = [
        str(command),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        "--username",
        "reviewer@example.com",
        "--password",
        "review-loop-test",
        "--user-token",
        TOKEN,
    ]
    with (data / "server.log").open("wb") as log:  # the child keeps its own copy of the handle
        server = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=data)
    studio = LabelStudio(
        f"http://127.0.0.1:{port}", urllib.request.build_opener(urllib.request.ProxyHandler({}))
    )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if server.poll() is not None:
                pytest.fail(f"label-studio exited with {server.returncode}: {_tail(data / 'server.log')}")
            try:
                if studio.call("GET", "/health/") == {"status": "UP"}:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"label-studio not up on port {port} after {STARTUP_SECONDS} s: {_tail(data / 'server.log')}"
                )
            time.sleep(1)
        yield studio
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-2000:]


def _correction(task: dict[str, Any], gold: PolicyDocument) -> list[dict[str, Any]]:
    """The reviewer's result: the gold annotation, keeping the ids of predicted regions it confirms."""
    predicted = {
        (r["value"]["start"], r["value"]["end"], r["value"]["labels"][0]): r["id"]
        for r in task["predictions"][0]["result"]
        if r["type"] == "labels"
    }
    ids: dict[str, str] = {}
    origins: dict[str, str] = {}
    for n, e in enumerate(gold.entities):
        confirmed = predicted.get((e.start, e.end, e.label))
        ids[e.id] = confirmed or f"fix{n}"
        origins[e.id] = "prediction" if confirmed else "manual"
    return [r.model_dump(exclude_none=True) for r in annotation_result(gold, region_ids=ids, origins=origins)]


def test_label_studio_review_round_trip(
    label_studio: LabelStudio, gold_documents: list[PolicyDocument], tmp_path: Path
) -> None:
    corrected, accepted = gold_documents
    extraction = predicted_document(corrected)
    assert annotation_of(document_to_records("x", extraction)) != annotation_of(
        document_to_records("x", corrected)
    )

    runner = CliRunner()
    tasks_file = tmp_path / "tasks.json"
    results = write_results([extraction, accepted], tmp_path / "results")
    exported = runner.invoke(main, ["labels", "export", *map(str, results), "-o", str(tasks_file)])
    assert exported.exit_code == 0, exported.output

    project = label_studio.call(
        "POST", "/api/projects", {"title": "zhengce review", "label_config": labeling_config()}
    )
    imported = label_studio.call(
        "POST", f"/api/projects/{project['id']}/import", json.loads(tasks_file.read_text(encoding="utf-8"))
    )
    assert imported["task_count"] == 2 and imported["prediction_count"] == 2
    listed = label_studio.call("GET", f"/api/tasks?project={project['id']}")["tasks"]
    by_doc = {t["data"]["doc"]: label_studio.call("GET", f"/api/tasks/{t['id']}") for t in listed}

    to_correct = by_doc[document_key(extraction)]
    to_accept = by_doc[document_key(accepted)]
    annotations = [
        (to_correct, _correction(to_correct, corrected)),
        (to_accept, to_accept["predictions"][0]["result"]),
    ]
    for task, result in annotations:
        body = {"result": result, "was_cancelled": False, "ground_truth": False, "lead_time": 42.0}
        label_studio.call("POST", f"/api/tasks/{task['id']}/annotations", body)

    export = label_studio.call("GET", f"/api/projects/{project['id']}/export?exportType=JSON")
    export_file = tmp_path / "project.json"
    export_file.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "reviewed"
    result = runner.invoke(main, ["labels", "import", str(export_file), "-o", str(out)])
    assert result.exit_code == 0, result.output

    records = read_jsonl(out / "project.jsonl")
    for doc in (extraction, accepted):
        key = document_key(doc)
        expected = corrected if doc is extraction else accepted
        mine = [r for r in records if r.doc == key]
        assert annotation_of(mine) == annotation_of(document_to_records(key, expected))
        assert {r.meta["source"] for r in mine} == {doc.source.name}
        assert {r.meta["annotator"] for r in mine} == {"label-studio user 1"}
        assert all(r.meta["time"] and f"project {project['id']} task" in r.meta["review"] for r in mine)
