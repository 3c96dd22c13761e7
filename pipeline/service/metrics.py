"""Prometheus metrics of the service, in a registry of its own (one per app, so tests can make many)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
_ROWS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "zhengce_http_requests", "HTTP requests answered", ["route", "status"], registry=self.registry
        )
        self.rejected = Counter(
            "zhengce_rejected_requests", "Requests refused because the queue was full", registry=self.registry
        )
        self.documents = Counter(
            "zhengce_documents", "Documents processed", ["status"], registry=self.registry
        )
        self.document_seconds = Histogram(
            "zhengce_document_seconds",
            "Time to process one document",
            buckets=_SECONDS,
            registry=self.registry,
        )
        self.queued = Gauge(
            "zhengce_queued_documents", "Documents accepted and not finished", registry=self.registry
        )
        self.batch_rows = Histogram(
            "zhengce_batch_rows", "Rows per batched model run", buckets=_ROWS, registry=self.registry
        )
        self.batch_requests = Histogram(
            "zhengce_batch_requests",
            "Caller requests per batched model run",
            buckets=_ROWS,
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "zhengce_batch_seconds", "Time of one batched model run", buckets=_SECONDS, registry=self.registry
        )

    def observe_batch(self, requests: int, rows: int, seconds: float) -> None:
        self.batch_requests.observe(requests)
        self.batch_rows.observe(rows)
        self.batch_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
