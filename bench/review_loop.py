"""The review loop end to end, with the real commands: does correcting a model's errors in Label Studio
and retraining fix them without costing anything on the test split?

    .venv/bin/python bench/review_loop.py --model models/runs/ner4-shipped -o bench/out/review-loop-3
    .venv/bin/python bench/review_loop.py --model models/runs/ner4-shipped -o /tmp/loop \
        --max-steps 2 --stop-after train

`--model` is a model folder that was not trained on the review notices (the shipped model now is:
its training included them). The closing note of the review-loop issue used the model shipped
before that: the `models/runs/ner4` weights with `"ensemble": {"base": "rules", "labels":
["BENEFICIARY", "CONDITION", "EXCLUSION"]}` in its config.json.

Steps, each a `zhengce` command run as a reviewer's team would run it:

1. `corpus/review/src/*.ann` (notices written and annotated for this experiment, playing the part of
   the reviewers' corrections) are compiled by the corpus build code into
   `corpus/review/reviewed-gold.jsonl` and the plain notices `corpus/review/notices/*.txt`.
2. `zhengce ingest --extractor model` extracts the notices with `--model` (via `ZHENGCE_MODEL_DIR`).
3. `zhengce labels export` turns the results into Label Studio tasks with predictions.
4. The reviewer is simulated: every task becomes a task of a Label Studio full JSON project export
   whose annotation is the gold annotation, its regions marked as Label Studio marks them
   (`prediction` when kept as predicted, `prediction-changed` when a predicted region's label or
   boundaries were changed, `manual` when drawn anew).
5. `zhengce labels import` reads that export; the imported records must equal the gold records.
6. `zhengce train --reviewed` retrains with the options of `--model`'s `train_options.json`; it
   chooses the retrained model's deployment (alone, or in the ensemble) on dev, as for any model.
7. `zhengce evaluate --records` on the reviewed notices and `--split test`, for the old and the new
   model; the before/after table is printed and written to `OUT/review_loop.json`.

Training takes 10-30 minutes on two CPU cores; `--stop-after import` or `--max-steps` check the
plumbing quickly.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.atomic import write_atomic  # noqa: E402
from pipeline.corpus import CorpusRecord, documents, read_jsonl, write_jsonl  # noqa: E402
from pipeline.corpus.build import load_notices  # noqa: E402
from pipeline.corpus.convert import records_to_document  # noqa: E402
from pipeline.errors import InputError  # noqa: E402
from pipeline.extract.ensemble import EnsembleConfig  # noqa: E402
from pipeline.review.export import annotation_result  # noqa: E402

REVIEW = ROOT / "corpus" / "review"
GOLD = REVIEW / "reviewed-gold.jsonl"
STEPS = ("import", "train", "evaluate")
# `zhengce train` options and the train_options.json fields they set.
TRAIN_FLAGS = {
    "base": "--base",
    "layers": "--layers",
    "teacher": "--teacher",
    "epochs": "--epochs",
    "learning_rate": "--learning-rate",
    "seed": "--seed",
}


def zhengce(*args: str, env: dict[str, str] | None = None, capture: bool = False) -> str:
    """Run a `zhengce` command from this virtualenv; its failure stops the experiment."""
    command = [str(Path(sys.executable).parent / "zhengce"), *args]
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE if capture else None, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"error: `zhengce {args[0]}` exited with {done.returncode}")
    print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
    return done.stdout or ""


def build_gold() -> dict[str, list[CorpusRecord]]:
    """Compile the review notices with the corpus build code; returns the gold records per document."""
    notices = load_notices(REVIEW)
    write_jsonl(GOLD, [r for n in notices for r in n.records])
    for n in notices:
        write_atomic(REVIEW / "notices" / f"{n.doc}.txt", n.text + "\n")
    return {n.doc: n.records for n in notices}


def reviewer_result(task: dict[str, Any], gold: list[CorpusRecord]) -> list[dict[str, Any]]:
    """The annotation a reviewer submits when they correct the task's prediction into `gold`."""
    document = records_to_document("gold", gold)
    if document.text != task["data"]["text"]:
        raise InputError(f"{task['data'].get('source')}: the ingested text is not the annotated text")
    predicted = [r for r in task["predictions"][0]["result"] if r["type"] == "labels"]
    by_span = {(r["value"]["start"], r["value"]["end"]): r for r in predicted}
    used: set[str] = set()
    ids: dict[str, str] = {}
    origins: dict[str, str] = {}
    for n, entity in enumerate(document.entities):
        same_span = by_span.get((entity.start, entity.end))
        overlapping = [
            r
            for r in predicted
            if r["value"]["start"] < entity.end
            and entity.start < r["value"]["end"]
            and r["value"]["labels"] == [entity.label]
        ]
        source = same_span or next((r for r in overlapping if r["id"] not in used), None)
        if source is not None and source["id"] not in used:
            used.add(source["id"])
            kept = (source["value"]["start"], source["value"]["end"], source["value"]["labels"]) == (
                entity.start,
                entity.end,
                [entity.label],
            )
            ids[entity.id] = source["id"]
            origins[entity.id] = "prediction" if kept else "prediction-changed"
        else:
            ids[entity.id] = f"review{n}"
            origins[entity.id] = "manual"
    return [
        r.model_dump(exclude_none=True) for r in annotation_result(document, region_ids=ids, origins=origins)
    ]


