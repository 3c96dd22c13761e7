"""The service's routes, limits and auth, in-process."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from pipeline.document import PolicyDocument
from pipeline.run import Pipeline
from pipeline.service.runner import DocumentRunner
from tests.service.conftest import RunningService

SAMPLE = Path(__file__).resolve().parents[2] / "pipeline" / "samples" / "sample_notice.txt"
TEXT = "对上一年度营业收入超过500万元的企业，按照营业收入的1%给予奖励，最高不超过200万元。"

Start = Callable[..., RunningService]


def _results(service: RunningService, job_id: str) -> list[dict[str, object]]:
    response = service.request("GET", f"/v1/jobs/{job_id}/results")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_app_health_docs_and_metrics(start_service: Start) -> None:
    service = start_service()
    assert service.request("GET", "/health").json() == {"status": "ok"}
    assert service.request("GET", "/docs").status_code == 200
    paths = service.request("GET", "/openapi.json").json()["paths"]
    assert {"/v1/extract", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/results", "/v1/match"} <= set(
        paths
    )
    metrics = service.request("GET", "/metrics")
    assert metrics.status_code == 200 and "zhengce_http_requests_total" in metrics.text


def test_app_extract_matches_the_pipeline(start_service: Start) -> None:
    service = start_service()
    expected = Pipeline(extractor="patterns").process_path(SAMPLE).model_dump(mode="json")
    by_file = service.request("POST", "/v1/extract", files=[("files", (SAMPLE.name, SAMPLE.read_bytes()))])
    assert by_file.status_code == 200
    assert by_file.json() == [expected]
    by_json = service.request(
        "POST",
        "/v1/extract",
        json={"documents": [{"name": "a.txt", "text": TEXT}, {"name": "b.txt", "text": TEXT}]},
    )
    assert [d["source"]["name"] for d in by_json.json()] == ["a.txt", "b.txt"]
    assert by_json.json()[0]["measures"][0]["benefits"][0]["cap"] == 2000000


def test_app_extract_names_a_bad_input(start_service: Start) -> None:
    service = start_service()
    response = service.request(
        "POST",
        "/v1/extract",
        files=[("files", ("good.txt", TEXT.encode())), ("files", ("broken.pdf", b"%PDF-1.7 not really"))],
    )
    assert response.status_code == 422
    (message,) = response.json()["detail"]
    assert message.startswith("broken.pdf: ")


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        ({"content": b"plain", "headers": {"content-type": "text/plain"}}, 415),
        ({"json": {"documents": []}}, 422),
        ({"json": {"documents": [{"name": "a.txt"}]}}, 422),
        ({"data": {"other": "field"}, "files": [("attachment", ("a.txt", b"x"))]}, 422),
    ],
)
def test_app_rejects_malformed_requests(start_service: Start, kwargs: dict[str, object], status: int) -> None:
    service = start_service()
    assert service.request("POST", "/v1/jobs", **kwargs).status_code == status


def test_app_job_runs_every_document_once_in_order(start_service: Start) -> None:
    service = start_service()
    files = [("files", (f"n{i}.txt", TEXT.encode())) for i in range(5)] + [("files", ("x.pdf", b"junk"))]
    submitted = service.request("POST", "/v1/jobs", files=files)
    assert submitted.status_code == 202
    job = submitted.json()
    assert submitted.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["documents"] == 6
    lines = _results(service, job["id"])
    assert [line["index"] for line in lines] == list(range(6))
    assert [line["status"] for line in lines] == ["ok"] * 5 + ["error"]
    assert str(lines[5]["error"]).startswith("x.pdf: ")
    assert all(line["document"]["source"]["name"] == f"n{i}.txt" for i, line in enumerate(lines[:5]))  # type: ignore[index]
    status = service.request("GET", f"/v1/jobs/{job['id']}").json()
    assert (status["status"], status["ok"], status["error"]) == ("done", 5, 1)
    assert service.request("GET", "/v1/jobs/nope").status_code == 404
    assert service.request("GET", "/v1/jobs/nope/results").status_code == 404


def test_app_uploads_never_touch_client_paths(start_service: Start, tmp_path: Path) -> None:
    service = start_service()
    victim = tmp_path / "victim.txt"
    name = f"../../../../../../..{victim}"
    job = service.request("POST", "/v1/jobs", files=[("files", (name, TEXT.encode()))]).json()
    (line,) = _results(service, job["id"])
    assert not victim.exists()
    assert line["name"] == "victim.txt"
    assert line["document"]["source"]["name"] == "victim.txt"  # type: ignore[index]
    uploads = service.settings.data_dir / "uploads"
    # Removed just after the result is stored, which the results stream may beat by a moment.
    deadline = time.monotonic() + 30  # generous: polled, so only a loaded machine waits
    while any(p.is_file() for p in uploads.rglob("*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(p.is_file() for p in uploads.rglob("*"))


def test_app_bearer_token(start_service: Start) -> None:
    service = start_service(token="s3cret")
    assert service.request("GET", "/health").status_code == 200
    refused = service.request("POST", "/v1/extract", json={"documents": [{"name": "a.txt", "text": TEXT}]})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    assert service.request("GET", "/metrics").status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert service.request("GET", "/v1/jobs/x", headers=wrong).status_code == 401
    right = {"Authorization": "Bearer s3cret"}
    assert service.request("GET", "/v1/jobs/x", headers=right).status_code == 404


def test_app_limits_upload_size_pages_and_documents_per_request(start_service: Start, tmp_path: Path) -> None:
    from tests.readers.pdf_factory import make_notice_pdf

    service = start_service(max_upload_bytes=20_000, max_pages=1, max_sync_documents=2)
    big = service.request("POST", "/v1/jobs", files=[("files", ("big.txt", ("政" * 10_000).encode()))])
    assert big.status_code == 413
    pdf = tmp_path / "two.pdf"
    make_notice_pdf(pdf, [TEXT * 30] * 6)
    pages = service.request("POST", "/v1/extract", files=[("files", ("two.pdf", pdf.read_bytes()))])
    assert pages.status_code == 422
    assert "pages; the limit is 1" in pages.json()["detail"][0]
    many = service.request(
        "POST", "/v1/extract", json={"documents": [{"name": f"{i}.txt", "text": TEXT} for i in range(3)]}
    )
    assert many.status_code == 413


def test_app_match(start_service: Start) -> None:
    service = start_service()
    (doc,) = service.request(
        "POST", "/v1/extract", json={"documents": [{"name": "a.txt", "text": TEXT}]}
    ).json()
    matched = service.request(
        "POST", "/v1/match", json={"profile": {"facts": {"营业收入": 30000000}}, "documents": [doc]}
    )
    assert matched.status_code == 200
    assert [(r["document"], r["eligible"], r["award"]) for r in matched.json()] == [("a.txt", True, 300000)]
    bad_profile = service.request("POST", "/v1/match", json={"profile": {"facts": "x"}, "documents": [doc]})
    assert bad_profile.status_code == 422 and "facts" in bad_profile.json()["detail"]
    bad_doc = service.request(
        "POST", "/v1/match", json={"profile": {"facts": {}}, "documents": [{"text": 1}]}
    )
    assert bad_doc.status_code == 422 and bad_doc.json()["detail"].startswith("documents[0]")


def test_app_overload_gives_only_successes_and_429_and_loses_no_job(
    start_service: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Documents wait at a gate until the burst is over, so the queue fills however fast this
    # machine is; then every accepted job must still complete.
    gate = threading.Event()
    process = DocumentRunner.process

    async def gated(self: DocumentRunner, path: Path) -> PolicyDocument:
        await asyncio.to_thread(gate.wait)
        return await process(self, path)

    monkeypatch.setattr(DocumentRunner, "process", gated)
    service = start_service(queue_size=20, concurrency=2)

    async def burst(client: httpx.AsyncClient) -> list[httpx.Response]:
        return await asyncio.gather(
            *(
                client.post("/v1/jobs", files=[("files", (f"n{i}.txt", f"{i}{TEXT}".encode()))])
                for i in range(520)  # 500 beyond the queue's 20
            )
        )

    responses = service.call(burst)
    gate.set()
    codes = {r.status_code for r in responses}
    assert codes <= {202, 429}, codes
    accepted = [r.json()["id"] for r in responses if r.status_code == 202]
    refused = [r for r in responses if r.status_code == 429]
    assert accepted and refused
    assert all(r.headers["retry-after"] == "5" for r in refused)
    for i, job_id in enumerate(accepted):
        (line,) = _results(service, job_id)
        assert line["status"] == "ok", (i, line["error"])
    metrics = service.request("GET", "/metrics").text
    assert f"zhengce_rejected_requests_total {float(len(refused))}" in metrics
