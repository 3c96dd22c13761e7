"""The service in-process (httpx.ASGITransport) on an event loop of its own, for synchronous tests."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from pipeline.service.app import create_app
from pipeline.service.settings import ServiceSettings

T = TypeVar("T")


class RunningService:
    """An app with its lifespan started, and an httpx client on it; `call` runs a coroutine."""

    def __init__(self, loop: asyncio.AbstractEventLoop, settings: ServiceSettings) -> None:
        self.loop = loop
        self.settings = settings
        self._stack = AsyncExitStack()
        self.client: httpx.AsyncClient

    async def start(self) -> None:
        app = create_app(self.settings)
        await self._stack.enter_async_context(app.router.lifespan_context(app))
        transport = httpx.ASGITransport(app=app)
        self.client = await self._stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", timeout=60)
        )

    def call(self, make: Callable[[httpx.AsyncClient], Awaitable[T]]) -> T:
        async def run() -> T:
            return await make(self.client)

        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout=120)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.call(lambda client: client.request(method, url, **kwargs))

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stack.aclose(), self.loop).result(timeout=60)


@pytest.fixture(scope="session")
def event_loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


@pytest.fixture
def start_service(
    event_loop_thread: asyncio.AbstractEventLoop, tmp_path: Path
) -> Iterator[Callable[..., RunningService]]:
    started: list[RunningService] = []

    def start(**overrides: Any) -> RunningService:
        values: dict[str, Any] = {
            "data_dir": tmp_path / f"service{len(started)}",
            "extractor": "patterns",
            "workers": 1,
        }
        service = RunningService(event_loop_thread, ServiceSettings(**{**values, **overrides}))
        asyncio.run_coroutine_threadsafe(service.start(), event_loop_thread).result(timeout=120)
        started.append(service)
        return service

    yield start
    for service in started:
        service.close()
