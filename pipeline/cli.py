"""The `zhengce` command line (`../shared/CONTRACT.md`)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.document import PolicyDocument
from pipeline.errors import InputError
from pipeline.ingest import MANIFEST, ManifestRecord, Task, discover, run_batch
from pipeline.run import Extractor, Pipeline

_err = Console(stderr=True)


def _error(message: str) -> None:
    """One unwrapped line on stderr, so scripts and users can grep it."""
    click.echo(click.style("error: ", fg="red") + message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zhengce")
def main() -> None:
    """Chinese policy documents into structured, verifiable policy terms."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
@click.option(
    "-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes."
)
@click.option("--force", is_flag=True, help="Process inputs again even when their output is up to date.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.option(
    "--extractor",
    type=click.Choice(["auto", "model", "patterns"]),
    default="auto",
    show_default=True,
    help="auto: the shipped model if present, else the pattern extractor.",
)
def ingest(
    paths: tuple[Path, ...], out_dir: Path | None, jobs: int, force: bool, verbose: bool, extractor: Extractor
) -> None:
    """Extract policy terms from files and folders (.pdf .docx .txt, images later) into JSON.

    One file and no -o: the document JSON on stdout. With -o: OUTDIR/<input name>.json per input
    and OUTDIR/manifest.jsonl. Exit 0 when every input succeeded, 1 when any failed.
    """
    if out_dir is None:
        if len(paths) != 1 or paths[0].is_dir():
            raise click.UsageError("several inputs or a folder need -o OUTDIR")
        try:
            doc = Pipeline(extractor=extractor).process_path(paths[0])
        except InputError as exc:
            _error(str(exc))
            sys.exit(1)
        click.echo(doc.model_dump_json(indent=2))
        return

    found = discover(list(paths), out_dir)
    tasks = [Task(file, out_dir / f"{rel}.json") for file, rel in found]
    failed = 0

    def report(record: ManifestRecord) -> None:
        nonlocal failed
        if record.status != "ok":
            failed += 1
            _error(str(record.error))

    if sys.stderr.isatty():
        columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=_err, transient=True) as progress:
            bar = progress.add_task("ingest", total=len(tasks))

            def advance(record: ManifestRecord) -> None:
                report(record)
                progress.advance(bar)

            run_batch(
                tasks, out_dir, jobs=jobs, force=force, verbose=verbose, extractor=extractor, on_done=advance
            )
    else:
        run_batch(
            tasks, out_dir, jobs=jobs, force=force, verbose=verbose, extractor=extractor, on_done=report
        )
    click.echo(f"{len(tasks) - failed} of {len(tasks)} inputs ok; manifest: {out_dir / MANIFEST}", err=True)
    sys.exit(1 if failed else 0)


