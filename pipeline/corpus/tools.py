"""Annotator tools: pre-annotate a notice with the pattern extractor, and check an annotated notice.

    python -m pipeline.corpus.tools preannotate notice.txt --doc gd-ip-2024 --split train > gd-ip-2024.ann
    python -m pipeline.corpus.tools check corpus/src/gd-ip-2024.ann

`check` validates the markup and prints the measures the annotation implies, built by the same
assembler the pipeline uses, so an annotator sees at once whether the spans and relations say what
the notice says.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline.corpus.convert import document_to_records, record_to_markup, records_to_document
from pipeline.corpus.markup import parse_notice
from pipeline.errors import InputError
from pipeline.extract.assemble import Assembler
from pipeline.readers.text import decode_text
from pipeline.run import Pipeline


def preannotate(path: Path, *, doc: str, split: str) -> str:
    text = decode_text(path.read_bytes(), name=path.name)
    document = Pipeline().process_text(text, name=path.name)
    source = "written for zhengce; pre-annotated by the pattern extractor"
    header = f"# doc: {doc}\n# split: {split}\n# source: {source}\n"
    return header + "\n".join(record_to_markup(r) for r in document_to_records(doc, document)) + "\n"


def check(path: Path) -> str:
    notice = parse_notice(path)
    document = Assembler()(records_to_document(notice.doc, notice.records))
    lines = [
        f"{notice.doc} ({notice.split}): {len(notice.records)} paragraphs, {len(document.entities)} spans"
    ]
    for m in document.measures:
        body = m.model_dump(
            include={"title", "beneficiaries", "conditions", "benefits"}, exclude_defaults=True
        )
        for item in body.get("conditions", []) + body.get("benefits", []):
            item.pop("start", None)
            item.pop("end", None)
        lines.append(json.dumps(body, ensure_ascii=False))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.corpus.tools", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    pre = sub.add_parser("preannotate", help="a plain notice into the authoring format")
    pre.add_argument("path", type=Path)
    pre.add_argument("--doc", required=True)
    pre.add_argument("--split", required=True, choices=("train", "dev", "test"))
    chk = sub.add_parser("check", help="validate annotated notices and show their measures")
    chk.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "preannotate":
            sys.stdout.write(preannotate(args.path, doc=args.doc, split=args.split))
        else:
            for path in args.paths:
                print(check(path))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
