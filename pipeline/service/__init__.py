"""The batch inference service (`zhengce serve`): HTTP routes, persistent jobs, dynamic batching."""

from __future__ import annotations

from pipeline.service.batcher import DynamicBatcher
from pipeline.service.settings import TOKEN_ENVIRONMENT_VARIABLE, ServiceSettings

__all__ = ["TOKEN_ENVIRONMENT_VARIABLE", "DynamicBatcher", "ServiceSettings", "create_app"]


def __getattr__(name: str) -> object:
    # The app pulls in FastAPI (the `serve` extra); the batcher and settings do not need it.
    if name == "create_app":
        from pipeline.service.app import create_app

        return create_app
    raise AttributeError(name)