def project_export(tasks: list[dict[str, Any]], gold: dict[str, list[CorpusRecord]]) -> list[dict[str, Any]]:
    """The tasks as Label Studio's full JSON export holds them once a reviewer submitted each one."""
    exported = []
    for n, task in enumerate(tasks, start=1):
        doc = Path(task["data"]["source"]).stem
        if doc not in gold:
            raise InputError(f"{task['data']['source']}: no gold annotation for this notice")
        exported.append(
            {
                "id": n,
                "project": 1,
                "data": task["data"],
                "predictions": [n],
                "annotations": [
                    {
                        "id": n,
                        "completed_by": 1,
                        "result": reviewer_result(task, gold[doc]),
                        "was_cancelled": False,
                        "created_at": f"2025-06-01T08:{n % 60:02d}:00.000000Z",
                        "updated_at": f"2025-06-01T09:{n % 60:02d}:00.000000Z",
                        "lead_time": 300.0,
                    }
                ],
            }
        )
    return exported


def _annotation(records: list[CorpusRecord]) -> list[tuple[object, ...]]:
    """Paragraphs with spans and relations by position, ids and provenance aside."""
    out: list[tuple[object, ...]] = []
    for r in records:
        spans = {s.id: (s.start, s.end, s.label.value, s.text) for s in r.spans}
        relations = sorted((spans[x.from_id], spans[x.to_id], x.label.value) for x in r.relations)
        out.append((r.text, sorted(spans.values()), relations))
    return out


def check_import(imported: list[CorpusRecord], gold: dict[str, list[CorpusRecord]]) -> int:
    """Every imported document must carry exactly its gold annotation; returns the documents checked."""
    by_text = {"\n".join(r.text for r in records): records for records in gold.values()}
    checked = 0
    for doc, records in documents(imported):
        expected = by_text.get("\n".join(r.text for r in records))
        if expected is None or _annotation(records) != _annotation(expected):
            raise SystemExit(f"error: imported document {doc} does not equal its correction")
        checked += 1
    if checked != len(gold):
        raise SystemExit(f"error: {checked} documents imported, {len(gold)} corrected")
    return checked


def train_arguments(model: Path) -> list[str]:
    """`zhengce train` options reproducing `model`'s training; stops if it used one the CLI lacks."""
    from pipeline.model.train import TrainOptions

    used = json.loads((model / "train_options.json").read_text(encoding="utf-8"))
    defaults = TrainOptions(base=None).model_dump(mode="json")
    settable = {*TRAIN_FLAGS, "scratch", "pattern_hints", "max_steps", "reviewed_weight"}
    unsettable = {k: v for k, v in used.items() if k not in settable and v != defaults.get(k)}
    if unsettable:
        raise SystemExit(f"error: {model} was trained with options `zhengce train` cannot set: {unsettable}")
    args = []
    for key, flag in TRAIN_FLAGS.items():
        if used.get(key) is not None:
            args += [flag, str(used[key])]
    if used.get("scratch"):
        args.append("--scratch")
    args.append("--pattern-hints" if used.get("pattern_hints", True) else "--no-pattern-hints")
    return args