@main.command()
@click.argument(
    "results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def show(results: tuple[Path, ...]) -> None:
    """Print the measures of ingested documents as a table."""
    # Chinese text needs room: at least 120 columns even when piped.
    console = Console(width=max(120, Console().width))
    for path in results:
        try:
            doc = PolicyDocument.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "document"
            _error(f"{path}: not a zhengce document ({where}: {first['msg']})")
            sys.exit(1)
        except (ValueError, OSError) as exc:
            _error(f"{path}: not a zhengce document ({exc})")
            sys.exit(1)
        console.print(measures_table(doc))


def _money(value: float | None) -> str:
    if value is None:
        return ""
    if value >= 1e8 and value % 1e6 == 0:
        return f"{value / 1e8:g}亿元"
    if value >= 1e4 and value % 100 == 0:
        return f"{value / 1e4:g}万元"
    return f"{value:g}元"


def _quantity(value: float, unit: str | None) -> str:
    """A condition's value as a reader writes it: 15%, 500万, 1000亿, 100PFlops."""
    if unit:
        return f"{value:g}{unit}"
    if value < 1:
        return f"{value * 100:g}%"
    if value >= 1e8:
        return f"{value / 1e8:g}亿"
    if value >= 1e4:
        return f"{value / 1e4:g}万"
    return f"{value:g}"


def measures_table(doc: PolicyDocument) -> Table:
    """A readable table of a document's measures: one row per benefit."""
    title = doc.metadata.title or doc.source.name
    table = Table(title=f"{title} — {len(doc.measures)} measures", show_lines=True)
    for column in ("#", "measure", "conditions", "benefit", "rate × base", "amount", "cap"):
        table.add_column(column, overflow="fold")
    for m in doc.measures:
        conditions = "\n".join(
            f"{c.metric} {c.op} {_quantity(c.value, c.unit)}" if c.metric and c.value is not None else c.text
            for c in m.conditions
        )
        for i, b in enumerate(m.benefits):
            kind = (b.kind or "") + (" 一次性" if b.one_time else "")
            if b.duration_years:
                kind += f" {b.duration_years:g}年"
            rate = f"{b.rate * 100:g}% × {b.base or '?'}" if b.rate is not None else ""
            amount = _money(b.amount)
            if b.unit_amount is not None:
                amount = f"{_money(b.unit_amount)}/{b.unit or '?'}"
            if b.amount_min is not None:
                amount = f"{_money(b.amount_min)} 起"
            cap = _money(b.cap) + (f" /{b.cap_per}" if b.cap_per else "")
            if b.condition_text:
                kind += f"\n(若{b.condition_text})"
            table.add_row(
                m.id if i == 0 else "",
                m.title or "" if i == 0 else "",
                conditions if i == 0 else "",
                kind,
                rate,
                amount,
                cap,
            )
    return table


@main.command("train")
@click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus"), show_default=True
)
@click.option("--base", type=click.Path(file_okay=False, path_type=Path), help="Hugging Face encoder folder.")
@click.option("--layers", type=int, help="Keep only the first N encoder layers.")
@click.option("--scratch", is_flag=True, help="Train a small encoder from random initialisation.")
@click.option(
    "--teacher", type=click.Path(file_okay=False, path_type=Path), help="Trained model to distil from."
)
@click.option("--epochs", type=int, default=6, show_default=True)
@click.option("--learning-rate", type=float, default=5e-5, show_default=True, help="Encoder learning rate.")
@click.option(
    "--pattern-hints/--no-pattern-hints",
    default=True,
    show_default=True,
    help="Feed the pattern extractor's entities and relations to the model as input features.",
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--max-steps", type=int, help="Stop after this many steps (smoke tests).")
@click.option("-o", "--output", "out", type=click.Path(file_okay=False, path_type=Path), required=True)
def train_command(
    corpus: Path,
    base: Path | None,
    layers: int | None,
    scratch: bool,
    teacher: Path | None,
    epochs: int,
    learning_rate: float,
    pattern_hints: bool,
    seed: int,
    max_steps: int | None,
    out: Path,
) -> None:
    """Train the NER + relation model on the corpus train split (tuned on dev) and export ONNX."""
    try:
        from pipeline.model.train import TrainOptions, train
    except ImportError as exc:
        raise click.ClickException(
            f"training needs the train extra: pip install -e '.[train]' ({exc})"
        ) from exc
    from pipeline.corpus.build import build, load_split

    build(corpus)
    options = TrainOptions(
        base=base,
        layers=layers,
        scratch=scratch,
        teacher=teacher,
        epochs=epochs,
        learning_rate=learning_rate,
        pattern_hints=pattern_hints,
        seed=seed,
        max_steps=max_steps,
    )
    summary = train(options, load_split(corpus, "train"), load_split(corpus, "dev"), out)
    click.echo(json.dumps(summary, indent=2))


@main.command("evaluate")
@click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus"), show_default=True
)
@click.option("--split", type=click.Choice(["train", "dev", "test"]), default="test", show_default=True)
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path), help="Model folder.")
@click.option("--patterns", is_flag=True, help="Evaluate the pattern extractor instead of a model.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate_command(corpus: Path, split: str, model_dir: Path | None, patterns: bool, as_json: bool) -> None:
    """Entity P/R/F1 per label, relation F1 and measure exact match on a corpus split."""
    from pipeline.corpus.build import build, load_split
    from pipeline.evaluation import evaluate
    from pipeline.run import extractor_stage

    build(corpus)
    stage = extractor_stage("patterns" if patterns else "model", model_dir)
    report = evaluate(stage, load_split(corpus, split))
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{'patterns' if patterns else model_dir} on {split} ({report.documents} documents)")
    for column in ("", "precision", "recall", "F1", "gold", "predicted"):
        table.add_column(column, justify="right")
    rows = [("entities", report.entities), ("relations", report.relations), ("measures", report.measures)]
    rows += [(f"  {label}", score) for label, score in sorted(report.per_label.items())]
    for name, score in rows:
        table.add_row(
            name,
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
            str(score.gold),
            str(score.predicted),
        )
    Console(width=max(100, Console().width)).print(table)


# ---------------------------------------------------------------- rules engine (issue 5)


def _read_result(path: Path) -> PolicyDocument:
    """A `zhengce ingest` result, or exit 1 with the file and the field that is wrong."""
    try:
        return PolicyDocument.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "document"
        _error(f"{path}: not a zhengce document ({where}: {first['msg']})")
    except (ValueError, OSError) as exc:
        _error(f"{path}: not a zhengce document ({exc})")
    sys.exit(1)


@main.command("match")
@click.option(
    "--profile",
    "profile_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Applicant profile JSON: name, facts, tags.",
)
@click.argument(
    "results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def match_command(profile_path: Path, results: tuple[Path, ...]) -> None:
    """Judge every measure of ingested RESULTS against an applicant profile; JSON on stdout.

    Each measure gets eligible (true, false, or null when a fact is missing), the award in yuan,
    the missing facts and an explanation. Exit 1 when the profile or a result is invalid.
    """
    from pipeline.errors import RuleError
    from pipeline.profile import load_profile
    from pipeline.rules import match

    try:
        profile = load_profile(profile_path)
    except RuleError as exc:
        _error(str(exc))
        sys.exit(1)
    documents = [_read_result(path) for path in results]
    try:
        matched = match(profile, documents)
    except RuleError as exc:
        _error(str(exc))
        sys.exit(1)
    click.echo(json.dumps([r.model_dump(mode="json") for r in matched], ensure_ascii=False, indent=2))


@main.group("rules")
def rules_group() -> None:
    """Measures as GoRules ZEN decisions (JDM files, loadable in the ZEN editor)."""


@rules_group.command("compile")
@click.argument(
    "results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder."
)
def rules_compile_command(results: tuple[Path, ...], out_dir: Path | None) -> None:
    """Compile each ingested result into one decision file, OUTDIR/<result name>.jdm.json.

    One result and no -o: the decision on stdout. Files are written atomically.
    """
    from pipeline.atomic import write_atomic
    from pipeline.errors import RuleError
    from pipeline.rules import RulesEngine

    if out_dir is None and len(results) != 1:
        raise click.UsageError("several results need -o OUTDIR")
    names = [path.name.removesuffix(".json") + ".jdm.json" for path in results]
    if len(set(names)) != len(names):
        raise click.UsageError("two results have the same file name; compile them into separate folders")
    engine = RulesEngine()
    for path, name in zip(results, names, strict=True):
        try:
            compiled = engine.compile(_read_result(path))
        except RuleError as exc:
            _error(str(exc))
            sys.exit(1)
        if out_dir is None:
            click.echo(compiled.jdm_json(), nl=False)
            return
        write_atomic(out_dir / name, compiled.jdm_json())
        click.echo(str(out_dir / name), err=True)
