"""A tiny training run: train, export and ONNX inference agree, and inference needs no torch."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.corpus import CorpusRecord, Span, SpanRelation
from pipeline.document import PolicyDocument, Source
from pipeline.model.features import SPECIALS, pattern_hints

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
ort = pytest.importorskip("onnxruntime")

from pipeline.model.train import (  # noqa: E402
    Example,
    TaggerWithRelations,
    TrainOptions,
    joined_paragraphs,
    length_grouped_batches,
    load_vocab,
    train,
)

TEXT = "对上一年度营业收入超过500万元的企业，按照营业收入的1%给予奖励，最高不超过200万元。"


def _record(n: int) -> CorpusRecord:
    def span(key: str, text: str, label: str) -> Span:
        start = TEXT.index(text)
        return Span(id=key, start=start, end=start + len(text), label=label, text=text)

    spans = [
        span("m", "上一年度营业收入", "METRIC"),
        span("t", "超过500万元", "THRESHOLD"),
        span("r", "1%", "RATE"),
        span("k", "奖励", "BENEFIT_KIND"),
        span("c", "200万元", "CAP"),
    ]
    relations = [
        SpanRelation(from_id="m", to_id="t", label="HAS_THRESHOLD"),
        SpanRelation(from_id="k", to_id="r", label="HAS_RATE"),
        SpanRelation(from_id="k", to_id="c", label="HAS_CAP"),
        SpanRelation(from_id="k", to_id="m", label="REQUIRES"),
    ]
    return CorpusRecord(id=f"d{n}#1", doc=f"d{n}", text=TEXT, spans=spans, relations=relations)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("base")
    chars = sorted(set(TEXT + "测试文本"))
    (base / "vocab.txt").write_text("\n".join([*SPECIALS, *chars]) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("model")
    options = TrainOptions(
        base=base, scratch=True, scratch_hidden=32, scratch_layers=1, epochs=2, batch_size=4, max_length=64
    )
    train(options, [_record(n) for n in range(8)], [_record(9)], out)
    return out


def test_training_writes_a_paragraph_gate_the_extractor_loads(trained: Path) -> None:
    from pipeline.model.extractor import ModelExtractor
    from pipeline.model.gate import GATE_FILE

    assert (trained / GATE_FILE).exists()
    gate = ModelExtractor(trained).gate
    assert gate is not None and gate.keeps(TEXT)


def test_training_export_matches_torch(trained: Path) -> None:
    options = TrainOptions.model_validate_json((trained / "train_options.json").read_text(encoding="utf-8"))
    from pipeline.model.train import _encoder  # the same construction the trainer used

    model = TaggerWithRelations(*_encoder(options))
    model.load_state_dict(torch.load(trained / "torch_weights.pt", weights_only=True))
    model.eval()
    vocab = load_vocab(trained)
    ids = np.array([[vocab.cls, *vocab.encode(TEXT), vocab.sep]], dtype=np.int64)
    mask = np.ones_like(ids)
    hints = np.array([[0, *pattern_hints(TEXT).tags, 0]], dtype=np.int64)
    assert hints.any(), "the pattern extractor finds entities in TEXT"
    with torch.no_grad():
        logits, states = model(torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(hints))
    expected = torch.softmax(logits, dim=-1).numpy()
    feeds = {"input_ids": ids, "attention_mask": mask, "hint_ids": hints}
    fp32 = ort.InferenceSession(str(trained / "encoder.fp32.onnx"))
    probs, onnx_states = fp32.run(None, feeds)
    np.testing.assert_allclose(probs, expected, atol=1e-4)
    np.testing.assert_allclose(onnx_states, states.numpy(), atol=1e-3)
    int8 = ort.InferenceSession(str(trained / "encoder.onnx"))
    int8_probs, _ = int8.run(None, feeds)
    # int8 weights move probabilities a little; a barely trained model's near-ties may flip, so the
    # check is on the probabilities themselves.
    assert np.abs(int8_probs - expected).mean() < 0.01
    assert np.abs(int8_probs - expected).max() < 0.15


def test_export_keeps_residual_adds_apart_from_their_layer_norms(trained: Path) -> None:
    """onnxruntime's CPU SkipLayerNormalization kernel is slower than Add + LayerNormalization, so
    neither the export nor the sessions of `open_encoder` fuse them; results stay those of the
    default session."""
    import onnx

    from pipeline.model.extractor import open_encoder

    for name in ("encoder.fp32.onnx", "encoder.onnx"):
        ops = {node.op_type for node in onnx.load(str(trained / name)).graph.node}
        assert "LayerNormalization" in ops and "SkipLayerNormalization" not in ops, name
    vocab = load_vocab(trained)
    ids = np.array([[vocab.cls, *vocab.encode(TEXT), vocab.sep]], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "hint_ids": np.zeros_like(ids)}
    fused, _ = ort.InferenceSession(str(trained / "encoder.onnx")).run(None, feeds)
    unfused, _ = open_encoder(trained / "encoder.onnx", 1, ["CPUExecutionProvider"]).run(None, feeds)
    np.testing.assert_allclose(unfused, fused, atol=1e-3)


def test_training_onnx_respects_padding(trained: Path) -> None:
    vocab = load_vocab(trained)
    short = [vocab.cls, *vocab.encode(TEXT[:12]), vocab.sep]
    long = [vocab.cls, *vocab.encode(TEXT), vocab.sep]
    padded = np.array([short + [vocab.pad] * (len(long) - len(short)), long], dtype=np.int64)
    session = ort.InferenceSession(str(trained / "encoder.fp32.onnx"))
    alone, _ = session.run(
        None,
        {
            "input_ids": np.array([short]),
            "attention_mask": np.ones((1, len(short)), np.int64),
            "hint_ids": np.zeros((1, len(short)), np.int64),
        },
    )
    batched, _ = session.run(
        None,
        {
            "input_ids": padded,
            "attention_mask": (padded != vocab.pad).astype(np.int64),
            "hint_ids": np.zeros_like(padded),
        },
    )
    np.testing.assert_allclose(batched[0, : len(short)], alone[0], atol=1e-4)


def test_training_model_extractor_is_deterministic(trained: Path) -> None:
    from pipeline.model.extractor import ModelExtractor

    extractor = ModelExtractor(trained)
    source = Source(name="a.txt", sha256="0" * 64, media_type="text/plain")
    first = extractor(PolicyDocument(source=source, text=TEXT + "\n" + TEXT * 12))
    second = extractor(PolicyDocument(source=source, text=TEXT + "\n" + TEXT * 12))
    assert first.entities == second.entities and first.relations == second.relations


def test_training_model_loads_without_torch(trained: Path) -> None:
    script = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from pathlib import Path\n"
        "from pipeline.document import PolicyDocument, Source\n"
        "from pipeline.model.extractor import ModelExtractor\n"
        f"doc = PolicyDocument(source=Source(name='a', sha256='0' * 64, media_type='text/plain'), text={TEXT!r})\n"
        f"ModelExtractor(Path({str(trained)!r}))(doc)\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_a_model_folder_without_torch_weights_teaches_through_its_onnx_encoder(
    trained: Path, tmp_path: Path
) -> None:
    """A shipped model keeps no torch weights: its ONNX encoder's probabilities, softened, are the
    distribution the torch weights give (exactly in fp32, closely in int8), and a student trains."""
    import shutil

    from pipeline.model.features import CharVocab
    from pipeline.model.train import _OnnxTeacher, _TorchTeacher, build_examples

    vocab = CharVocab.load(trained / "char_vocab.json")
    options = TrainOptions.model_validate_json((trained / "train_options.json").read_text(encoding="utf-8"))
    examples = build_examples([_record(0), _record(1)], vocab, 64, hints=options.pattern_hints)
    expected = _TorchTeacher(trained, batch_size=4).soft_tags(examples, vocab, temperature=2.0)
    fp32 = _OnnxTeacher(trained).soft_tags(examples, vocab, temperature=2.0)
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    for name in ("encoder.onnx", "relation.onnx", "char_vocab.json", "config.json"):
        shutil.copy(trained / name, shipped / name)
    int8 = _OnnxTeacher(shipped).soft_tags(examples, vocab, temperature=2.0)
    for want, got, near in zip(expected, fp32, int8, strict=True):
        assert torch.allclose(got, want, atol=1e-4)
        assert torch.allclose(near, want, atol=0.05)
        assert torch.allclose(near.sum(dim=-1), torch.ones(len(near)))

    student = options.model_copy(update={"teacher": shipped, "epochs": 1, "max_steps": 1})
    train(student, [_record(n) for n in range(4)], [_record(9)], tmp_path / "student")
    assert (tmp_path / "student" / "encoder.onnx").exists()


def test_reviewed_paragraphs_are_trained_on_reviewed_weight_times(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    chars = sorted(set(TEXT))
    (base / "vocab.txt").write_text("\n".join([*SPECIALS, *chars]) + "\n", encoding="utf-8")
    options = TrainOptions(
        base=base,
        scratch=True,
        scratch_hidden=16,
        scratch_layers=1,
        epochs=1,
        max_steps=1,
        max_length=64,
        augment=False,
        joined_paragraphs=False,
        reviewed_weight=3,
    )
    reviewed = [_record(n) for n in (20, 21)]
    summary = train(options, [_record(n) for n in range(4)], [_record(9)], tmp_path / "m", reviewed=reviewed)
    assert summary["train_windows"] == 4 + 2 * 3  # one window per paragraph


def test_joined_paragraphs_run_a_notice_together_keeping_spans_and_relations() -> None:
    records = [_record(n).model_copy(update={"id": f"d#{n}", "doc": "d"}) for n in range(5)]
    joined = joined_paragraphs(records, seed=3)
    assert sum(len(r.text) for r in joined) <= 5 * len(TEXT) and all(
        len(r.text) >= 2 * len(TEXT) for r in joined
    )
    for record in joined:
        assert record.doc == "d~j"
        assert [s.text for s in record.spans] == [s.text for s in records[0].spans] * (
            len(record.text) // len(TEXT)
        )
        assert len(record.relations) == len(records[0].relations) * (len(record.text) // len(TEXT))


def test_length_grouped_batches_take_every_window_once_with_little_padding() -> None:
    rng = np.random.default_rng(0)
    lengths = [int(n) for n in rng.integers(2, 190, size=4000)]
    examples = [Example(ids=[1] * n, tags=[], hints=[], spans=[], pairs=[], pair_hints=[]) for n in lengths]
    batches = list(length_grouped_batches(examples, 16, torch.Generator().manual_seed(1)))
    assert sorted(id(e) for b in batches for e in b) == sorted(id(e) for e in examples)
    padded = sum(16 * max(len(e.ids) for e in b) for b in batches)
    assert sum(lengths) / padded > 0.9  # random batches of 16 fill about half
    again = list(length_grouped_batches(examples, 16, torch.Generator().manual_seed(1)))
    assert [[id(e) for e in b] for b in again] == [[id(e) for e in b] for b in batches]
    longest = [max(len(e.ids) for e in b) for b in batches]
    falling = sum(a >= b for a, b in itertools.pairwise(longest)) / (len(longest) - 1)
    assert falling < 0.75  # not longest-to-shortest inside each mega-batch, so no epoch ends on the shortest


def test_train_command_exports_and_chooses_the_deployment_on_dev(tmp_path: Path) -> None:
    """`zhengce train` end to end on the corpus, one step: export, then the deployment chosen on dev."""
    import json

    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.corpus.build import load_split

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    chars = sorted({ch for r in load_split(corpus, "dev") for ch in r.text})
    base = tmp_path / "base"
    base.mkdir()
    (base / "vocab.txt").write_text("\n".join([*SPECIALS, *chars]) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    args = ["train", "--corpus", str(corpus), "--base", str(base), "--scratch", "--max-steps", "1"]
    result = CliRunner().invoke(main, [*args, "--epochs", "1", "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "train_summary.json").read_text(encoding="utf-8"))
    chosen = summary["deployment"]["chosen"]
    assert json.loads((out / "config.json").read_text(encoding="utf-8")).get("ensemble") == chosen["ensemble"]
    assert 0 <= chosen["dev_measure_f1"] <= 1 and len(summary["deployment"]["tried"]) > 14
    gate = summary["paragraph_gate"]
    assert (out / "gate.npz").exists() and gate["held_out_lost"] <= 0.001 * gate["held_out_entities"]