def scores(report: dict[str, Any]) -> dict[str, Any]:
    exact = report["documents"] - len(report["measure_errors"])
    return {
        "entity_f1": report["entities"]["f1"],
        "relation_f1": report["relations"]["f1"],
        "measure_f1": report["measures"]["f1"],
        "documents": report["documents"],
        "documents_all_measures_exact": exact,
        "measure_errors": report["measure_errors"],
    }


def deployment(model: Path) -> str:
    """How `model` is deployed, from its config.json (pipeline.model.deployment)."""
    ensemble = json.loads((model / "config.json").read_text(encoding="utf-8")).get("ensemble")
    return f"ensemble: {EnsembleConfig.model_validate(ensemble).describe()}" if ensemble else "model alone"


def evaluate(model: Path, *where: str) -> dict[str, Any]:
    return scores(json.loads(zhengce("evaluate", "--model", str(model), *where, "--json", capture=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, required=True, help="the model before review (a model folder)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="working folder; results go here")
    parser.add_argument("--max-steps", type=int, help="passed to `zhengce train` (plumbing checks)")
    parser.add_argument("--stop-after", choices=STEPS, default="evaluate")
    parser.add_argument("--reviewed-weight", type=int, default=3, help="passed to `zhengce train`")
    args = parser.parse_args(argv)
    model, out = args.model.resolve(), args.output.resolve()
    out.mkdir(parents=True, exist_ok=True)

    gold = build_gold()
    print(f"{len(gold)} corrected notices, {sum(len(r) for r in gold.values())} paragraphs -> {GOLD}")
    env = os.environ | {"ZHENGCE_MODEL_DIR": str(model)}
    ingested = out / "ingested"
    zhengce(
        "ingest", "--extractor", "model", "--force", str(REVIEW / "notices"), "-o", str(ingested), env=env
    )
    results = sorted(str(p) for p in ingested.glob("*.json"))
    tasks_file = out / "tasks.json"
    zhengce("labels", "export", *results, "-o", str(tasks_file), "--model-version", model.name)
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    export = project_export(tasks, gold)
    origins: dict[str, int] = {}
    for task in export:
        for r in task["annotations"][0]["result"]:
            if r["type"] == "labels":
                origins[r["origin"]] = origins.get(r["origin"], 0) + 1
    print(f"reviewer: regions {origins}")
    export_file = out / "project-1-review.json"
    write_atomic(export_file, json.dumps(export, ensure_ascii=False))
    reviewed = out / "reviewed"
    zhengce("labels", "import", str(export_file), "-o", str(reviewed))
    checked = check_import(read_jsonl(reviewed / "project-1-review.jsonl"), gold)
    print(f"imported: {checked} documents equal their correction")
    if args.stop_after == "import":
        return 0

    retrained = out / "model"
    max_steps = ["--max-steps", str(args.max_steps)] if args.max_steps else []
    weight = ["--reviewed-weight", str(args.reviewed_weight)]
    zhengce(
        "train",
        *train_arguments(model),
        *max_steps,
        "--reviewed",
        str(reviewed),
        *weight,
        "-o",
        str(retrained),
    )
    if args.stop_after == "train":
        return 0

    table = {
        name: {
            "reviewed": evaluate(m, "--records", str(GOLD)),
            "test": evaluate(m, "--split", "test"),
        }
        for name, m in (("before", model), ("after", retrained))
    }
    deployments = {name: deployment(m) for name, m in (("before", model), ("after", retrained))}
    summary = {
        "model": str(model),
        "retrained": str(retrained),
        "reviewer_regions": origins,
        "deployments": deployments,
        **table,
    }
    write_atomic(out / "review_loop.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(f"\n{'':>8} {'on':>8} {'entity F1':>10} {'relation F1':>12} {'measure F1':>11} {'exact docs':>11}")
    for name in ("before", "after"):
        for where in ("reviewed", "test"):
            s = table[name][where]
            exact = f"{s['documents_all_measures_exact']}/{s['documents']}"
            print(
                f"{name:>8} {where:>8} {s['entity_f1']:>10.3f} {s['relation_f1']:>12.3f}"
                f" {s['measure_f1']:>11.3f} {exact:>11}"
            )
    for name, used in deployments.items():
        print(f"{name}: {used}")
    print(f"\nwritten: {out / 'review_loop.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
