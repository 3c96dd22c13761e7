"""Reviewed records (the output of `zhengce labels import`) for training and evaluation.

`zhengce train --reviewed` adds them to the corpus train split. A reviewed paragraph whose text also
occurs in the dev or test split is left out of training, so neither split is ever trained on, even
when a reviewer corrected a corpus notice. `zhengce evaluate --records` scores an extractor on them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.corpus import CorpusRecord, documents, read_jsonl
from pipeline.errors import InputError


def load_reviewed(paths: Iterable[Path]) -> list[CorpusRecord]:
    """Records from JSONL files, or folders whose `*.jsonl` files are read in name order.

    The same document text may come from several imports (review rounds) when they agree; when they
    annotate it differently the reviewers must decide first, so this raises.

    Raises:
        InputError: a file is not corpus records, a folder holds none, or two inputs disagree.
    """
    records: list[CorpusRecord] = []
    seen: dict[str, tuple[Path, object]] = {}
    for path in paths:
        files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        if not files:
            raise InputError(f"{path}: no *.jsonl files of reviewed records in this folder")
        for file in files:
            for doc, doc_records in documents(read_jsonl(file)):
                text = "\n".join(r.text for r in doc_records)
                key = hashlib.sha256(text.encode("utf-8")).hexdigest()
                annotation = [_annotation(r) for r in doc_records]
                if key in seen:
                    first, first_annotation = seen[key]
                    if first_annotation != annotation:
                        raise InputError(
                            f"{file}: document {doc} is also in {first} with other annotations; "
                            "keep one review of it"
                        )
                    continue
                seen[key] = (file, annotation)
                records += doc_records
    return records


def _annotation(record: CorpusRecord) -> tuple[object, ...]:
    spans = {s.id: (s.start, s.end, s.label.value) for s in record.spans}
    relations = sorted((spans[r.from_id], spans[r.to_id], r.label.value) for r in record.relations)
    return (record.text, sorted(spans.values()), relations)


@dataclass(frozen=True)
class ReviewedForTraining:
    records: list[CorpusRecord]  # the reviewed paragraphs that go into training
    documents: int
    held_out: int  # paragraphs left out because their text is in the dev or test split

    def as_dict(self) -> dict[str, int]:
        return {"documents": self.documents, "paragraphs": len(self.records), "held_out": self.held_out}


def for_training(
    reviewed: Sequence[CorpusRecord], *, held_out: Sequence[CorpusRecord]
) -> ReviewedForTraining:
    """The reviewed paragraphs that may be trained on: not in `held_out` (dev and test), not empty."""
    kept_out = {r.text for r in held_out}
    chosen = [r for r in reviewed if r.text and r.text not in kept_out]
    left_out = sum(1 for r in reviewed if r.text and r.text in kept_out)
    return ReviewedForTraining(chosen, len({r.doc for r in chosen}), left_out)
