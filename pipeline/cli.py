"""The `zhengce` command line (`../shared/CONTRACT.md`)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pipeline.devices import Device
from pipeline.document import PolicyDocument, read_result
from pipeline.errors import InputError
from pipeline.ingest import MANIFEST, ManifestRecord, Task, discover, previous_producers, run_batch
from pipeline.measures_view import MEASURE_COLUMNS, measure_rows
from pipeline.review.importer import ExportFormat
from pipeline.run import Extractor, Pipeline, PipelineOptions, Precision

if TYPE_CHECKING:
    from pipeline.review.reviewed import ReviewedForTraining

_err = Console(stderr=True)


def _error(message: str) -> None:
    """One unwrapped line on stderr, so scripts and users can grep it."""
    click.echo(click.style("error: ", fg="red") + message, err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zhengce")
def main() -> None:
    """Chinese policy documents into structured, verifiable policy terms."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def model_options(command: Callable[..., None]) -> Callable[..., None]:
    """--extractor, --precision and --device: how `ingest` and `serve` run the model."""
    options = [
        click.option(
            "--extractor",
            type=click.Choice(["auto", "model", "patterns"]),
            default="auto",
            show_default=True,
            help="auto: the shipped model if present, else the pattern extractor.",
        ),
        click.option(
            "--precision",
            type=click.Choice(["int8", "fp32"]),
            default="int8",
            show_default=True,
            help="Model encoder: int8 (faster on CPU) or fp32 (the same result whatever it is batched "
            "with, which `zhengce serve --batching` needs).",
        ),
        click.option(
            "--device",
            type=click.Choice(["cpu", "cuda"]),
            default="cpu",
            show_default=True,
            help="Where the model runs; cuda falls back to CPU with a warning when CUDA is missing.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


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
@model_options
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="local: worker processes on this machine; ray: a Ray actor pool (--jobs actors).",
)
@click.option("--address", help="Ray cluster address (--engine ray); default: start Ray on this machine.")
def ingest(
    paths: tuple[Path, ...],
    out_dir: Path | None,
    jobs: int,
    force: bool,
    verbose: bool,
    extractor: Extractor,
    precision: Precision,
    device: Device,
    engine: str,
    address: str | None,
) -> None:
    """Extract policy terms from files and folders (.pdf .docx .txt, scans .png .jpg .tif by OCR) into JSON.

    One file and no -o: the document JSON on stdout. With -o: OUTDIR/<input name>.json per input
    and OUTDIR/manifest.jsonl. Exit 0 when every input succeeded, 1 when any failed.
    """
    from pipeline.devices import cpu_threads
    from pipeline.errors import ConfigError

    options = PipelineOptions(extractor=extractor, precision=precision, device=device)
    try:
        cpu_threads()  # a bad ZHENGCE_THREADS stops the command before any input is read
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(2)
    if address is not None and engine != "ray":
        raise click.UsageError("--address needs --engine ray")
    if out_dir is None:
        if len(paths) != 1 or paths[0].is_dir():
            raise click.UsageError("several inputs or a folder need -o OUTDIR")
        if engine == "ray":
            raise click.UsageError("--engine ray needs -o OUTDIR")
        try:
            doc = Pipeline.from_options(options).process_path(paths[0])
        except InputError as exc:
            _error(str(exc))
            sys.exit(1)
        click.echo(doc.model_dump_json(indent=2))
        return

    found = discover(list(paths), out_dir)
    written_by = previous_producers(out_dir)
    tasks = [
        Task(file, output, written_by.get(str(output)))
        for file, rel in found
        for output in [out_dir / f"{rel}.json"]
    ]
    failed = 0
    results = None
    if engine == "ray":
        from pipeline.ray_engine import ray_results

        results = ray_results(
            tasks, address=address, actors=jobs, options=options, force=force, verbose=verbose
        )

    def report(record: ManifestRecord) -> None:
        nonlocal failed
        if record.status != "ok":
            failed += 1
            _error(str(record.error))

    batch = partial(
        run_batch, tasks, out_dir, jobs=jobs, force=force, verbose=verbose, options=options, results=results
    )
    if sys.stderr.isatty():
        columns = (TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=_err, transient=True) as progress:
            bar = progress.add_task("ingest", total=len(tasks))

            def advance(record: ManifestRecord) -> None:
                report(record)
                progress.advance(bar)

            batch(on_done=advance)
    else:
        batch(on_done=report)
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


def measures_table(doc: PolicyDocument) -> Table:
    """A readable table of a document's measures: one row per benefit."""
    title = doc.metadata.title or doc.source.name
    table = Table(title=f"{title} — {len(doc.measures)} measures", show_lines=True)
    for column in MEASURE_COLUMNS:
        table.add_column(column, overflow="fold")
    for row in measure_rows(doc):
        table.add_row(*row)
    return table


@main.command("train")
@click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus"), show_default=True
)
@click.option("--base", type=click.Path(file_okay=False, path_type=Path), help="Hugging Face encoder folder.")
@click.option("--layers", type=int, help="Keep only the first N encoder layers.")
@click.option("--scratch", is_flag=True, help="Train a small encoder from random initialisation.")
@click.option(
    "--teacher",
    type=click.Path(file_okay=False, path_type=Path),
    help="Model folder to distil from: a training output, or a shipped folder (its ONNX encoder).",
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
@click.option(
    "--reviewed",
    type=click.Path(exists=True, path_type=Path),
    multiple=True,
    help="Reviewed records (`zhengce labels import` output: folder or JSONL) added to training; repeatable.",
)
@click.option(
    "--reviewed-weight",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Times each reviewed paragraph is trained on per epoch.",
)
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
    reviewed: tuple[Path, ...],
    reviewed_weight: int,
    out: Path,
) -> None:
    """Train the NER + relation model on the corpus train split (tuned on dev) and export ONNX.

    Reviewed records join the training data; a reviewed paragraph that is also in dev or test is left out.
    The deployment (the model alone, or with the pattern extractor for some labels) is then chosen on
    dev and written into the model's config.json.
    """
    try:
        from pipeline.model.train import TrainOptions, train
    except ImportError as exc:
        raise click.ClickException(
            f"training needs the train extra: pip install -e '.[train]' ({exc})"
        ) from exc
    from pipeline.corpus.build import build, load_split

    build(corpus)
    logging.getLogger("pipeline.model").setLevel(logging.INFO)  # a line per epoch
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
        reviewed_weight=reviewed_weight,
    )
    train_records, dev_records = load_split(corpus, "train"), load_split(corpus, "dev")
    added = _reviewed_for_training(corpus, reviewed)
    summary = train(options, train_records, dev_records, out, reviewed=added.records if added else ())
    if added is not None:
        summary["reviewed"] = added.as_dict()
    from pipeline.atomic import write_atomic
    from pipeline.model import deployment

    summary["deployment"] = deployment.deploy(out, dev_records).as_dict()
    write_atomic(out / "train_summary.json", json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    click.echo(json.dumps(summary, indent=2, ensure_ascii=False))


def _reviewed_for_training(corpus: Path, reviewed: tuple[Path, ...]) -> ReviewedForTraining | None:
    """The reviewed records that may join training (none that are in dev or test); exits with a
    clear error for an unreadable export."""
    if not reviewed:
        return None
    from pipeline.corpus.build import load_split
    from pipeline.review.reviewed import for_training, load_reviewed

    try:
        held_out = [*load_split(corpus, "dev"), *load_split(corpus, "test")]
        return for_training(load_reviewed(reviewed), held_out=held_out)
    except InputError as exc:
        _error(str(exc))
        sys.exit(1)


@main.command("train-gate")
@click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus"), show_default=True
)
@click.option(
    "--reviewed",
    type=click.Path(exists=True, path_type=Path),
    multiple=True,
    help="Reviewed records (folder or JSONL) added to the train split; repeatable.",
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option(
    "-o",
    "--output",
    "out",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Model folder to write gate.npz into.",
)
def train_gate_command(corpus: Path, reviewed: tuple[Path, ...], seed: int, out: Path) -> None:
    """Fit a model folder's paragraph gate alone (zhengce train fits it with the model).

    The gate lets the encoder skip paragraphs that hold no policy term; its threshold is set by
    document-wise cross-validation on the train split. Needs numpy only, no torch.
    """
    from pipeline.corpus.build import build, load_split
    from pipeline.model.gate import GATE_FILE, fit_gate

    build(corpus)
    added = _reviewed_for_training(corpus, reviewed)
    fit = fit_gate([*load_split(corpus, "train"), *(added.records if added else ())], seed=seed)
    fit.gate.save(out / GATE_FILE)
    click.echo(json.dumps(fit.as_dict(), indent=2))


@main.group("evaluate", invoke_without_command=True)
@click.option(
    "--corpus", type=click.Path(file_okay=False, path_type=Path), default=Path("corpus"), show_default=True
)
@click.option("--split", type=click.Choice(["train", "dev", "test"]), default="test", show_default=True)
@click.option("--model", "model_dir", type=click.Path(file_okay=False, path_type=Path), help="Model folder.")
@click.option("--patterns", is_flag=True, help="Evaluate the pattern extractor instead of a model.")
@click.option(
    "--no-gate",
    is_flag=True,
    help="Have the encoder read every paragraph, also those the model's paragraph gate skips.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--records",
    type=click.Path(exists=True, path_type=Path),
    multiple=True,
    help="Evaluate on reviewed records (folder or JSONL) instead of a corpus split; repeatable.",
)
@click.pass_context
def evaluate_command(
    ctx: click.Context,
    corpus: Path,
    split: str,
    model_dir: Path | None,
    patterns: bool,
    no_gate: bool,
    as_json: bool,
    records: tuple[Path, ...],
) -> None:
    """Entity P/R/F1 per label, relation F1 and measure exact match on a corpus split or reviewed records.

    `zhengce evaluate ocr` measures the OCR path instead (see its --help).
    """
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.corpus.build import build, load_split
    from pipeline.evaluation import evaluate
    from pipeline.run import extractor_stage

    if records:
        from pipeline.review.reviewed import load_reviewed

        try:
            gold = load_reviewed(records)
        except InputError as exc:
            _error(str(exc))
            sys.exit(1)
        evaluated_on = ", ".join(str(path) for path in records)
    else:
        build(corpus)
        gold = load_split(corpus, split)
        evaluated_on = split
    stage = extractor_stage("patterns" if patterns else "model", model_dir, paragraph_gate=not no_gate)
    report = evaluate(stage, gold)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    extractor = "patterns" if patterns else model_dir
    table = Table(title=f"{extractor} on {evaluated_on} ({report.documents} documents)")
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


@evaluate_command.command("ocr")
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("corpus"),
    show_default=True,
    help="Corpus whose notices/*.txt fill the pages.",
)
@click.option("--pages", "count", type=click.IntRange(1, 10_000), default=30, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True, help="Page generator seed.")
@click.option(
    "--page",
    "only",
    type=click.IntRange(0),
    multiple=True,
    help="Read only this page of the seed's sequence (its index, as in synthetic-SEED-INDEX); repeatable.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate_ocr_command(corpus: Path, count: int, seed: int, only: tuple[int, ...], as_json: bool) -> None:
    """Character error rate and reading-order edit distance on generated scanned newspaper pages.

    Pages (2, 3 and 4 columns, headlines across columns, boxes, photos, skew, blur, noise, JPEG)
    are generated from the corpus notices with their ground truth, read by OCR, layout and text
    repair, and scored: CER with character width folded (NFKC) and raw, and OmniDocBench's
    reading-order edit distance. Needs Debian's fonts-noto-cjk.
    """
    from pipeline.errors import ConfigError
    from pipeline.ocr.evaluate import PageScore, evaluate_pages, generated_pages
    from pipeline.ocr.page import PageReader

    def progress(score: PageScore) -> None:
        order = "-" if score.order_edit is None else f"{score.order_edit:.3f}"
        click.echo(f"{score.name}: CER {score.cer:.4f}, order edit {order}, {score.seconds:.1f} s", err=True)

    try:
        pages = generated_pages(corpus, seed=seed, count=count, only=set(only) or None)
        report = evaluate_pages(pages, PageReader(), on_page=progress)
    except (ConfigError, FileNotFoundError) as exc:
        _error(str(exc))
        sys.exit(1)
    summary = report.as_dict() | {"seed": seed}
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"OCR on {summary['pages']} generated pages (seed {seed})")
    for column in ("measure", "value"):
        table.add_column(column)
    for key in ("characters", "cer", "cer_raw", "order_edit", "max_page_cer", "max_page_order_edit"):
        table.add_row(key, str(summary[key]))
    table.add_row("seconds per page", str(summary["seconds_per_page"]))
    Console(width=max(100, Console().width)).print(table)


