"""The HTTP service (`zhengce serve`): the routes of `CONTRACT.md` ("Service").

GET  /health                     {"status": "ok"} once models are loaded
POST /v1/extract                 multipart `files` or {"documents": [{"name", "text"}]} → documents
POST /v1/jobs                    the same bodies → 202 {"id", "status", ...}
GET  /v1/jobs/{id}               where the job stands
GET  /v1/jobs/{id}/results       finished documents as JSON lines, in order
POST /v1/match                   {"profile", "documents"} → match output
GET  /metrics                    Prometheus text format
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.document import PolicyDocument
from pipeline.errors import RuleError
from pipeline.profile import describe, parse_profile
from pipeline.service.dispatch import Dispatcher, DocumentsFailed, Incoming, QueueFull
from pipeline.service.jobs import JobStatus
from pipeline.service.metrics import ServiceMetrics
from pipeline.service.settings import ServiceSettings


class TextDocument(BaseModel):
    name: str
    text: str


class DocumentsRequest(BaseModel):
    """The JSON body of `/v1/extract` and `/v1/jobs`."""

    documents: list[TextDocument]


class MatchRequest(BaseModel):
    profile: dict[str, Any]
    documents: list[dict[str, Any]]


_DOCUMENTS_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                    "required": ["files"],
                }
            },
            "application/json": {"schema": DocumentsRequest.model_json_schema()},
        },
    }
}


class BodySizeLimit:
    """Answers 413 for a request body over the limit, by its Content-Length or as it streams in."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(413, self._message())
            return message

        await self.app(scope, limited, send)

    def _message(self) -> str:
        return f"request body larger than the limit of {self.max_bytes} bytes"

    async def _too_large(self, send: Send) -> None:
        response = JSONResponse({"detail": self._message()}, status_code=413)
        await response({"type": "http"}, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


def create_app(settings: ServiceSettings) -> FastAPI:
    """The FastAPI app; models load and unfinished jobs resume when its lifespan starts.

    >>> from pathlib import Path
    >>> app = create_app(ServiceSettings(data_dir=Path("/tmp/zhengce-doc"), extractor="patterns"))
    >>> sorted(p for p in app.openapi()["paths"] if p.startswith("/v1"))[:2]
    ['/v1/extract', '/v1/jobs']
    """
    metrics = ServiceMetrics()
    holder: dict[str, Dispatcher] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        dispatcher = await asyncio.to_thread(Dispatcher, settings, metrics)
        await dispatcher.start()
        holder["dispatcher"] = dispatcher
        try:
            yield
        finally:
            await dispatcher.stop()

    def dispatcher() -> Dispatcher:
        return holder["dispatcher"]

    def authorised(request: Request) -> None:
        if settings.token is None:
            return
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), settings.token.encode()):
            raise HTTPException(401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"})

    app = FastAPI(
        title="zhengce",
        description="Chinese policy documents into structured, verifiable policy terms.",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes)

    @app.middleware("http")
    async def count_requests(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        route = request.scope.get("route")
        metrics.requests.labels(getattr(route, "path", "unmatched"), str(response.status_code)).inc()
        return response

    @app.exception_handler(QueueFull)
    async def queue_full(_: Request, exc: QueueFull) -> JSONResponse:
        return JSONResponse(
            {"detail": f"{exc}; retry later"},
            status_code=429,
            headers={"Retry-After": str(settings.retry_after_s)},
        )

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    api = APIRouter(prefix="/v1", dependencies=[Depends(authorised)])

    @api.post("/extract", openapi_extra=_DOCUMENTS_BODY, response_model=None)
    async def extract(request: Request) -> Response:
        """Process small inputs now; answers a JSON list of documents, in order."""
        async with _incoming(request, settings, limit=settings.max_sync_documents) as documents:
            try:
                done = await dispatcher().extract(documents)
            except DocumentsFailed as exc:
                raise HTTPException(422, exc.messages) from exc
            except TimeoutError as exc:
                raise HTTPException(
                    504, f"not done within {settings.request_timeout_s:g} s; submit large inputs to /v1/jobs"
                ) from exc
        body = "[" + ",".join(doc.model_dump_json() for doc in done) + "]"
        return Response(body, media_type="application/json")

    @api.post("/jobs", openapi_extra=_DOCUMENTS_BODY, status_code=202)
    async def submit(request: Request) -> JSONResponse:
        """Accept a batch; it is stored before this answers, and survives a restart."""
        async with _incoming(request, settings, limit=settings.queue_size) as documents:
            status = await dispatcher().submit(documents)
        return JSONResponse(
            status.model_dump(), status_code=202, headers={"Location": f"/v1/jobs/{status.id}"}
        )

    @api.get("/jobs/{job_id}")
    async def job(job_id: str) -> JobStatus:
        status = await dispatcher().status(job_id)
        if status is None:
            raise HTTPException(404, f"no job {job_id}")
        return status

    @api.get("/jobs/{job_id}/results", response_class=StreamingResponse)
    async def results(job_id: str, wait: bool = True) -> StreamingResponse:
        """One JSON line per document, in order: {"index", "name", "status", "error", "seconds",
        "document"}. With wait (the default) the stream ends when the job is done; without, it holds
        the documents finished so far."""
        status = await dispatcher().status(job_id)
        if status is None:
            raise HTTPException(404, f"no job {job_id}")
        lines = dispatcher().results(job_id, documents=status.documents, wait=wait)
        return StreamingResponse(lines, media_type="application/x-ndjson")

    @api.post("/match")
    async def match_route(body: MatchRequest) -> Response:
        """Every measure of the documents judged against the profile (`zhengce match` output)."""
        from pipeline.rules import match

        try:
            profile = parse_profile(body.profile, source="profile")
        except RuleError as exc:
            raise HTTPException(422, str(exc)) from exc
        documents = []
        for index, data in enumerate(body.documents):
            try:
                documents.append(PolicyDocument.model_validate(data))
            except ValidationError as exc:
                raise HTTPException(422, f"documents[{index}]: {describe(exc)}") from exc
        try:
            matched = await asyncio.to_thread(match, profile, documents)
        except RuleError as exc:
            raise HTTPException(422, str(exc)) from exc
        body_json = "[" + ",".join(r.model_dump_json() for r in matched) + "]"
        return Response(body_json, media_type="application/json")

    app.include_router(api)

    @app.get("/metrics", dependencies=[Depends(authorised)], response_class=Response)
    async def metrics_route() -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)

    return app


@asynccontextmanager
async def _incoming(
    request: Request, settings: ServiceSettings, *, limit: int
) -> AsyncIterator[list[Incoming]]:
    """The documents of a request body (multipart `files` or JSON), 4xx when there are none or too many."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=limit + 1, max_fields=limit + 1)
        try:
            uploads = [v for k, v in form.multi_items() if k == "files" and isinstance(v, UploadFile)]
            documents = [
                Incoming(name=u.filename or f"document-{i}", file=u.file) for i, u in enumerate(uploads)
            ]
            _check_count(documents, limit)
            yield documents
        finally:
            await form.close()
    elif content_type.startswith("application/json"):
        try:
            body = DocumentsRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise HTTPException(422, f"body: {describe(exc)}") from exc
        documents = [Incoming(name=d.name, text=d.text) for d in body.documents]
        _check_count(documents, limit)
        yield documents
    else:
        raise HTTPException(415, 'send multipart/form-data with `files`, or JSON {"documents": [...]}')


def _check_count(documents: list[Incoming], limit: int) -> None:
    if not documents:
        raise HTTPException(422, 'no documents: send multipart `files` or JSON {"documents": [...]}')
    if len(documents) > limit:
        raise HTTPException(413, f"{len(documents)} documents; the limit per request is {limit}")
