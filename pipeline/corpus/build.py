"""Compile `corpus/src/*.ann` into `corpus/notices/*.txt` and `corpus/{train,dev,test}.jsonl`.

python -m pipeline.corpus.build [--corpus corpus]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.atomic import write_atomic
from pipeline.corpus import CorpusRecord, read_jsonl, write_jsonl
from pipeline.corpus.markup import AnnotatedNotice, parse_notice
from pipeline.errors import InputError
from pipeline.extract.segment import segment

SPLITS = ("train", "dev", "test")


def load_notices(corpus: Path) -> list[AnnotatedNotice]:
    """Every annotated notice, sorted by document id; ids must be unique."""
    notices = [parse_notice(p) for p in sorted((corpus / "src").glob("*.ann"))]
    seen: dict[str, str] = {}
    for n in notices:
        if n.doc in seen:
            raise InputError(f"document id {n.doc!r} is used twice")
        seen[n.doc] = n.split
    return notices


def build(corpus: Path) -> dict[str, dict[str, int]]:
    """Write the compiled corpus; returns documents, paragraphs, clauses and spans per split."""
    notices = load_notices(corpus)
    stats = {}
    for split in SPLITS:
        chosen = [n for n in notices if n.split == split]
        records = [r for n in chosen for r in n.records]
        write_jsonl(corpus / f"{split}.jsonl", records)
        stats[split] = {
            "documents": len(chosen),
            "paragraphs": len(records),
            "clauses": sum(len([c for c in segment(n.text) if not c.is_heading]) for n in chosen),
            "spans": sum(len(r.spans) for r in records),
            "relations": sum(len(r.relations) for r in records),
        }
    for n in notices:
        write_atomic(corpus / "notices" / f"{n.doc}.txt", n.text + "\n")
    return stats


def load_split(corpus: Path, split: str) -> list[CorpusRecord]:
    return read_jsonl(corpus / f"{split}.jsonl")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.corpus.build", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    args = parser.parse_args(argv)
    try:
        stats = build(args.corpus)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for split, numbers in stats.items():
        print(split, " ".join(f"{k}={v}" for k, v in numbers.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