# ---------------------------------------------------------------- rules engine (issue 5)


def _read_result(path: Path) -> PolicyDocument:
    """A `zhengce ingest` result, or exit 1 with the file and the field that is wrong."""
    try:
        return read_result(path)
    except InputError as exc:
        _error(str(exc))
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


# ---------------------------------------------------------------- batch inference service (issue 6)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("zhengce-service"),
    show_default=True,
    help="Jobs database and stored uploads; a restart on the same folder resumes unfinished jobs.",
)
@click.option(
    "--token",
    envvar="ZHENGCE_SERVICE_TOKEN",
    help="Bearer token required on /v1 and /metrics [env: ZHENGCE_SERVICE_TOKEN].",
)
@model_options
@click.option(
    "--batching/--no-batching",
    default=False,
    show_default=True,
    help="Dynamic batching across requests (for GPUs; needs --precision fp32).",
)
@click.option(
    "--max-batch-size", default=64, show_default=True, type=click.IntRange(1), help="Rows per model run."
)
@click.option(
    "--max-wait-ms", default=5.0, show_default=True, type=click.FloatRange(0), help="Wait to fill a batch."
)
@click.option("--workers", type=click.IntRange(1), help="Reader processes [default: CPU count].")
@click.option(
    "--concurrency", default=32, show_default=True, type=click.IntRange(1), help="Documents at once."
)
@click.option("--queue-size", default=1000, show_default=True, type=click.IntRange(1), help="Beyond it: 429.")
@click.option("--max-upload-mb", default=50.0, show_default=True, type=click.FloatRange(0, min_open=True))
@click.option(
    "--max-pages", default=300, show_default=True, type=click.IntRange(1), help="Pages per document."
)
@click.option("--request-timeout", default=60.0, show_default=True, type=click.FloatRange(0, min_open=True))
def serve_command(
    host: str,
    port: int,
    data_dir: Path,
    token: str | None,
    extractor: Extractor,
    precision: Precision,
    device: Device,
    batching: bool,
    max_batch_size: int,
    max_wait_ms: float,
    workers: int | None,
    concurrency: int,
    queue_size: int,
    max_upload_mb: float,
    max_pages: int,
    request_timeout: float,
) -> None:
    """The batch inference service: /v1/extract, /v1/jobs, /v1/match, /metrics; docs at /docs."""
    try:
        import uvicorn

        from pipeline.service.app import create_app
    except ImportError as exc:
        raise click.ClickException(
            f"the service needs the serve extra: pip install -e '.[serve]' ({exc})"
        ) from exc
    from pipeline.service.settings import ServiceSettings

    logging.getLogger("pipeline").setLevel(logging.INFO)
    if host not in ("127.0.0.1", "localhost", "::1") and not token:
        _error(f"binding {host} without --token: anyone who reaches this address can use the service")
    settings = ServiceSettings(
        host=host,
        port=port,
        data_dir=data_dir,
        token=token or None,
        extractor=extractor,
        precision=precision,
        device=device,
        batching=batching,
        max_batch_size=max_batch_size,
        max_wait_ms=max_wait_ms,
        concurrency=concurrency,
        queue_size=queue_size,
        max_upload_bytes=int(max_upload_mb * 1024 * 1024),
        max_pages=max_pages,
        request_timeout_s=request_timeout,
        **({"workers": workers} if workers else {}),
    )
    from pipeline.errors import ConfigError

    try:
        app = create_app(settings)
        uvicorn.run(app, host=host, port=port, log_level="info", timeout_graceful_shutdown=10)
    except ConfigError as exc:
        _error(str(exc))
        sys.exit(2)


