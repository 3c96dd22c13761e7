"""Fine-tune an encoder for entity tagging plus a relation head, and export it to ONNX (int8).

Needs the `train` extra (torch, transformers); inference (`pipeline.model.extractor`) needs neither.

    model = (encoder) → per-character tag logits                 entities, BIO over EntityLabel
                      → span vectors (mean of hidden states) ──► relation MLP over candidate pairs

Starts from any Hugging Face encoder folder whose vocabulary holds single characters (the e5-small
conversion in `models/base/`, bert-base-chinese, chinese-roberta-wwm-ext), from its first N layers
(`layers`), or from scratch (`scratch`); a teacher model folder turns on distillation of the tag
distribution. Training is reproducible for a given seed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field
from torch import nn
from torch.nn import functional as F
from transformers import AutoConfig, AutoModel, BertConfig, BertModel, PretrainedConfig
from transformers.trainer_pt_utils import get_length_grouped_indices

from pipeline.corpus import CorpusRecord, documents
from pipeline.errors import ConfigError
from pipeline.labels import EntityLabel
from pipeline.model.features import (
    ENTITY_LABELS,
    N_DISTANCE_BUCKETS,
    N_PATTERN_RELATIONS,
    NO_RELATION,
    RELATION_LABELS,
    TAGS,
    CharVocab,
    PatternHints,
    bio_tags,
    candidate_pairs,
    distance_bucket,
    pattern_hints,
    windows,
)
from pipeline.model.gate import GATE_FILE, fit_gate
from pipeline.model.quantise import quantise_encoder

_log = logging.getLogger(__name__)
LABEL_EMBEDDING = 32


class TrainOptions(BaseModel):
    """How a model is trained; saved beside it as `train_options.json`."""

    model_config = ConfigDict(extra="forbid")

    base: Path | None = Field(description="Hugging Face encoder folder; None with `scratch`")
    layers: int | None = Field(default=None, description="keep only the first N encoder layers")
    scratch: bool = Field(default=False, description="random initialisation of a small encoder")
    scratch_hidden: int = 256
    scratch_layers: int = 4
    teacher: Path | None = Field(default=None, description="a trained model folder to distil from")
    epochs: int = 6
    batch_size: int = 16
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    max_length: int = 192
    seed: int = 13
    max_steps: int | None = Field(default=None, description="stop early, for smoke tests")
    augment: bool = Field(
        default=True, description="add full-width and OCR-punctuation copies of the training data"
    )
    joined_paragraphs: bool = Field(
        default=True,
        description="add copies of the training notices with every two or three consecutive paragraphs "
        "run together, as in text whose paragraph breaks were lost",
    )
    distill_temperature: float = 2.0
    distill_weight: float = 0.5
    pattern_hints: bool = Field(
        default=True, description="feed the pattern extractor's entities and relations as input features"
    )
    reviewed_weight: int = Field(
        default=3,
        ge=1,
        description="times each reviewed paragraph is trained on per epoch: reviewers correct what the "
        "deployed model got wrong, the cases training must not drown in the corpus",
    )


@dataclass
class Example:
    """One window of one paragraph, with its gold annotation."""

    ids: list[int]
    tags: list[int]
    hints: list[int]  # the pattern extractor's tag per character
    spans: list[tuple[int, int, EntityLabel]]  # offsets in the window, without [CLS]
    pairs: list[tuple[int, int, int]]  # head span index, tail span index, relation class
    pair_hints: list[int]  # the patterns' relation class of each pair
    soft_tags: torch.Tensor | None = (
        None  # a teacher's tag distribution (characters x tags), for distillation
    )


# Length-preserving rewrites that scans and web pages produce, so offsets stay true:
# full-width digits and percent signs (３０％), half-width punctuation from OCR (，→, ：→:).
_FULL_WIDTH = str.maketrans("0123456789%.", "０１２３４５６７８９％．")
_OCR_PUNCTUATION = str.maketrans("，：；（）", ",:;()")


def augmented(records: Sequence[CorpusRecord], seed: int) -> list[CorpusRecord]:
    """One rewritten copy of every record that has digits: full-width digits or OCR punctuation."""
    rng = random.Random(seed)
    out = []
    for r in records:
        if any(ch.isdigit() for ch in r.text):
            table = _FULL_WIDTH if rng.random() < 0.5 else _OCR_PUNCTUATION
            text = r.text.translate(table)
            spans = [s.model_copy(update={"text": text[s.start : s.end]}) for s in r.spans]
            update = {"id": r.id + "~", "doc": r.doc + "~", "text": text, "spans": spans}
            out.append(r.model_copy(update=update))
    return out


def joined_paragraphs(records: Sequence[CorpusRecord], seed: int) -> list[CorpusRecord]:
    """Every notice again with each run of two or three consecutive paragraphs joined into one.

    Scanned columns and web pages lose paragraph breaks, so at inference a measure can sit in a long
    paragraph after unrelated sentences; trained on one paragraph per window only, the model
    learned to expect a measure near a window's start and missed such ones.
    """
    rng = random.Random(seed)
    out = []
    for doc, doc_records in documents(records):
        start = 0
        while start < len(doc_records):
            run = doc_records[start : start + rng.choice((2, 3))]
            start += len(run)
            if len(run) < 2:
                continue
            text, spans, relations = "", [], []
            for n, r in enumerate(run):
                at = len(text)
                spans += [
                    s.model_copy(update={"id": f"{n}.{s.id}", "start": s.start + at, "end": s.end + at})
                    for s in r.spans
                ]
                relations += [
                    x.model_copy(update={"from_id": f"{n}.{x.from_id}", "to_id": f"{n}.{x.to_id}"})
                    for x in r.relations
                ]
                text += r.text
            out.append(
                CorpusRecord(
                    id=f"{run[0].id}+{len(run)}", doc=doc + "~j", text=text, spans=spans, relations=relations
                )
            )
    return out


def record_hints(records: Sequence[CorpusRecord], enabled: bool) -> list[PatternHints]:
    """Each record's pattern hints, read with its whole document around it as at inference."""
    if not enabled:
        return [PatternHints.empty(len(r.text)) for r in records]
    by_id: dict[str, PatternHints] = {}
    for _, doc_records in documents(records):
        hints = pattern_hints("\n".join(r.text for r in doc_records))
        offset = 0
        for r in doc_records:
            by_id[r.id] = hints.shifted(offset, offset + len(r.text))
            offset += len(r.text) + 1
    return [by_id[r.id] for r in records]


