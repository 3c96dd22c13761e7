"""The interface every pipeline stage implements: take a `PolicyDocument`, add to it, return it."""

from __future__ import annotations

from typing import Protocol

from pipeline.document import PolicyDocument


class Stage(Protocol):
    name: str

    def __call__(self, doc: PolicyDocument) -> PolicyDocument: ...