# ---------------------------------------------------------------- review loop (issue 7)


@main.group("labels")
def labels_group() -> None:
    """The review loop: extractions out to Label Studio or doccano, reviews back as corpus records."""


@labels_group.command("config")
def labels_config_command() -> None:
    """Print the Label Studio labeling config (Settings → Labeling Interface → Code)."""
    from pipeline.review.config import labeling_config

    click.echo(labeling_config(), nl=False)


@labels_group.command("export")
@click.argument(
    "results", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tasks file: a JSON list (label-studio) or JSONL (doccano).",
)
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["label-studio", "doccano"]),
    default="label-studio",
    show_default=True,
)
@click.option(
    "--html",
    "html_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write review pages here.",
)
@click.option("--model-version", help="Recorded with every prediction (default: zhengce and its version).")
def labels_export_command(
    results: tuple[Path, ...], out: Path, export_format: str, html_dir: Path | None, model_version: str | None
) -> None:
    """Write ingested RESULTS as review tasks, the extraction as each task's prediction.

    --html DIR adds one page per document, DIR/<document id>.html: the text with the entities
    highlighted beside the measures. A bad result is reported (one line each) and nothing is
    written; exit 1 then.
    """
    from importlib.metadata import version

    from pipeline.atomic import write_atomic
    from pipeline.review.export import doccano_line, document_key, label_studio_task

    documents = []
    for path in results:
        try:
            documents.append(read_result(path))
        except InputError as exc:
            _error(str(exc))
    if len(documents) != len(results):
        _error(f"{len(results) - len(documents)} of {len(results)} results are bad; nothing written")
        sys.exit(1)
    if html_dir is not None:
        try:
            from pipeline.review.html import review_page
        except ImportError as exc:
            raise click.ClickException(
                f"review pages need the review extra: pip install -e '.[review]' ({exc})"
            ) from exc
        for doc in documents:
            key = document_key(doc)
            write_atomic(html_dir / f"{key}.html", review_page(doc, doc_id=key))
    if export_format == "doccano":
        lines = [json.dumps(doccano_line(doc), ensure_ascii=False) + "\n" for doc in documents]
        write_atomic(out, "".join(lines))
    else:
        model_version = model_version or f"zhengce {version('zhengce')}"
        tasks = [label_studio_task(doc, model_version=model_version) for doc in documents]
        write_atomic(out, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
    click.echo(f"{len(documents)} tasks written to {out}", err=True)


@labels_group.command("import")
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "export_format",
    type=click.Choice(["auto", "label-studio", "doccano"]),
    default="auto",
    show_default=True,
)
@click.option("--skip-invalid", is_flag=True, help="Write the valid tasks even when some are bad.")
def labels_import_command(
    export: Path, out_dir: Path, export_format: ExportFormat, skip_invalid: bool
) -> None:
    """Read a Label Studio JSON export (not JSON_MIN, which drops relations) or doccano JSONL.

    Writes OUT/<export name>.jsonl, one corpus record per paragraph with its provenance, and, when
    reviewers of the same text disagree, OUT/<export name>.conflicts.json instead of records for
    that text. Every bad task is reported on its own line and then nothing is written, unless
    --skip-invalid. Exit 1 on any bad task or conflict.
    """
    from pipeline.review.importer import read_export, write_import

    report = read_export(export, export_format=export_format)
    for message in report.errors:
        _error(message)
    for conflict in report.conflicts:
        _error(f"{export}: {conflict.message()}")
    if not report.readable or (report.errors and not skip_invalid):
        _error(f"{export}: nothing written (see the errors above)")
        sys.exit(1)
    records_path, conflicts_path = write_import(report, export, out_dir)
    click.echo(
        f"{report.documents} documents ({len(report.records)} paragraphs) from {report.reviews} reviews, "
        f"{report.duplicates} duplicates dropped, {report.unreviewed} tasks not reviewed: {records_path}"
        + (f"; conflicts: {conflicts_path}" if conflicts_path else ""),
        err=True,
    )
    sys.exit(1 if report.errors or report.conflicts else 0)
