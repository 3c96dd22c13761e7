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
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.devices import Device, confirm_providers, onnx_providers
from pipeline.document import PolicyDocument, Source
from pipeline.errors import ConfigError, InputError, StageError
from pipeline.extract.assemble import Assembler
from pipeline.extract.metadata import extract_metadata
from pipeline.extract.patterns import PatternExtractor
from pipeline.normalize.text_repair import repair
from pipeline.readers import read_document
from pipeline.readers.base import RawDocument
from pipeline.readers.text import split_blocks
from pipeline.stage import Stage

if TYPE_CHECKING:
    from pipeline.model.extractor import Session

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
Precision = Literal["int8", "fp32"]
# int8 is the smaller and faster encoder on CPU; its dynamic quantisation takes one scale per
# tensor, so a row's output depends on the other rows of its batch. fp32 gives every row the same
# output whatever it is batched with (measured bit-exact), which batching across requests needs.
ENCODER_FILES: dict[Precision, str] = {"int8": "encoder.onnx", "fp32": "encoder.fp32.onnx"}
EncoderWrapper = Callable[["Session"], "Session"]


class PipelineOptions(BaseModel):
    """How the pipeline is built; the same options give the same output in every engine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    extractor: Extractor = "auto"
    precision: Precision = "int8"
    device: Device = "cpu"


@cache
def producer_id(options: PipelineOptions) -> str:
    """Names what an output depends on besides its input: zhengce's version, the options and the
    files of the model they load. `zhengce ingest -o` redoes an output another producer wrote."""
    digest = hashlib.sha256(options.model_dump_json().encode())
    folder = default_model_dir()
    if options.extractor != "patterns" and folder.is_dir():
        for file in sorted(p for p in folder.iterdir() if p.is_file()):
            digest.update(f"{file.name}:{sha256_file(file)}".encode())
    return f"zhengce {version('zhengce')} {digest.hexdigest()[:16]}"


def extractor_stage(
    kind: Extractor = "auto",
    model_dir: Path | None = None,
    *,
    precision: Precision = "int8",
    device: Device = "cpu",
    wrap_encoder: EncoderWrapper | None = None,
    paragraph_gate: bool = True,
) -> Stage:
    """The stage that finds entities and relations.

    `auto` is the shipped model when `models/ner` holds one (in an ensemble with the pattern
    extractor when the model's config names the labels it should supply, as measured on dev),
    else the pattern extractor; `model` insists on the model; `patterns` never loads it. `precision` picks
    the encoder file, `device` the onnxruntime providers, and `wrap_encoder` wraps the encoder
    session (the service's dynamic batcher). `paragraph_gate=False` has the encoder read every
    paragraph, even those the model folder's gate skips.
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

    from pipeline.extract.ensemble import EnsembleConfig, LabelEnsemble
    from pipeline.model.extractor import ModelExtractor, open_encoder

    encoder_file = folder / ENCODER_FILES[precision]
    if not encoder_file.exists():
        raise ConfigError(f"no {encoder_file.name} in {folder}; export the model again with `zhengce train`")
    providers = onnx_providers(device)
    # On CPU, windows are read in parallel, each by a single-threaded call (pipeline.model.extractor);
    # one GPU, or the service's batcher fed by many documents, takes them one call at a time.
    parallel_windows = device == "cpu" and wrap_encoder is None
    encoder = open_encoder(encoder_file, 1 if parallel_windows else None, providers)
    confirm_providers(encoder.get_providers(), providers, what=str(encoder_file))
    session: Session = encoder
    if wrap_encoder is not None:
        session = wrap_encoder(session)
    model = ModelExtractor(
        folder,
        providers=providers,
        threads=None if parallel_windows else 1,
        encoder_session=session,
        paragraph_gate=paragraph_gate,
    )
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    if "ensemble_model_labels" in config:  # written by zhengce before the deployment was chosen on dev
        raise ConfigError(
            f'{folder / "config.json"}: replace "ensemble_model_labels": [...] by '
            '"ensemble": {"base": "rules", "labels": [...]}, or run `zhengce train` again'
        )
    ensemble = config.get("ensemble")
    return LabelEnsemble(model, EnsembleConfig.model_validate(ensemble)) if ensemble else model


def default_stages(
    kind: Extractor = "auto",
    model_dir: Path | None = None,
    *,
    precision: Precision = "int8",
    device: Device = "cpu",
    wrap_encoder: EncoderWrapper | None = None,
) -> list[Stage]:
    stage = extractor_stage(kind, model_dir, precision=precision, device=device, wrap_encoder=wrap_encoder)
    return [MetadataStage(), stage, Assembler()]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_policy(path: Path, *, max_pages: int | None = None) -> PolicyDocument:
    """Read a file and repair its text into a document that no stage has seen yet (the page work,
    which the service runs in worker processes); `InputError` for an unreadable file or one with
    more than `max_pages` pages."""
    raw = read_document(path)
    if max_pages is not None and len(raw.pages) > max_pages:
        raise InputError(f"{path.name}: {len(raw.pages)} pages; the limit is {max_pages}")
    return document_from_raw(raw, name=path.name, sha256=sha256_file(path))


def document_from_raw(raw: RawDocument, *, name: str, sha256: str) -> PolicyDocument:
    text, pages = repair(raw)
    source = Source(name=name, sha256=sha256, media_type=raw.media_type, pages=len(raw.pages) or None)
    return PolicyDocument(source=source, text=text, pages=pages)


class Pipeline:
    """Turns policy files into `PolicyDocument`s.

    >>> doc = Pipeline().process_text("对上一年度营业收入超过500万元的，给予最高200万元奖励。", name="a.txt")
    >>> doc.measures[0].benefits[0].cap
    2000000.0
    """

    def __init__(
        self,
        stages: Iterable[Stage] | None = None,
        *,
        extractor: Extractor = "auto",
        precision: Precision = "int8",
        device: Device = "cpu",
        wrap_encoder: EncoderWrapper | None = None,
    ) -> None:
        self.stages: list[Stage] = (
            list(stages)
            if stages is not None
            else default_stages(extractor, precision=precision, device=device, wrap_encoder=wrap_encoder)
        )

    @classmethod
    def from_options(
        cls, options: PipelineOptions, *, wrap_encoder: EncoderWrapper | None = None
    ) -> Pipeline:
        return cls(
            extractor=options.extractor,
            precision=options.precision,
            device=options.device,
            wrap_encoder=wrap_encoder,
        )

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        for stage in self.stages:
            result = stage(doc)
            if result is not doc:
                raise StageError(
                    f"stage {stage.name!r} returned a new document instead of the one it was given"
                )
        return doc

    def process_raw(self, raw: RawDocument, *, name: str, sha256: str) -> PolicyDocument:
        return self(document_from_raw(raw, name=name, sha256=sha256))

    def process_path(self, path: Path) -> PolicyDocument:
        """Read one file and extract its measures; raises `InputError` naming an unreadable file."""
        return self(read_policy(path))

    def process_text(self, text: str, *, name: str = "text.txt") -> PolicyDocument:
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        raw = RawDocument(media_type="text/plain", blocks=split_blocks(text))
        return self.process_raw(raw, name=name, sha256=sha)

    def pipe(self, paths: Iterable[Path]) -> Iterator[PolicyDocument]:
        for path in paths:
            yield self.process_path(path)
