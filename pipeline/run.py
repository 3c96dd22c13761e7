"""The pipeline: read a file, repair its text, run the document stages in order.

    read (readers/) → text repair (normalize/) → metadata → entities and relations (extract/patterns)
    → measures (extract/assemble)

Every stage takes a `PolicyDocument`, adds to it and returns the same object.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from pipeline.document import PolicyDocument, Source
from pipeline.errors import ConfigError, StageError
from pipeline.extract.assemble import Assembler
from pipeline.extract.metadata import extract_metadata
from pipeline.extract.patterns import PatternExtractor
from pipeline.normalize.text_repair import repair
from pipeline.readers import read_document
from pipeline.readers.base import RawDocument
from pipeline.readers.text import split_blocks
from pipeline.stage import Stage

_log = logging.getLogger(__name__)


class MetadataStage:
    """Pipeline stage: title, 文号, issuers and publish date from the text."""

    name = "metadata"

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        doc.metadata = extract_metadata(doc.text)
        return doc


def default_model_dir() -> Path:
    """Where the shipped model lives: `$ZHENGCE_MODEL_DIR`, else `models/ner` beside the package."""
    configured = os.environ.get("ZHENGCE_MODEL_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parent.parent / "models" / "ner"


Extractor = Literal["auto", "model", "patterns"]


def extractor_stage(kind: Extractor = "auto", model_dir: Path | None = None) -> Stage:
    """The stage that finds entities and relations.

    `auto` is the shipped model when `models/ner` holds one (with the pattern extractor as its
    per-clause fallback when the model's config says that measured better on dev), else the
    pattern extractor; `model` insists on the model; `patterns` never loads it.
    """
    if kind == "patterns":
        return PatternExtractor()
    folder = model_dir or default_model_dir()
    if not (folder / "encoder.onnx").exists():
        if kind == "model":
            raise ConfigError(
                f"no model in {folder}; train one with `zhengce train` or use --extractor patterns"
            )
        _log.info("no model in %s: using the pattern extractor", folder)
        return PatternExtractor()
    from pipeline.extract.fallback import FallbackExtractor
    from pipeline.model.extractor import ModelExtractor

    model = ModelExtractor(folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    return FallbackExtractor(model) if config.get("fallback_to_patterns") else model


def default_stages(kind: Extractor = "auto", model_dir: Path | None = None) -> list[Stage]:
    return [MetadataStage(), extractor_stage(kind, model_dir), Assembler()]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Pipeline:
    """Turns policy files into `PolicyDocument`s.

    >>> doc = Pipeline().process_text("对上一年度营业收入超过500万元的，给予最高200万元奖励。", name="a.txt")
    >>> doc.measures[0].benefits[0].cap
    2000000.0
    """

    def __init__(self, stages: Iterable[Stage] | None = None, *, extractor: Extractor = "auto") -> None:
        self.stages: list[Stage] = list(stages) if stages is not None else default_stages(extractor)

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        for stage in self.stages:
            result = stage(doc)
            if result is not doc:
                raise StageError(
                    f"stage {stage.name!r} returned a new document instead of the one it was given"
                )
        return doc

    def process_raw(self, raw: RawDocument, *, name: str, sha256: str) -> PolicyDocument:
        text, pages = repair(raw)
        source = Source(name=name, sha256=sha256, media_type=raw.media_type, pages=len(raw.pages) or None)
        return self(PolicyDocument(source=source, text=text, pages=pages))

    def process_path(self, path: Path) -> PolicyDocument:
        """Read one file and extract its measures; raises `InputError` naming an unreadable file."""
        raw = read_document(path)
        return self.process_raw(raw, name=path.name, sha256=sha256_file(path))

    def process_text(self, text: str, *, name: str = "text.txt") -> PolicyDocument:
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        raw = RawDocument(media_type="text/plain", blocks=split_blocks(text))
        return self.process_raw(raw, name=name, sha256=sha)

    def pipe(self, paths: Iterable[Path]) -> Iterator[PolicyDocument]:
        for path in paths:
            yield self.process_path(path)