def build_examples(
    records: Sequence[CorpusRecord], vocab: CharVocab, max_length: int, *, hints: bool
) -> list[Example]:
    """Records into windows of at most `max_length` tokens ([CLS] + characters + [SEP])."""
    size = max_length - 2
    examples = []
    for record, record_hint in zip(records, record_hints(records, hints), strict=True):
        for w in windows(len(record.text), size=size, stride=size * 3 // 4):
            inside = [s for s in record.spans if w.start <= s.start and s.end <= w.end]
            spans = [(s.start - w.start, s.end - w.start, s.label) for s in inside]
            index = {s.id: i for i, s in enumerate(inside)}
            gold = {
                (index[r.from_id], index[r.to_id]): RELATION_LABELS.index(r.label)
                for r in record.relations
                if r.from_id in index and r.to_id in index
            }
            pairs = [(h, t, gold.get((h, t), NO_RELATION)) for h, t in candidate_pairs(spans)]
            window_hints = record_hint.shifted(w.start, w.end)
            pair_hints = [window_hints.pair(spans[h][:2], spans[t][:2]) for h, t, _ in pairs]
            text = record.text[w.start : w.end]
            examples.append(
                Example(
                    vocab.encode(text),
                    bio_tags(len(text), spans),
                    window_hints.tags,
                    spans,
                    pairs,
                    pair_hints,
                )
            )
    return examples


class TaggerWithRelations(nn.Module):
    """An encoder with a tag head and a relation head over pairs of spans; the pattern extractor's
    tags enter as an embedding added to the character embeddings (zero at the start, so training
    begins from the pre-trained encoder unchanged)."""

    def __init__(self, encoder: nn.Module, config: PretrainedConfig) -> None:
        super().__init__()
        hidden = int(config.hidden_size)
        self.encoder = encoder
        self.hidden = hidden
        self.heads = int(config.num_attention_heads)
        self.hint_embedding = nn.Embedding(len(TAGS), hidden)
        nn.init.zeros_(self.hint_embedding.weight)
        self.dropout = nn.Dropout(0.1)
        self.tagger = nn.Linear(hidden, len(TAGS))
        self.relations = RelationHead(hidden)

    def forward(
        self, ids: torch.Tensor, mask: torch.Tensor, hints: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        word_embeddings = cast(Callable[[], nn.Module], self.encoder.get_input_embeddings)()
        embedded = word_embeddings(ids) + self.hint_embedding(hints)
        hidden = self.encoder(inputs_embeds=embedded, attention_mask=mask).last_hidden_state
        return self.tagger(self.dropout(hidden)), hidden


class RelationHead(nn.Module):
    """Scores a (head span, tail span) pair: their vectors, product, labels, distance and the
    pattern extractor's relation between them."""

    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.labels = nn.Embedding(len(ENTITY_LABELS), LABEL_EMBEDDING)
        self.distance = nn.Embedding(N_DISTANCE_BUCKETS, LABEL_EMBEDDING)
        self.pattern = nn.Embedding(N_PATTERN_RELATIONS, LABEL_EMBEDDING)
        self.mlp = nn.Sequential(
            nn.Linear(3 * hidden + 4 * LABEL_EMBEDDING, 256),
            nn.GELU(),
            nn.Dropout(0.1),
            nn.Linear(256, len(RELATION_LABELS) + 1),
        )

    def forward(
        self,
        head: torch.Tensor,
        tail: torch.Tensor,
        distance: torch.Tensor,
        head_label: torch.Tensor,
        tail_label: torch.Tensor,
        pattern_relation: torch.Tensor,
    ) -> torch.Tensor:
        features = [head, tail, head * tail, self.labels(head_label), self.labels(tail_label)]
        features += [self.distance(distance), self.pattern(pattern_relation)]
        return self.mlp(torch.cat(features, dim=-1))


def _encoder(options: TrainOptions, attention: str = "eager") -> tuple[nn.Module, PretrainedConfig]:
    """The encoder `options` name, untrained past its base. Eager attention (the default) traces
    to ONNX with the padding mask intact; benchmarks of PyTorch itself take its faster `sdpa`."""
    if options.scratch:
        config = BertConfig(
            vocab_size=_vocab_size(options),
            hidden_size=options.scratch_hidden,
            num_hidden_layers=options.scratch_layers,
            num_attention_heads=max(1, options.scratch_hidden // 64),
            intermediate_size=4 * options.scratch_hidden,
            max_position_embeddings=512,
        )
        config._attn_implementation = attention
        return BertModel(config, add_pooling_layer=False), config
    assert options.base is not None
    config = AutoConfig.from_pretrained(options.base)
    if options.layers is not None:
        config.num_hidden_layers = options.layers
    encoder = AutoModel.from_pretrained(
        options.base, config=config, add_pooling_layer=False, attn_implementation=attention
    )
    return encoder, config


def _vocab_size(options: TrainOptions) -> int:
    assert options.base is not None, "scratch training still takes its vocabulary from `base`"
    return load_vocab(options.base).size


def load_vocab(folder: Path) -> CharVocab:
    """The character vocabulary of a base encoder or of an exported model."""
    if (folder / "char_vocab.json").exists():
        return CharVocab.load(folder / "char_vocab.json")
    return CharVocab.from_vocab_txt(folder / "vocab.txt")


def length_grouped_batches(
    examples: list[Example], size: int, generator: torch.Generator
) -> Iterator[list[Example]]:
    """Shuffled batches of windows of similar length.

    Windows run from a few characters to `max_length`; a batch is padded to its longest, so random
    batches spent about half of every step on padding. transformers' length grouping (shuffle, then
    sort within mega-batches of 50 batches) keeps the randomness and drops the padding. Its batches
    run longest to shortest inside each mega-batch, so an epoch would end on the shortest, mostly
    empty windows; the batches are shuffled again as wholes.
    """
    order = get_length_grouped_indices([len(e.ids) for e in examples], size, generator=generator)
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    for b in torch.randperm(len(batches), generator=generator).tolist():
        yield [examples[j] for j in batches[b]]


def _collate(batch: list[Example], vocab: CharVocab) -> dict[str, torch.Tensor]:
    width = max(len(e.ids) for e in batch) + 2
    ids = torch.full((len(batch), width), vocab.pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    tags = torch.full((len(batch), width), -100, dtype=torch.long)
    hints = torch.zeros((len(batch), width), dtype=torch.long)
    for i, e in enumerate(batch):
        n = len(e.ids)
        ids[i, : n + 2] = torch.tensor([vocab.cls, *e.ids, vocab.sep])
        mask[i, : n + 2] = 1
        tags[i, 1 : n + 1] = torch.tensor(e.tags)
        hints[i, 1 : n + 1] = torch.tensor(e.hints)
    return {"ids": ids, "mask": mask, "tags": tags, "hints": hints}


def _span_vectors(hidden: torch.Tensor, row: int, spans: list[tuple[int, int, EntityLabel]]) -> torch.Tensor:
    """Mean hidden state of each span (offset by one for [CLS])."""
    return torch.stack([hidden[row, s + 1 : e + 1].mean(dim=0) for s, e, _ in spans])


def pair_inputs(
    spans: list[tuple[int, int, EntityLabel]], pairs: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance buckets and entity label ids of candidate pairs (shared with inference)."""
    distance = np.array([distance_bucket(spans[h][:2], spans[t][:2]) for h, t in pairs], dtype=np.int64)
    head_label = np.array([ENTITY_LABELS.index(spans[h][2]) for h, _ in pairs], dtype=np.int64)
    tail_label = np.array([ENTITY_LABELS.index(spans[t][2]) for _, t in pairs], dtype=np.int64)
    return distance, head_label, tail_label


def _relation_loss(model: TaggerWithRelations, hidden: torch.Tensor, batch: list[Example]) -> torch.Tensor:
    heads, tails, dists, hls, tls, patterns, gold = [], [], [], [], [], [], []
    for row, e in enumerate(batch):
        if not e.pairs:
            continue
        vectors = _span_vectors(hidden, row, e.spans)
        index_pairs = [(h, t) for h, t, _ in e.pairs]
        d, hl, tl = pair_inputs(e.spans, index_pairs)
        heads.append(vectors[[h for h, _ in index_pairs]])
        tails.append(vectors[[t for _, t in index_pairs]])
        dists.append(torch.from_numpy(d))
        hls.append(torch.from_numpy(hl))
        tls.append(torch.from_numpy(tl))
        patterns.append(torch.tensor(e.pair_hints, dtype=torch.long))
        gold.append(torch.tensor([c for _, _, c in e.pairs]))
    if not gold:
        return hidden.new_zeros(())
    logits = model.relations(
        torch.cat(heads),
        torch.cat(tails),
        torch.cat(dists),
        torch.cat(hls),
        torch.cat(tls),
        torch.cat(patterns),
    )
    return F.cross_entropy(logits, torch.cat(gold))


def train(
    options: TrainOptions,
    train_records: Sequence[CorpusRecord],
    dev_records: Sequence[CorpusRecord],
    out: Path,
    *,
    reviewed: Sequence[CorpusRecord] = (),
) -> dict[str, Any]:
    """Train on `train_records` and `reviewed` (weighted by `options.reviewed_weight`), keep the
    epoch with the best dev tag loss, export to `out` with a paragraph gate fitted on the same
    records; returns a summary."""
    random.seed(options.seed)
    np.random.seed(options.seed)
    torch.manual_seed(options.seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.set_num_threads(os.cpu_count() or 1)
    base_folder = options.base
    assert base_folder is not None
    vocab = load_vocab(base_folder)
    encoder, hidden = _encoder(options)
    model = TaggerWithRelations(encoder, hidden)
    records = [*train_records, *(list(reviewed) * options.reviewed_weight)]
    extra = augmented(records, options.seed) if options.augment else []
    if options.joined_paragraphs:
        extra += joined_paragraphs(train_records, options.seed)
    hints = options.pattern_hints
    train_examples = build_examples([*records, *extra], vocab, options.max_length, hints=hints)
    if options.teacher:
        teacher = _load_teacher(options.teacher, vocab, options.batch_size)
        if teacher.uses_hints and not hints:
            raise ConfigError(
                f"teacher {options.teacher} reads pattern hints: train the student with them too"
            )
        _attach_teacher_tags(teacher, train_examples, vocab, options)
    dev_examples = build_examples(dev_records, vocab, options.max_length, hints=hints)
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    encoder_lr = options.head_learning_rate if options.scratch else options.learning_rate
    groups: list[dict[str, Any]] = [
        {"params": list(model.encoder.parameters()), "lr": encoder_lr},
        {"params": head_params},
    ]
    optimizer = torch.optim.AdamW(
        groups,
        lr=options.head_learning_rate,
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(train_examples) / options.batch_size)
    total = options.max_steps or steps_per_epoch * options.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / (0.06 * total + 1)) * max(0.0, 1 - s / total)
    )
    generator = torch.Generator().manual_seed(options.seed)
    best: tuple[float, dict[str, torch.Tensor]] | None = None
    history = []
    step = 0
    started = time.perf_counter()
    for epoch in range(options.epochs):
        model.train()
        for batch in length_grouped_batches(train_examples, options.batch_size, generator):
            tensors = _collate(batch, vocab)
            logits, hidden_states = model(tensors["ids"], tensors["mask"], tensors["hints"])
            loss = F.cross_entropy(
                logits.reshape(-1, len(TAGS)), tensors["tags"].reshape(-1), ignore_index=-100
            )
            if options.teacher:
                loss = loss + options.distill_weight * _distillation(batch, logits, options)
            loss = loss + _relation_loss(model, hidden_states, batch)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            step += 1
            if step % 100 == 0:
                elapsed = time.perf_counter() - started
                _log.info("step %d of %d, %.1f s a step", step, total, elapsed / step)
            if options.max_steps and step >= options.max_steps:
                break
        dev_loss = evaluate_loss(model, dev_examples, vocab, options.batch_size)
        history.append({"epoch": epoch + 1, "dev_loss": dev_loss, "seconds": time.perf_counter() - started})
        _log.info("epoch %d dev loss %.4f", epoch + 1, dev_loss)
        if best is None or dev_loss < best[0]:
            best = (dev_loss, {k: v.detach().clone() for k, v in model.state_dict().items()})
        if options.max_steps and step >= options.max_steps:
            break
    assert best is not None
    model.load_state_dict(best[1])
    model.eval()
    export(model, vocab, out, max_length=options.max_length, pattern_hints=options.pattern_hints)
    (out / "train_options.json").write_text(options.model_dump_json(indent=2), encoding="utf-8")
    gate = fit_gate([*train_records, *reviewed], seed=options.seed)
    gate.gate.save(out / GATE_FILE)
    summary = {
        "train_windows": len(train_examples),
        "dev_windows": len(dev_examples),
        "history": history,
        "best_dev_loss": best[0],
        "parameters": sum(p.numel() for p in model.parameters()),
        "paragraph_gate": gate.as_dict(),
    }
    (out / "train_summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


@torch.no_grad()
def evaluate_loss(
    model: TaggerWithRelations, examples: list[Example], vocab: CharVocab, batch_size: int
) -> float:
    """Mean tag + relation loss on held-out examples (lower is better), for model selection."""
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(examples), batch_size):
        batch = examples[i : i + batch_size]
        tensors = _collate(batch, vocab)
        logits, hidden = model(tensors["ids"], tensors["mask"], tensors["hints"])
        loss = F.cross_entropy(logits.reshape(-1, len(TAGS)), tensors["tags"].reshape(-1), ignore_index=-100)
        total += float(loss + _relation_loss(model, hidden, batch)) * len(batch)
        count += len(batch)
    model.train()
    return total / max(count, 1)


class _TorchTeacher:
    """A training output's tag distribution, computed with the torch weights it was exported from."""

    def __init__(self, folder: Path, batch_size: int) -> None:
        options = TrainOptions.model_validate_json(
            (folder / "train_options.json").read_text(encoding="utf-8")
        )
        self.model = TaggerWithRelations(*_encoder(options)).eval()
        self.model.load_state_dict(torch.load(folder / "torch_weights.pt", weights_only=True))
        self.uses_hints = options.pattern_hints
        self.batch_size = batch_size

    @torch.no_grad()
    def soft_tags(self, examples: list[Example], vocab: CharVocab, temperature: float) -> list[torch.Tensor]:
        out = []
        for i in range(0, len(examples), self.batch_size):
            batch = examples[i : i + self.batch_size]
            tensors = _collate(batch, vocab)
            hints = tensors["hints"] if self.uses_hints else torch.zeros_like(tensors["hints"])
            logits = self.model(tensors["ids"], tensors["mask"], hints)[0]
            probs = F.softmax(logits / temperature, dim=-1)
            out += [probs[row, 1 : len(e.ids) + 1].clone() for row, e in enumerate(batch)]
        return out


class _OnnxTeacher:
    """A model folder's tag distribution from its ONNX encoder, so a shipped model, which keeps no
    torch weights, can teach: the encoder gives tag probabilities p = softmax(logits), and
    softmax(logits / T) is p ** (1 / T) renormalised. Windows are read one per call, as the
    extractor reads them, in parallel on every CPU."""

    def __init__(self, folder: Path) -> None:
        from pipeline.devices import cpu_threads
        from pipeline.model.extractor import open_encoder

        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        if config["tags"] != list(TAGS):
            raise ConfigError(f"teacher {folder} was trained with other tags")
        self.uses_hints = bool(config.get("pattern_hints", False))
        fp32 = folder / "encoder.fp32.onnx"
        encoder = fp32 if fp32.exists() else folder / "encoder.onnx"
        self.session = open_encoder(encoder, 1, ["CPUExecutionProvider"])
        self.threads = cpu_threads()

    def soft_tags(self, examples: list[Example], vocab: CharVocab, temperature: float) -> list[torch.Tensor]:
        from concurrent.futures import ThreadPoolExecutor

        def read(e: Example) -> torch.Tensor:
            n = len(e.ids)
            feeds = {
                "input_ids": np.array([[vocab.cls, *e.ids, vocab.sep]], dtype=np.int64),
                "attention_mask": np.ones((1, n + 2), dtype=np.int64),
                "hint_ids": np.array([[0, *(e.hints if self.uses_hints else [0] * n), 0]], dtype=np.int64),
            }
            probs = self.session.run(["tag_probs"], feeds)[0][0, 1 : n + 1].astype(np.float64)
            softened = np.maximum(probs, 1e-12) ** (1 / temperature)
            return torch.from_numpy(softened / softened.sum(axis=-1, keepdims=True)).float()

        with ThreadPoolExecutor(self.threads) as pool:
            return list(pool.map(read, examples))


def _load_teacher(folder: Path, vocab: CharVocab, batch_size: int) -> _TorchTeacher | _OnnxTeacher:
    """The torch weights of a training output when it has them, else its ONNX encoder."""
    teacher_vocab = CharVocab.load(folder / "char_vocab.json")
    if (teacher_vocab.chars, teacher_vocab.specials) != (vocab.chars, vocab.specials):
        raise ConfigError(
            f"teacher {folder} reads another character vocabulary than the base; it cannot teach"
        )
    if (folder / "torch_weights.pt").exists():
        return _TorchTeacher(folder, batch_size)
    return _OnnxTeacher(folder)


def _attach_teacher_tags(
    teacher: _TorchTeacher | _OnnxTeacher, examples: list[Example], vocab: CharVocab, options: TrainOptions
) -> None:
    """The teacher reads every training window once; its softened tag distribution is kept."""
    for e, soft in zip(
        examples, teacher.soft_tags(examples, vocab, options.distill_temperature), strict=True
    ):
        e.soft_tags = soft


def _distillation(batch: list[Example], logits: torch.Tensor, options: TrainOptions) -> torch.Tensor:
    t = options.distill_temperature
    student = torch.cat(
        [F.log_softmax(logits[row, 1 : len(e.ids) + 1] / t, dim=-1) for row, e in enumerate(batch)]
    )
    target = torch.cat([e.soft_tags for e in batch if e.soft_tags is not None])
    return F.kl_div(student, target, reduction="batchmean") * t * t


class _EncoderExport(nn.Module):
    def __init__(self, model: TaggerWithRelations) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, hint_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits, hidden = self.model(input_ids, attention_mask, hint_ids)
        return torch.softmax(logits, dim=-1), hidden


def export(
    model: TaggerWithRelations, vocab: CharVocab, out: Path, *, max_length: int, pattern_hints: bool
) -> None:
    """Write `encoder.onnx` (tag probabilities and hidden states), its int8 quantisation,
    `relation.onnx`, the vocabulary and the model config; keep the torch weights for distillation."""
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    # A padded row in the example batch, so the traced graph keeps the attention mask.
    sample = [vocab.cls, *vocab.encode("对营业收入超过500万元的企业给予奖励"), vocab.sep]
    ids = torch.tensor([sample, sample[:8] + [vocab.pad] * (len(sample) - 8)])
    mask = (ids != vocab.pad).long()
    hints = torch.zeros_like(ids)
    hints[0, 4:9] = torch.tensor([TAGS.index("B-THRESHOLD"), *[TAGS.index("I-THRESHOLD")] * 4])
    with _legacy_onnx_exporter():
        _export_encoder(model, (ids, mask, hints), out)
    # onnxruntime's transformer optimizer fuses attention, LayerNorm and GELU before quantisation;
    # residual Adds stay apart from their LayerNorm, which is faster on CPU (`open_encoder`).
    fp32 = out / "encoder.fp32.onnx"
    fusion = FusionOptions("bert")
    fusion.enable_skip_layer_norm = False
    fused = optimize_model(
        str(fp32),
        model_type="bert",
        num_heads=model.heads,
        hidden_size=model.hidden,
        optimization_options=fusion,
    )
    fused.save_model_to_file(str(fp32))
    quantise_encoder(fp32, out / "encoder.onnx")
    n = 3
    example = (
        torch.randn(n, model.hidden),
        torch.randn(n, model.hidden),
        torch.zeros(n, dtype=torch.long),
        torch.zeros(n, dtype=torch.long),
        torch.ones(n, dtype=torch.long),
        torch.zeros(n, dtype=torch.long),
    )
    names = ["head", "tail", "distance", "head_label", "tail_label", "pattern_relation"]
    with _legacy_onnx_exporter():
        torch.onnx.export(
            _RelationExport(model.relations),
            example,
            str(out / "relation.onnx"),
            input_names=names,
            output_names=["relation_probs"],
            dynamic_axes={name: {0: "pairs"} for name in [*names, "relation_probs"]},
            opset_version=17,
            dynamo=False,
        )
    vocab.save(out / "char_vocab.json")
    config = {
        "tags": list(TAGS),
        "relations": [r.value for r in RELATION_LABELS],
        "entity_labels": [e.value for e in ENTITY_LABELS],
        "max_length": max_length,
        "hidden": model.hidden,
        "pattern_hints": pattern_hints,
    }
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    torch.save(model.state_dict(), out / "torch_weights.pt")


@contextmanager
def _legacy_onnx_exporter() -> Iterator[None]:
    """The TorchScript exporter handles these encoders' dynamic batch and length axes without
    onnxscript; torch marks it and its internals deprecated, so their warnings are silenced while
    it runs and nowhere else."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module=r"torch\.onnx")
        yield


def _export_encoder(
    model: TaggerWithRelations, inputs: tuple[torch.Tensor, torch.Tensor, torch.Tensor], out: Path
) -> None:
    names = ("input_ids", "attention_mask", "hint_ids")
    axes = {name: {0: "batch", 1: "length"} for name in (*names, "tag_probs", "hidden")}
    torch.onnx.export(
        _EncoderExport(model),
        inputs,
        str(out / "encoder.fp32.onnx"),
        input_names=list(names),
        output_names=["tag_probs", "hidden"],
        dynamic_axes=axes,
        opset_version=17,
        dynamo=False,
    )


class _RelationExport(nn.Module):
    def __init__(self, head: RelationHead) -> None:
        super().__init__()
        self.head = head

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.head(*inputs), dim=-1)
