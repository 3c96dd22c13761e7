"""The paragraph gate: which paragraphs the encoder need not read.

About two paragraphs in five of a notice hold no policy term at all: the addressees, the purpose
(`为推动……，现将有关事项通知如下`), procedure, contacts, dates. Reading them is two fifths of the
encoder's time. The gate scores each sentence with a linear model over hashed character 1- to
3-grams; a paragraph is skipped when no sentence reaches the threshold and the pattern extractor
finds nothing in it either (the union keeps a paragraph either of them would keep).

The threshold is chosen when the gate is fitted, by document-wise cross-validation on the train
split: the highest at which the held-out folds lose at most `MAX_LOST_SHARE` of their entities.

Written here rather than taken from a library: spaCy's bag-of-n-grams text classifier
(`TextCatBOW`) is the same model, but importing spaCy takes longer than a whole ingest; this is a
dot product over a weight vector, fitted in numpy in seconds.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.corpus import CorpusRecord, documents
from pipeline.model.features import PatternHints, pattern_hints

GATE_FILE = "gate.npz"
NGRAM_SIZES = (1, 2, 3)
BUCKETS = 1 << 18
# The held-out folds may lose at most one entity in 5,000 to skipped paragraphs.
MAX_LOST_SHARE = 0.0002
FOLDS = 5
# Full-batch Adam: a few dozen steps fit the weights; more only memorise rare n-grams.
STEPS = 30
LEARNING_RATE = 0.05
L2 = 1e-6

_SENTENCE_END = re.compile(r"[。！？；!?;]")


def sentences(text: str) -> Iterator[tuple[int, int]]:
    """Offsets of the sentences (and clauses after `；`) of one paragraph."""
    start = 0
    for m in _SENTENCE_END.finditer(text):
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def ngram_ids(text: str) -> np.ndarray:
    """The distinct hashed n-grams of `text` (CRC-32 of their UTF-8 bytes: the same on every machine)."""
    ids = {
        zlib.crc32(text[i : i + n].encode()) % BUCKETS for n in NGRAM_SIZES for i in range(len(text) - n + 1)
    }
    return np.fromiter(sorted(ids), dtype=np.int64, count=len(ids))


@dataclass(frozen=True)
class ParagraphGate:
    weights: np.ndarray  # float32 [BUCKETS]
    bias: float
    threshold: float

    def score(self, sentence: str) -> float:
        return float(self.weights[ngram_ids(sentence)].sum() + self.bias)

    def keeps(self, paragraph: str) -> bool:
        """Whether some sentence of `paragraph` may hold a policy term."""
        return any(self.score(paragraph[a:b]) >= self.threshold for a, b in sentences(paragraph))

    @classmethod
    def load(cls, path: Path) -> ParagraphGate:
        with np.load(path, allow_pickle=False) as data:
            if data["weights"].shape != (BUCKETS,) or tuple(data["ngram_sizes"]) != NGRAM_SIZES:
                raise ValueError(f"{path}: gate of another feature layout; refit it (`zhengce train-gate`)")
            return cls(data["weights"].astype(np.float32), float(data["bias"]), float(data["threshold"]))

    def save(self, path: Path) -> None:
        """Written beside and renamed into place, so a reader never sees half a gate."""
        tmp = path.with_name(f".{path.name}.tmp.npz")
        np.savez_compressed(
            tmp,
            weights=self.weights.astype(np.float32),
            bias=np.float32(self.bias),
            threshold=np.float32(self.threshold),
            ngram_sizes=np.array(NGRAM_SIZES),
        )
        tmp.replace(path)


def paragraphs_to_read(
    text: str, hints: PatternHints, gate: ParagraphGate | None
) -> Iterator[tuple[int, str, bool]]:
    """Each paragraph (line) of `text` with its offset and whether the encoder reads it: it is not
    blank, and the patterns find something in it or the gate keeps it (no gate: every paragraph)."""
    pos = 0
    for paragraph in text.split("\n"):
        read = bool(paragraph.strip()) and (
            gate is None or hints.finds_any(pos, pos + len(paragraph)) or gate.keeps(paragraph)
        )
        yield pos, paragraph, read
        pos += len(paragraph) + 1


@dataclass(frozen=True)
class GateFit:
    gate: ParagraphGate
    paragraphs: int
    held_out_entities: int
    held_out_lost: int  # entities of held-out paragraphs the gate and the patterns both skip
    held_out_skipped_chars: float  # share of the held-out characters skipped

    def as_dict(self) -> dict[str, float | int]:
        return {
            "paragraphs": self.paragraphs,
            "threshold": round(self.gate.threshold, 4),
            "held_out_entities": self.held_out_entities,
            "held_out_lost": self.held_out_lost,
            "held_out_skipped_chars": round(self.held_out_skipped_chars, 4),
        }


@dataclass
class _Paragraph:
    text: str
    doc: str
    entities: int
    hinted: bool  # the pattern extractor finds an entity in it
    sentences: list[tuple[np.ndarray, bool]]  # n-gram ids, holds (part of) an entity


def fit_gate(records: Sequence[CorpusRecord], seed: int = 13) -> GateFit:
    """Fit the gate on annotated paragraphs; the threshold from document-wise cross-validation.
    With fewer than two documents nothing can be held out, and the gate keeps every paragraph."""
    paragraphs = _paragraphs(records)
    docs = sorted({p.doc for p in paragraphs})
    folds = min(FOLDS, len(docs))
    if folds < 2:
        keep_all = ParagraphGate(np.zeros(BUCKETS, dtype=np.float32), 0.0, float("-inf"))
        return GateFit(keep_all, len(paragraphs), sum(p.entities for p in paragraphs), 0, 0.0)
    np.random.default_rng(seed).shuffle(docs)
    fold_of = {d: k % folds for k, d in enumerate(docs)}
    held_out = np.zeros(len(paragraphs))
    for fold in range(folds):
        inside = [p for p in paragraphs if fold_of[p.doc] != fold]
        weights, bias = _fit([s for p in inside for s in p.sentences])
        for k, p in enumerate(paragraphs):
            if fold_of[p.doc] == fold:  # the sentences' n-grams are hashed once, so scored here
                held_out[k] = max((weights[ids].sum() + bias for ids, _ in p.sentences), default=-np.inf)
    threshold = _threshold(paragraphs, held_out)
    skipped = [p for p, s in zip(paragraphs, held_out, strict=True) if s < threshold and not p.hinted]
    weights, bias = _fit([s for p in paragraphs for s in p.sentences])
    return GateFit(
        gate=ParagraphGate(weights, bias, threshold),
        paragraphs=len(paragraphs),
        held_out_entities=sum(p.entities for p in paragraphs),
        held_out_lost=sum(p.entities for p in skipped),
        held_out_skipped_chars=sum(len(p.text) for p in skipped)
        / max(1, sum(len(p.text) for p in paragraphs)),
    )


def _paragraphs(records: Sequence[CorpusRecord]) -> list[_Paragraph]:
    out = []
    for doc, rs in documents(records):
        hints = pattern_hints("\n".join(r.text for r in rs))
        pos = 0
        for r in rs:
            if r.text.strip():
                parts = [
                    (ngram_ids(r.text[a:b]), any(s.start < b and s.end > a for s in r.spans))
                    for a, b in sentences(r.text)
                ]
                hinted = hints.finds_any(pos, pos + len(r.text))
                out.append(_Paragraph(r.text, doc, len(r.spans), hinted, parts))
            pos += len(r.text) + 1
    return out


def _threshold(paragraphs: list[_Paragraph], held_out: np.ndarray) -> float:
    """The highest threshold whose skipped held-out paragraphs hold at most the allowed entities."""
    budget = MAX_LOST_SHARE * sum(p.entities for p in paragraphs)
    scored = [(s, p) for p, s in zip(paragraphs, held_out, strict=True) if p.entities]
    if not scored:
        return float("-inf")  # nothing to learn from: keep every paragraph
    lost = 0
    for score, p in sorted(scored, key=lambda sp: sp[0]):
        lost += 0 if p.hinted else p.entities
        if lost > budget:
            return float(score)  # this paragraph is kept, and every one scoring higher
    # Every paragraph with entities is hinted (a tiny corpus): keep all that score like them.
    return float(min(s for s, _ in scored))


def _fit(sentences: Sequence[tuple[np.ndarray, bool]]) -> tuple[np.ndarray, float]:
    """Logistic regression by full-batch Adam: does a sentence hold (part of) an entity?"""
    rows = np.concatenate([np.full(len(ids), k) for k, (ids, _) in enumerate(sentences)])
    cols = np.concatenate([ids for ids, _ in sentences])
    y = np.array([float(label) for _, label in sentences])
    params = np.zeros(BUCKETS + 1)  # weights, then the bias
    m, v = np.zeros_like(params), np.zeros_like(params)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, STEPS + 1):
        z = np.bincount(rows, weights=params[cols], minlength=len(y)) + params[-1]
        residual = 1 / (1 + np.exp(-z)) - y  # d(mean log loss)/dz, times len(y)
        grad = np.empty_like(params)
        grad[:-1] = (
            np.bincount(cols, weights=residual[rows], minlength=BUCKETS) / len(y) + 2 * L2 * params[:-1]
        )
        grad[-1] = residual.mean()
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        params -= LEARNING_RATE * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + eps)
    return params[:-1].astype(np.float32), float(params[-1])
