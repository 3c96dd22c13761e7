"""The service's settings: machine details and limits, from `zhengce serve` flags or the environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from pipeline.devices import Device
from pipeline.run import Extractor, PipelineOptions, Precision

TOKEN_ENVIRONMENT_VARIABLE = "ZHENGCE_SERVICE_TOKEN"


class ServiceSettings(BaseModel):
    """How `zhengce serve` runs.

    >>> ServiceSettings(data_dir=Path("/tmp/z")).host
    '127.0.0.1'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: Annotated[str, Field(description="address to bind; loopback unless told otherwise")] = "127.0.0.1"
    port: int = 8000
    data_dir: Annotated[Path, Field(description="jobs database and stored uploads")]
    token: Annotated[str | None, Field(description="bearer token every /v1 and /metrics call must carry")] = (
        None
    )
    extractor: Extractor = "auto"
    precision: Annotated[
        Precision, Field(description="fp32 is batch-invariant; int8 cannot be batched across requests")
    ] = "int8"
    device: Device = "cpu"
    # Off by default: on CPU batching across requests measured slower than each document running
    # its own windows (bench/service_load.py); it is for GPUs, with the fp32 encoder.
    batching: Annotated[bool, Field(description="dynamic batching of model inference across requests")] = (
        False
    )
    max_batch_size: Annotated[int, Field(ge=1, description="rows per batched model run")] = 64
    max_wait_ms: Annotated[float, Field(ge=0, description="how long a batch waits to fill")] = 5.0
    batch_width_bucket: Annotated[
        int, Field(ge=0, description="rows share a batch only when their widths round up alike (0: any)")
    ] = 32
    workers: Annotated[int, Field(ge=1, description="processes that read and lay out documents")] = max(
        1, os.cpu_count() or 1
    )
    concurrency: Annotated[int, Field(ge=1, description="documents in the model stages at once")] = 32
    queue_size: Annotated[int, Field(ge=1, description="documents accepted and unfinished; beyond: 429")] = (
        1000
    )
    max_upload_bytes: Annotated[int, Field(ge=1, description="largest request body")] = 50 * 1024 * 1024
    max_pages: Annotated[int, Field(ge=1, description="pages per document")] = 300
    max_sync_documents: Annotated[int, Field(ge=1, description="documents per /v1/extract call")] = 16
    request_timeout_s: Annotated[float, Field(gt=0, description="time limit of a /v1/extract call")] = 60.0
    retry_after_s: Annotated[int, Field(ge=1, description="Retry-After of a 429")] = 5

    @property
    def pipeline_options(self) -> PipelineOptions:
        return PipelineOptions(extractor=self.extractor, precision=self.precision, device=self.device)
