"""The learned extractor: entities and relations from the ONNX model, onnxruntime only.

A pipeline stage like the pattern extractor, writing the same `entities` and `relations`, so the
assembler turns either into measures. Each paragraph is read in overlapping windows, so no entity is
cut; a document's windows run in batches of its own (sorted by length), so the same document always
gives the same result, whatever else is being processed at the same time.

On CPU the windows are read several at once, one per thread, each call single-threaded in
onnxruntime (which runs concurrent calls of one session in parallel): a window of at most 190
characters is too small a product to share well between cores: on 2 cores the 10-layer encoder
read 1.04 to 1.32 times (median 1.18) as many characters per second this way as with both cores
on each window, in eight runs (`bench/model_speed.py`). A window's result does not depend on the
thread that reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import pairwise
from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from pipeline.devices import cpu_threads
from pipeline.document import Entity, PolicyDocument, Relation
from pipeline.errors import ConfigError
from pipeline.labels import EntityLabel, RelationLabel, relation_allowed
from pipeline.model.features import (
    ENTITY_LABELS,
    NO_RELATION,
    RELATION_LABELS,
    TAGS,
    CharVocab,
    PatternHints,
    Window,
    candidate_pairs,
    decode_tags,
    distance_bucket,
    pattern_hints,
    windows,
)
from pipeline.model.gate import GATE_FILE, ParagraphGate, paragraphs_to_read
from pipeline.model.words import word_boundaries
from pipeline.normalize.cap_per import claimant_span
from pipeline.normalize.numbers import RANGE_WORDS, range_bounds, scan_numbers

RELATION_THRESHOLD = 0.5
# Relations whose tail has exactly one head (corpus/README.md): a rate, amount, per-unit amount or
# duration belongs to one benefit, a threshold to one metric, a unit to one per-unit amount, a
# cap's counting unit to one cap.
SINGLE_HEAD = frozenset(
    {
        RelationLabel.HAS_RATE,
        RelationLabel.HAS_AMOUNT,
        RelationLabel.HAS_UNIT_AMOUNT,
        RelationLabel.HAS_DURATION,
        RelationLabel.HAS_THRESHOLD,
        RelationLabel.PER_UNIT,
        RelationLabel.COUNTED_PER,
    }
)
_REQUIRED_FILES = ("encoder.onnx", "relation.onnx", "char_vocab.json", "config.json")


@dataclass
class _Span:
    start: int  # document offsets
    end: int
    label: EntityLabel
    score: float
    window: int  # the window whose hidden states represent it


@dataclass
class DocumentPrediction:
    spans: list[_Span]
    relations: list[tuple[int, int, RelationLabel, float]]


class Session(Protocol):
    """What the extractor needs of an encoder session: `onnxruntime.InferenceSession.run`. The
    service passes a dynamic batcher with the same method."""

    def run(self, output_names: list[str] | None, input_feed: dict[str, np.ndarray]) -> list[np.ndarray]: ...


def session_options(threads: int | None) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if threads:
        options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return options


def open_encoder(path: Path, threads: int | None, providers: list[str]) -> ort.InferenceSession:
    """An onnxruntime session of an exported encoder (`encoder.onnx` or `encoder.fp32.onnx`).

    On CPU, onnxruntime's own fusion of a residual Add and its LayerNormalization into one
    SkipLayerNormalization is turned off, and the export leaves them apart too
    (`pipeline.model.train.export`): its CPU kernel took 175 µs on a 67 × 384 window where
    LayerNormalization took 40 µs, and the 8-layer int8 encoder reads 1.16 times as many characters
    per second without it (`bench/skip_layer_norm.py`). GPUs keep the fused kernel.
    """
    on_cpu = providers[0] == "CPUExecutionProvider"
    return ort.InferenceSession(
        str(path),
        session_options(threads),
        providers=providers,
        disabled_optimizers=["SkipLayerNormFusion"] if on_cpu else [],
    )


class ModelExtractor:
    """Pipeline stage: the NER + relation model, writing `entities` and `relations`.

    Args:
        model_dir: a folder with `encoder.onnx`, `relation.onnx`, `char_vocab.json`, `config.json`.
        batch_size: windows per encoder call. 1 by default: with the dynamically quantised int8
            encoder (one activation scale per tensor) a window's result would otherwise depend on
            the windows batched with it, so the same paragraph could read differently in two
            documents; and on CPU it measured faster (no padding). The service's dynamic batcher
            gathers windows across requests for the fp32 encoder on GPUs.
        providers: onnxruntime execution providers, CPU by default.
        threads: how many encoder calls run at once, each on its own thread (None:
            `pipeline.devices.cpu_threads()`); the sessions made here are single-threaded.
        encoder_session: runs the encoder instead of a session of `encoder.onnx` made here; every
            input is int64 [batch, length] and pads with 0. It is called from `threads` threads at
            once: give it one intra-op thread on CPU, and `threads=1` where concurrent calls gain
            nothing (one GPU, or a batcher already fed by many documents).
        paragraph_gate: skip the paragraphs that the folder's `gate.npz` and the pattern extractor
            both find empty of policy terms (pipeline.model.gate); off, or without the file, the
            encoder reads every paragraph.
    """

    name = "model"

    def __init__(
        self,
        model_dir: Path,
        *,
        batch_size: int = 1,
        providers: list[str] | None = None,
        threads: int | None = None,
        encoder_session: Session | None = None,
        paragraph_gate: bool = True,
    ) -> None:
        missing = [f for f in _REQUIRED_FILES if not (model_dir / f).exists()]
        if missing:
            raise ConfigError(f"model folder {model_dir} lacks {', '.join(missing)}; run `zhengce train`")
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        if config["tags"] != list(TAGS) or config["relations"] != [r.value for r in RELATION_LABELS]:
            raise ConfigError(f"model in {model_dir} was trained with other labels; retrain it")
        self.vocab = CharVocab.load(model_dir / "char_vocab.json")
        self.size = int(config["max_length"]) - 2
        self.stride = self.size * 3 // 4
        self.batch_size = batch_size
        self.pattern_hints = bool(config.get("pattern_hints", False))
        gate_file = model_dir / GATE_FILE
        try:
            self.gate = ParagraphGate.load(gate_file) if paragraph_gate and gate_file.exists() else None
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"paragraph gate {gate_file}: {exc}") from exc
        self.threads = threads or cpu_threads()
        options = session_options(1)
        providers = providers or ["CPUExecutionProvider"]
        self.encoder: Session = encoder_session or open_encoder(model_dir / "encoder.onnx", 1, providers)
        self.relation = ort.InferenceSession(str(model_dir / "relation.onnx"), options, providers=providers)
        self._readers = ThreadPoolExecutor(self.threads, "encoder") if self.threads > 1 else None

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        (prediction,) = self.predict([doc])
        self.set_annotations([doc], [prediction])
        return doc

    def predict(self, docs: list[PolicyDocument]) -> list[DocumentPrediction]:
        """Run the model; writes nothing."""
        return [self._predict_one(doc.text) for doc in docs]

    def set_annotations(self, docs: list[PolicyDocument], predictions: list[DocumentPrediction]) -> None:
        """The only method that writes: entities sorted by offset, relations between them."""
        for doc, prediction in zip(docs, predictions, strict=True):
            order = sorted(
                range(len(prediction.spans)),
                key=lambda i: (prediction.spans[i].start, prediction.spans[i].end),
            )
            ids = {i: f"e{n + 1}" for n, i in enumerate(order)}
            doc.entities = [
                Entity(
                    id=ids[i],
                    label=s.label,
                    start=s.start,
                    end=s.end,
                    text=doc.text[s.start : s.end],
                    score=round(s.score, 4),
                )
                for i in order
                for s in [prediction.spans[i]]
            ]
            doc.relations = [
                Relation(head=ids[h], tail=ids[t], label=label, score=round(score, 4))
                for h, t, label, score in prediction.relations
            ]

    def _predict_one(self, text: str) -> DocumentPrediction:
        found = pattern_hints(text) if self.pattern_hints or self.gate else PatternHints.empty(len(text))
        hints = found if self.pattern_hints else PatternHints.empty(len(text))
        # Windows of every paragraph the encoder reads, with their document offsets.
        items: list[tuple[int, Window]] = []
        paragraphs_read: list[tuple[int, str]] = []
        for pos, paragraph, read in paragraphs_to_read(text, found, self.gate):
            if read:
                items += [(pos, w) for w in windows(len(paragraph), size=self.size, stride=self.stride)]
                paragraphs_read.append((pos, paragraph))
        # Longest first, so that the last windows to finish are short ones and no thread idles
        # long while another reads (the order changes no window's result).
        order = sorted(range(len(items)), key=lambda i: (items[i][1].start - items[i][1].end, i))
        chunks = [order[b : b + self.batch_size] for b in range(0, len(order), self.batch_size)]

        def encode(chunk: list[int]) -> list[np.ndarray]:
            bounds = [(p + w.start, p + w.end) for p, w in (items[i] for i in chunk)]
            feeds = self._encode([text[s:e] for s, e in bounds], [hints.tags[s:e] for s, e in bounds])
            return self.encoder.run(None, feeds)

        # The pool starts on every window at once; meanwhile this thread finds the word boundaries
        # of the paragraphs read (jieba never joins words across a line break), and it decodes each
        # window as its result comes back.
        outputs = self._readers.map(encode, chunks) if self._readers else map(encode, chunks)
        boundaries = np.ones(len(text) + 1, dtype=bool)
        for pos, paragraph in paragraphs_read:
            boundaries[pos : pos + len(paragraph) + 1] = word_boundaries(paragraph)
        hidden: list[np.ndarray] = [np.empty(0)] * len(items)
        window_spans: list[list[_Span]] = [[] for _ in items]
        for chunk, (tag_probs, states) in zip(chunks, outputs, strict=True):
            for row, i in enumerate(chunk):
                n = items[i][1].end - items[i][1].start
                hidden[i] = states[row, 1 : n + 1]
                window_spans[i] = self._window_spans(text, i, items[i], tag_probs[row, 1 : n + 1], boundaries)
        spans = [s for found_here in window_spans for s in found_here]
        spans = merged_neighbours(spans)
        conventions = (
            no_lone_characters,
            priorities_set_no_terms,
            priced_per_unit,
            floors_are_thresholds,
            listed_alike,
            bands_are_one_threshold,
        )
        for convention in conventions:
            spans = convention(spans, text)
        relations = listed_tiers(self._relations(spans, items, hidden, hints), spans, text)
        relations = ladder_thresholds(keys_in_order(relations, spans, text), spans, text)
        relations = new_measure_new_conditions(relations, spans, text)
        return one_cap_per_award(no_repeated_award_word(DocumentPrediction(spans, relations)))

    @staticmethod
    def _window_spans(
        text: str, index: int, item: tuple[int, Window], probs: np.ndarray, boundaries: np.ndarray
    ) -> list[_Span]:
        """The spans that window `index` keeps of those it reads, in document offsets."""
        p, w = item
        spans = []
        for s in decode_tags(probs, boundaries[p + w.start : p + w.end + 1]):
            if w.keep_start <= s.start + w.start < w.keep_end:
                start, end = trimmed(text, p + w.start + s.start, p + w.start + s.end)
                start, end = bracketed(text, start, end, p + w.start, p + w.end)
                if start == end:
                    continue
                label = s.label
                if label == EntityLabel.CAP_PER:
                    moved = claimant_span(text, start, end)
                    if moved[1] <= p + w.end:  # hidden states exist only inside the window
                        start, end = moved
                elif label == EntityLabel.DURATION and is_served_time(text, start, p + w.start):
                    label, start = EntityLabel.THRESHOLD, text.rindex("满", 0, start + 1)
                if start < end:
                    spans.append(_Span(start, end, label, s.score, index))
        return spans

    def _encode(self, texts: list[str], hint_tags: list[list[int]]) -> dict[str, np.ndarray]:
        width = max(len(t) for t in texts) + 2
        ids = np.full((len(texts), width), self.vocab.pad, dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        hints = np.zeros((len(texts), width), dtype=np.int64)
        for row, (t, tags) in enumerate(zip(texts, hint_tags, strict=True)):
            ids[row, : len(t) + 2] = [self.vocab.cls, *self.vocab.encode(t), self.vocab.sep]
            mask[row, : len(t) + 2] = 1
            hints[row, 1 : len(t) + 1] = tags
        return {"input_ids": ids, "attention_mask": mask, "hint_ids": hints}

    def _relations(
        self,
        spans: list[_Span],
        items: list[tuple[int, Window]],
        hidden: list[np.ndarray],
        hints: PatternHints,
    ) -> list[tuple[int, int, RelationLabel, float]]:
        """Score candidate pairs of spans that lie in one window."""
        by_window: dict[int, list[int]] = {}
        for k, s in enumerate(spans):
            by_window.setdefault(s.window, []).append(k)
        pairs: list[tuple[int, int]] = []
        vectors: dict[int, np.ndarray] = {}
        for window, members in by_window.items():
            p, w = items[window]
            states = hidden[window]
            for k in members:
                s = spans[k]
                vectors[k] = states[s.start - p - w.start : s.end - p - w.start].mean(axis=0)
        # Pairs inside one paragraph: candidates by label and distance.
        by_paragraph: dict[int, list[int]] = {}
        for k, s in enumerate(spans):
            by_paragraph.setdefault(items[s.window][0], []).append(k)
        for members in by_paragraph.values():
            local = [(spans[k].start, spans[k].end, spans[k].label) for k in members]
            pairs += [(members[h], members[t]) for h, t in candidate_pairs(local)]
        if not pairs:
            return []
        feeds = {
            "head": np.stack([vectors[h] for h, _ in pairs]).astype(np.float32),
            "tail": np.stack([vectors[t] for _, t in pairs]).astype(np.float32),
            "distance": np.array(
                [
                    distance_bucket((spans[h].start, spans[h].end), (spans[t].start, spans[t].end))
                    for h, t in pairs
                ],
                dtype=np.int64,
            ),
            "head_label": np.array([ENTITY_LABELS.index(spans[h].label) for h, _ in pairs], dtype=np.int64),
            "tail_label": np.array([ENTITY_LABELS.index(spans[t].label) for _, t in pairs], dtype=np.int64),
            "pattern_relation": np.array(
                [
                    hints.pair((spans[h].start, spans[h].end), (spans[t].start, spans[t].end))
                    for h, t in pairs
                ],
                dtype=np.int64,
            ),
        }
        (probs,) = self.relation.run(None, feeds)
        scores = dict(zip(pairs, probs, strict=True))
        found = []
        for (h, t), row in scores.items():
            best = int(row[:NO_RELATION].argmax())
            label = RELATION_LABELS[best]
            if row[best] >= RELATION_THRESHOLD and relation_allowed(spans[h].label, label, spans[t].label):
                found.append((h, t, label, float(row[best])))
        return paired_tiers(every_award_valued(surest_heads(found), scores, spans), spans)


def surest_heads(
    relations: list[tuple[int, int, RelationLabel, float]],
) -> list[tuple[int, int, RelationLabel, float]]:
    """Of several heads claiming one tail by a `SINGLE_HEAD` relation, the surest keeps it."""
    surest: dict[tuple[int, RelationLabel], float] = {}
    for _, tail, label, score in relations:
        if label in SINGLE_HEAD:
            surest[(tail, label)] = max(score, surest.get((tail, label), 0.0))
    return [r for r in relations if r[2] not in SINGLE_HEAD or r[3] == surest[(r[1], r[2])]]


# How the award of each kind of value holds it.
_VALUE_OF = {
    EntityLabel.AMOUNT: RelationLabel.HAS_AMOUNT,
    EntityLabel.RATE: RelationLabel.HAS_RATE,
    EntityLabel.UNIT_AMOUNT: RelationLabel.HAS_UNIT_AMOUNT,
}
# The least score at which an award with no value of its own takes one from another award.
VALUELESS_AWARD_THRESHOLD = 0.2


def every_award_valued(
    relations: list[tuple[int, int, RelationLabel, float]],
    scores: dict[tuple[int, int], np.ndarray],
    spans: list[_Span],
) -> list[tuple[int, int, RelationLabel, float]]:
    """An award (BENEFIT_KIND) is only marked where the text gives it a value (corpus/README.md,
    rule 10), so one left with none lost its value to a neighbour: `按每人每月1200元给予岗位补贴，并按
    社会保险费的100%给予社会保险补贴`, where the relation head gave both values to the first award.
    The valueless award takes, of the values held by an award with more than one, the one it scores
    highest for, if that score reaches `VALUELESS_AWARD_THRESHOLD`. Values move one at a time, and
    an award never gives up its last value."""
    held: dict[int, int] = {}  # value -> its award
    count: dict[int, int] = {}  # award -> how many values it holds
    for head, tail, label, _ in relations:
        if label in _VALUE_RELATIONS:
            count[head] = count.get(head, 0) + 1
            if label != RelationLabel.HAS_CAP:
                held[tail] = head
    moved: dict[int, tuple[int, float]] = {}  # value -> (new award, score)
    for award, span in enumerate(spans):
        if span.label != EntityLabel.BENEFIT_KIND or count.get(award):
            continue
        offers = [
            (float(row[RELATION_LABELS.index(_VALUE_OF[spans[value].label])]), value)
            for value, owner in held.items()
            if count[owner] > 1 and value not in moved
            for row in [scores.get((award, value))]
            if row is not None
        ]
        if offers:
            score, value = max(offers)
            if score >= VALUELESS_AWARD_THRESHOLD:
                count[held[value]] -= 1
                count[award] = 1
                moved[value] = (award, score)
    if not moved:
        return relations
    return [
        (moved[tail][0], tail, label, moved[tail][1])
        if tail in moved and label in _VALUE_OF.values()
        else (head, tail, label, score)
        for head, tail, label, score in relations
    ]


# Separators a span never starts or ends with (brackets stay: `达到500万元（含）`).
_SEPARATORS = frozenset("、，,。；;：:！!？? \u3000")


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without separators at its edges: the tagger sometimes runs a span on over the `、`
    that ends a listed condition (`[为企业提供融资担保、]且担保费率…`).

    >>> text = "对为企业提供融资担保、且担保费率不高于1%的"
    >>> text[slice(*trimmed(text, 1, 11))]
    '为企业提供融资担保'
    """
    while start < end and text[start] in _SEPARATORS:
        start += 1
    while end > start and text[end - 1] in _SEPARATORS:
        end -= 1
    return start, end


_BRACKETS = {"（": "）", "(": ")"}
_CLOSING = {v: k for k, v in _BRACKETS.items()}
# How far past a span's edge its bracket's partner may lie, for the span to take it in.
_BRACKET_REACH = 12


def bracketed(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """The span with its brackets balanced, as every one of the corpus's 39,790 train and dev spans
    is: a span that stops inside a bracket (`[能源利用效率（PUE]）`) takes in the closing bracket when
    it follows within its clause, else gives up the unclosed part; one that starts inside a bracket
    does the same at its start. `lo`, `hi`: the window the span's hidden states come from.

    >>> text = "项目能源利用效率（PUE）应低于1.3"
    >>> text[slice(*bracketed(text, 2, 12, 0, len(text)))]
    '能源利用效率（PUE）'
    >>> text = "能源利用效率（PUE，应低于1.3"
    >>> text[slice(*bracketed(text, 0, 10, 0, len(text)))]
    '能源利用效率'
    """
    opened: list[int] = []  # unclosed opening brackets inside the span
    closed: list[int] = []  # closing brackets inside the span whose opening one lies before it
    for i in range(start, end):
        if text[i] in _BRACKETS:
            opened.append(i)
        elif text[i] in _CLOSING:
            if opened and text[opened[-1]] == _CLOSING[text[i]]:
                opened.pop()
            else:
                closed.append(i)
    if opened:
        partner = _partner(text, opened[0], end, min(hi, end + _BRACKET_REACH), step=1)
        end = partner + 1 if partner is not None and len(opened) == 1 else opened[0]
    if closed:
        partner = _partner(text, closed[-1], start - 1, max(lo - 1, start - 1 - _BRACKET_REACH), step=-1)
        start = partner if partner is not None and len(closed) == 1 else closed[-1] + 1
    return trimmed(text, start, max(start, end))


def _partner(text: str, bracket: int, begin: int, stop: int, step: int) -> int | None:
    """The offset of `bracket`'s partner from `begin` towards `stop` (exclusive), or None when a
    separator or another bracket comes first."""
    want = _BRACKETS.get(text[bracket]) or _CLOSING[text[bracket]]
    for i in range(begin, stop, step):
        if text[i] == want:
            return i
        if text[i] in _SEPARATORS or text[i] in _BRACKETS or text[i] in _CLOSING:
            return None
    return None


def merged_neighbours(spans: list[_Span]) -> list[_Span]:
    """Two spans of one label that touch are one (`[年度][科技贷款新增额]` → `[年度科技贷款新增额]`):
    BIO decoding lets a B follow an I of its own label, but the corpus has one such pair in 7,000
    spans. Spans from different windows are left apart: each keeps its window's hidden states."""
    merged: list[_Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        last = merged[-1] if merged else None
        if last is not None and (last.end, last.label, last.window) == (s.start, s.label, s.window):
            merged[-1] = _Span(last.start, s.end, s.label, min(last.score, s.score), s.window)
        else:
            merged.append(s)
    return merged


def is_served_time(text: str, start: int, window_start: int) -> bool:
    """A time after 满 is one the claimant must already have served: a threshold, never how long the
    benefit runs (corpus/README.md, rule 17). The threshold takes its 满, which decides its `op`;
    only a 满 inside the window counts, where the span's hidden states are.

    >>> is_served_time("缴纳社会保险满6个月的", 7, 0), is_served_time("缴纳社会保险满6个月的", 6, 0)
    (True, True)
    >>> is_served_time("连续补贴3年", 4, 0), is_served_time("满6个月", 1, 1)
    (False, False)
    """
    return text[start] == "满" or (start > window_start and text[start - 1] == "满")


def priced_per_unit(spans: list[_Span], text: str) -> list[_Span]:
    """An amount right after the units it is counted in, in one clause, is a per-unit amount:
    `每[人]每[年]给予[1.2万元]`; so is a cap there when a total cap follows in the paragraph,
    `每个[物理机架]最高[1000元]，给予总额最高[300万元]` (corpus/README.md, rule 7). The corpus has
    nothing else there: 315 per-unit amounts, no amount and no cap, follow a unit in its clause. A
    lone cap is left alone: after a unit it is more often the tagger's misread counting unit
    (`每个[团队]最高50万元`) than a per-unit amount.

    >>> text = "每人每年给予1.2万元住房补贴"
    >>> spans = [_Span(1, 2, EntityLabel.UNIT, 0.9, 0), _Span(3, 4, EntityLabel.UNIT, 0.9, 0),
    ...          _Span(6, 11, EntityLabel.AMOUNT, 0.8, 0)]
    >>> [s.label.value for s in priced_per_unit(spans, text)]
    ['UNIT', 'UNIT', 'UNIT_AMOUNT']
    """
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    priced: list[_Span] = []
    for k, s in enumerate(ordered):
        last = priced[-1] if priced else None
        if last is None or last.label != EntityLabel.UNIT or _CLAUSE_BREAKS & set(text[last.end : s.start]):
            priced.append(s)
            continue
        cap_before_total = s.label == EntityLabel.CAP and any(
            c.label == EntityLabel.CAP and "\n" not in text[s.end : c.start] for c in ordered[k + 1 :]
        )
        if s.label == EntityLabel.AMOUNT or cap_before_total:
            s = replace(s, label=EntityLabel.UNIT_AMOUNT)
        priced.append(s)
    return priced


_CLAUSE_BREAKS = frozenset("，,；;。")
# Words that set a floor: an award is capped (不超过, 最高), never floored.
# Labels that name something in words: none of the corpus's train, dev and test spans of these is a
# single character.
_WORDED = frozenset({EntityLabel.BENEFICIARY, EntityLabel.METRIC, EntityLabel.CONDITION})


def no_lone_characters(spans: list[_Span], text: str) -> list[_Span]:
    """A claimant, metric or word-only condition of one character is no term: `对[新]引进的硕士研究生`.

    >>> spans = [_Span(1, 2, EntityLabel.CONDITION, 0.6, 0), _Span(5, 10, EntityLabel.BENEFICIARY, 0.9, 0)]
    >>> [s.label.value for s in no_lone_characters(spans, "对新引进的硕士研究生")]
    ['BENEFICIARY']
    """
    return [s for s in spans if s.end - s.start > 1 or s.label not in _WORDED]


# A clause that grants priority, not a value: `…的，优先予以支持`, `予以优先保障`.
_PRIORITY = re.compile(
    r"优先(?:予以|给予)?(?:支持|推荐|安排|考虑|保障|扶持|纳入)|予以优先(?:支持|推荐|安排|考虑|保障|扶持)"
)


def priorities_set_no_terms(spans: list[_Span], text: str) -> list[_Span]:
    """What a clause asks for only to grant priority is no eligibility condition (README rule 10:
    support without a stated value gets no spans): `平台连接设备数量不少于1万台（套）的，优先予以支持`
    after an award must not make the award require it. In a clause (to 。 or ；) with a priority phrase
    and no award or value, the spans before the phrase go, exclusions apart. Of the 68 such clauses
    in train, dev and test, none has a gold span before its priority phrase.

    >>> text = "给予10万元补助。服务企业不少于100家的，优先予以支持。"
    >>> spans = [_Span(2, 6, EntityLabel.AMOUNT, 0.9, 0), _Span(6, 8, EntityLabel.BENEFIT_KIND, 0.9, 0),
    ...          _Span(9, 13, EntityLabel.METRIC, 0.8, 0), _Span(13, 19, EntityLabel.THRESHOLD, 0.9, 0)]
    >>> [s.label.value for s in priorities_set_no_terms(spans, text)]
    ['AMOUNT', 'BENEFIT_KIND']
    """
    dropped: set[int] = set()
    for found in _PRIORITY.finditer(text):
        start, end = _bounds(text, found.start(), _SENTENCE_MARKS)
        inside = [i for i, s in enumerate(spans) if start <= s.start < end]
        if any(spans[i].label in TIER_VALUES or spans[i].label == EntityLabel.BENEFIT_KIND for i in inside):
            continue
        dropped.update(
            i for i in inside if spans[i].start < found.start() and spans[i].label != EntityLabel.EXCLUSION
        )
    return [s for i, s in enumerate(spans) if i not in dropped]


_FLOOR = re.compile(r"不低于|不少于|(?<!不)高于|(?<!不)超过|达到")


def floors_are_thresholds(spans: list[_Span], text: str) -> list[_Span]:
    """A percentage after a floor word in its clause is a threshold, not a rate granted:
    `开放的算力资源不低于总规模的[30%]`. None of the corpus's 762 rates has a floor word before it
    in its clause.

    >>> text = "且开放的算力资源不低于总规模的30%。按投资额的15%给予补助"
    >>> spans = [_Span(15, 18, EntityLabel.RATE, 0.7, 0), _Span(24, 27, EntityLabel.RATE, 0.9, 0)]
    >>> [s.label.value for s in floors_are_thresholds(spans, text)]
    ['THRESHOLD', 'RATE']
    """
    return [replace(s, label=EntityLabel.THRESHOLD) if _floored_rate(s, text) else s for s in spans]


def _floored_rate(span: _Span, text: str) -> bool:
    if span.label != EntityLabel.RATE:
        return False
    clause_start, _ = _bounds(text, span.start, _CLAUSE_BREAKS)
    return _FLOOR.search(text, clause_start, span.start) is not None


# `（含）` / `（不含）` after a number: part of its threshold, since it decides the op.
_INCLUSION_MARK = re.compile(r"\s*[（(]\s*不?(?:含|包含|包括)(?:本数)?\s*[）)]")
_RANGE_WORD = re.compile(rf"\s*(?:{RANGE_WORDS})\s*")


def bands_are_one_threshold(spans: list[_Span], text: str) -> list[_Span]:
    """A band is one threshold (corpus/README.md, rule 22): a threshold takes the `（含）` or
    `（不含）` that follows it, also when the tagger stopped inside the mark (any span inside the mark
    goes), and two thresholds with only a range word between them join when together they read as a
    band. The corpus has no inclusion mark outside a threshold (49 inside) and no two thresholds
    joined by a range word; bands are common in real notices' tiers.

    >>> text = "年营业收入2000万元至5000万元（不含）的"
    >>> spans = [_Span(5, 11, EntityLabel.THRESHOLD, 0.9, 0), _Span(12, 19, EntityLabel.THRESHOLD, 0.8, 0),
    ...          _Span(20, 22, EntityLabel.CONDITION, 0.5, 0)]
    >>> [(text[s.start : s.end], s.label.value) for s in bands_are_one_threshold(spans, text)]
    [('2000万元至5000万元（不含）', 'THRESHOLD')]
    """
    spans = sorted(spans, key=lambda s: (s.start, s.end))
    swallowed: set[int] = set()
    for i, s in enumerate(spans):
        if s.label != EntityLabel.THRESHOLD:
            continue
        opened = max(text.rfind("（", s.start, s.end), text.rfind("(", s.start, s.end))
        for at in (s.end, opened):
            mark = _INCLUSION_MARK.match(text, at) if at >= s.start else None
            if mark is not None and mark.end() > s.end:
                swallowed |= {j for j, o in enumerate(spans) if s.end <= o.start and o.end <= mark.end()}
                spans[i] = s = replace(s, end=mark.end())
                break
    joined: list[_Span] = []
    for i, s in enumerate(spans):
        if i in swallowed:
            continue
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.label == s.label == EntityLabel.THRESHOLD
            and last.window == s.window
            and _RANGE_WORD.fullmatch(text, last.end, s.start)
            and range_bounds(text[last.start : s.end]) is not None
        ):
            joined[-1] = _Span(last.start, s.end, s.label, min(last.score, s.score), s.window)
        else:
            joined.append(s)
    return joined


# Money values that a listing of tiers gives one label (corpus/README.md, rules 5 and 16).
_LISTED_MONEY = frozenset({EntityLabel.AMOUNT, EntityLabel.UNIT_AMOUNT, EntityLabel.CAP})


def listed_alike(spans: list[_Span], text: str) -> list[_Span]:
    """Money values listed with `、` are tiers of one kind, so each takes the label of the first:
    in `分别按每标准箱[80元]、[120元]、[150元]` the tagger sometimes reads the last as a fixed amount,
    which would make a per-unit award's tier a lump sum.

    >>> text = "分别按每标准箱80元、120元、150元给予补贴"
    >>> unit, fixed = EntityLabel.UNIT_AMOUNT, EntityLabel.AMOUNT
    >>> spans = [_Span(7, 10, unit, 0.9, 0), _Span(11, 15, unit, 0.9, 0), _Span(16, 20, fixed, 0.6, 0)]
    >>> [s.label.value for s in listed_alike(spans, text)]
    ['UNIT_AMOUNT', 'UNIT_AMOUNT', 'UNIT_AMOUNT']
    """
    alike: list[_Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        last = alike[-1] if alike else None
        if (
            last is not None
            and {last.label, s.label} <= _LISTED_MONEY
            and last.label != s.label
            and text[last.end : s.start].strip() == "、"
        ):
            s = replace(s, label=last.label)
        alike.append(s)
    return alike


def one_cap_per_award(prediction: DocumentPrediction) -> DocumentPrediction:
    """Two caps on one award (`单台设备补助不超过80万元，每家企业累计不超过500万元`): only the one counted
    per claimant is the award's cap (corpus/README.md, rule 6), so an award's caps that count per
    nothing are dropped when another of its caps counts per something. Tiered caps, each requiring
    its own condition, are left alone."""
    relations = prediction.relations
    caps: dict[int, list[int]] = {}
    for head, tail, label, _ in relations:
        if label == RelationLabel.HAS_CAP:
            caps.setdefault(head, []).append(tail)
    tiered = {head for head, _, label, _ in relations if label == RelationLabel.REQUIRES}
    counted = {head for head, _, label, _ in relations if label == RelationLabel.COUNTED_PER}
    dropped: set[int] = set()
    for award_caps in caps.values():
        if len(award_caps) >= 2 and not tiered & set(award_caps) and counted & set(award_caps):
            dropped |= set(award_caps) - counted
    return _without_spans(prediction, dropped)


def no_repeated_award_word(prediction: DocumentPrediction) -> DocumentPrediction:
    """`按实际投入的20%给予资助，…分别最高资助300万元、500万元`: the second 资助 only repeats the award's
    word before its caps, and is not marked (one anchor per benefit, corpus/README.md rule 1). An
    award word whose values are all caps, each held too by an award with a rate or an amount, is
    such a repeat, and is dropped with its relations. (Two awards sharing one cap and nothing else,
    `房租补贴和物业费补贴合计最高50万元`, both stay.)"""
    holders: dict[int, set[int]] = {}  # cap -> the awards holding it
    values: dict[int, set[RelationLabel]] = {}  # award -> the relations to its values
    for head, tail, label, _ in prediction.relations:
        if label in _VALUE_RELATIONS:
            values.setdefault(head, set()).add(label)
            if label == RelationLabel.HAS_CAP:
                holders.setdefault(tail, set()).add(head)
    valued = {award for award, labels in values.items() if labels != {RelationLabel.HAS_CAP}}
    repeats = {
        award
        for award, labels in values.items()
        if labels == {RelationLabel.HAS_CAP}
        and all(awards & valued for awards in holders.values() if award in awards)
    }
    return _without_spans(prediction, repeats)


def _without_spans(prediction: DocumentPrediction, dropped: set[int]) -> DocumentPrediction:
    if not dropped:
        return prediction
    kept = [k for k in range(len(prediction.spans)) if k not in dropped]
    index = {old: new for new, old in enumerate(kept)}
    return DocumentPrediction(
        [prediction.spans[k] for k in kept],
        [
            (index[h], index[t], label, score)
            for h, t, label, score in prediction.relations
            if h in index and t in index
        ],
    )


# Values that carry tiers: `分别给予20万元、50万元` (corpus/README.md, rule 5).
TIER_VALUES = frozenset({EntityLabel.AMOUNT, EntityLabel.CAP, EntityLabel.RATE, EntityLabel.UNIT_AMOUNT})


def paired_tiers(
    relations: list[tuple[int, int, RelationLabel, float]], spans: list[_Span]
) -> list[tuple[int, int, RelationLabel, float]]:
    """分别: k tier values of one label linked by REQUIRES to k conditions or thresholds (and to no
    others) are a listing that pairs off: the i-th value in reading order requires the i-th of them
    only. The relation head scores pairs one at a time and cannot see that a listing pairs off."""
    edges = [
        (head, tail)
        for head, tail, label, _ in relations
        if label == RelationLabel.REQUIRES and spans[head].label in TIER_VALUES
    ]
    # Connected groups of values and what they require, one graph per value label.
    parent: dict[tuple[str, int], tuple[str, int]] = {}

    def root(node: tuple[str, int]) -> tuple[str, int]:
        parent.setdefault(node, node)
        while parent[node] != node:
            node = parent[node]
        return node

    for head, tail in edges:
        parent[root(("value", head))] = root((spans[head].label.value, tail))
    groups: dict[tuple[str, int], tuple[set[int], set[int]]] = {}
    for head, tail in edges:
        values, required = groups.setdefault(root(("value", head)), (set(), set()))
        values.add(head)
        required.add(tail)
    dropped: set[tuple[int, int]] = set()
    for values, required in groups.values():
        if len(values) == len(required) >= 2:
            in_order = set(zip(_reading_order(values, spans), _reading_order(required, spans), strict=True))
            dropped |= {(h, t) for h, t in edges if h in values} - in_order
    return _without_requires(relations, dropped)


def _without_requires(
    relations: list[tuple[int, int, RelationLabel, float]], dropped: set[tuple[int, int]]
) -> list[tuple[int, int, RelationLabel, float]]:
    return [r for r in relations if r[2] != RelationLabel.REQUIRES or (r[0], r[1]) not in dropped]


_VALUE_RELATIONS = frozenset(
    {RelationLabel.HAS_AMOUNT, RelationLabel.HAS_RATE, RelationLabel.HAS_CAP, RelationLabel.HAS_UNIT_AMOUNT}
)


def listed_tiers(
    relations: list[tuple[int, int, RelationLabel, float]], spans: list[_Span], text: str
) -> list[tuple[int, int, RelationLabel, float]]:
    """分别 with nothing paired: `销售收入超过1亿元、5亿元的，分别按增量部分的2%、3%给予奖励`, where the
    relation head tied both rates to the award and the award to the metric, but neither rate to its
    threshold. When an award's k (≥ 2) values of one label require nothing, and of the metrics the
    award requires one has exactly k thresholds (or it requires no metric and exactly k thresholds
    and conditions of its own), and 分别 stands between them and the values, the i-th value
    requires the i-th of them and the award no longer does (corpus/README.md, rule 5)."""
    requiring = {head for head, _, label, _ in relations if label == RelationLabel.REQUIRES}
    thresholds: dict[int, list[int]] = {}
    values: dict[tuple[int, EntityLabel], list[int]] = {}
    required: dict[int, list[int]] = {}
    for head, tail, label, _ in relations:
        if label == RelationLabel.HAS_THRESHOLD:
            thresholds.setdefault(head, []).append(tail)
        elif label in _VALUE_RELATIONS and spans[tail].label in TIER_VALUES:
            values.setdefault((head, spans[tail].label), []).append(tail)
        elif label == RelationLabel.REQUIRES:
            required.setdefault(head, []).append(tail)
    added: list[tuple[int, int, RelationLabel, float]] = []
    dropped: set[tuple[int, int]] = set()
    for (award, _), listed in values.items():
        if len(listed) < 2 or requiring & set(listed):
            continue
        needs = required.get(award, [])
        metrics = [m for m in needs if spans[m].label == EntityLabel.METRIC]
        tiered = [m for m in metrics if len(thresholds.get(m, [])) == len(listed)]
        own = [c for c in needs if spans[c].label in (EntityLabel.THRESHOLD, EntityLabel.CONDITION)]
        if len(tiered) == 1:
            tiers, released = thresholds[tiered[0]], tiered
        elif not metrics and len(own) == len(listed):
            tiers, released = own, own
        else:
            continue
        first, last = min(spans[t].start for t in tiers), max(spans[v].start for v in listed)
        if "分别" not in text[first:last]:
            continue
        ordered = zip(_reading_order(listed, spans), _reading_order(tiers, spans), strict=True)
        added += [(value, tier, RelationLabel.REQUIRES, 1.0) for value, tier in ordered]
        dropped |= {(award, r) for r in released}
    if not added:
        return relations
    return _without_requires(relations, dropped) + added


# What a tier's key (its threshold or title) is; what may stand between two listed keys or values.
TIER_KEYS = frozenset({EntityLabel.THRESHOLD, EntityLabel.CONDITION})
_LIST_JOINERS = re.compile(r"[、，,和或及与]{1,2}")
_SENTENCE_MARKS = "。；;！!？?\n"
_SENTENCE_ENDS = re.compile(f"[{_SENTENCE_MARKS}]")


def keys_in_order(
    relations: list[tuple[int, int, RelationLabel, float]], spans: list[_Span], text: str
) -> list[tuple[int, int, RelationLabel, float]]:
    """Tiers the text lays out in order, whatever the relation head paired (it scores pairs one at
    a time and cannot see a listing): k (≥ 2) keys listed before 分别 and k values of one label listed
    after it (`新引进博士、硕士、本科毕业生，分别按每人每月3000元、2000元、1000元`), or keys and values
    that alternate (`博士研究生每人每月3000元、硕士研究生每人每月1500元`). The i-th value requires the
    i-th key, and no award requires the keys, nor a metric whose thresholds they are
    (corpus/README.md, rules 5 and 16)."""
    tiers = _listed_after_fenbie(spans, text) + _alternating(spans, text)
    if not tiers:
        return relations
    pairs = {pair for group in tiers for pair in group}
    keys = {key for _, key in pairs}
    values = {value for value, _ in pairs}
    metrics_of_keys = {
        head for head, tail, label, _ in relations if label == RelationLabel.HAS_THRESHOLD and tail in keys
    }
    # Values of a second listing (`最高分别为500万元、300万元`) keep the keys they were given.
    awards = {head for head, _, label, _ in relations if spans[head].label not in TIER_VALUES} | values
    kept = [
        r
        for r in relations
        if r[2] != RelationLabel.REQUIRES
        or r[0] not in awards
        or not (r[1] in keys or (r[1] in metrics_of_keys and r[0] not in values))
    ]
    return kept + [(value, key, RelationLabel.REQUIRES, 1.0) for value, key in sorted(pairs)]


def _listed_after_fenbie(spans: list[_Span], text: str) -> list[list[tuple[int, int]]]:
    order = _reading_order(range(len(spans)), spans)
    found = []
    previous = 0
    for match in re.finditer("分别", text):
        start, end = _bounds(text, match.start(), _SENTENCE_MARKS)
        # A second 分别 (`分别按20%、30%…，最高分别为500万元、200万元`) lists no keys of its own.
        start, previous = max(start, previous), match.end()
        before = [k for k in order if start <= spans[k].start and spans[k].end <= match.start()]
        after = [k for k in order if match.end() <= spans[k].start and spans[k].end <= end]
        last_key = next((k for k in reversed(before) if spans[k].label in TIER_KEYS), None)
        first_value = next((k for k in after if spans[k].label in TIER_VALUES), None)
        if last_key is None or first_value is None:
            continue
        keys = _listed(before[: before.index(last_key) + 1][::-1], spans, text)[::-1]
        values = _listed(after[after.index(first_value) :], spans, text)
        if len(keys) == len(values) >= 2:
            found.append(list(zip(values, keys, strict=True)))
    return found


def _alternating(spans: list[_Span], text: str) -> list[list[tuple[int, int]]]:
    """Runs of key, value, key, value… in one sentence, a value and the next key joined by `、`."""
    order = [k for k in _reading_order(range(len(spans)), spans) if spans[k].label in TIER_KEYS | TIER_VALUES]
    found: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    for key, value in pairwise(order):
        pair_ok = (
            spans[key].label in TIER_KEYS
            and spans[value].label in TIER_VALUES
            and not _SENTENCE_ENDS.search(text, spans[key].end, spans[value].start)
        )
        if not pair_ok:
            continue
        if run:
            last_value, last_key = run[-1]
            joined = text[spans[last_value].end : spans[key].start] == "、"
            alike = (
                spans[key].label == spans[last_key].label and spans[value].label == spans[last_value].label
            )
            if not (joined and alike):
                if len(run) >= 2:
                    found.append(run)
                run = []
        run.append((value, key))
    if len(run) >= 2:
        found.append(run)
    return found


def _listed(candidates: list[int], spans: list[_Span], text: str) -> list[int]:
    """The first candidate and those that follow it in a list: one label, only `、`, `和`, `或` and
    the like between neighbours."""
    listed = candidates[:1]
    for k in candidates[1:]:
        prev = listed[-1]
        a, b = sorted((spans[prev], spans[k]), key=lambda s: s.start)
        if spans[k].label != spans[prev].label or not _LIST_JOINERS.fullmatch(text[a.end : b.start]):
            break
        listed.append(k)
    return listed


def _bounds(text: str, at: int, marks: Iterable[str]) -> tuple[int, int]:
    """The sentence or clause around `at`: from after the last of the marks before it to the next."""
    before = max((text.rfind(mark, 0, at) for mark in marks), default=-1)
    after = [i for mark in marks if (i := text.find(mark, at)) >= 0]
    return before + 1, min(after, default=len(text))


def _reading_order(members: Iterable[int], spans: list[_Span]) -> list[int]:
    return sorted(members, key=lambda k: spans[k].start)


_NUMERIC_KEYS = frozenset({EntityLabel.THRESHOLD, EntityLabel.METRIC})


def ladder_thresholds(
    relations: list[tuple[int, int, RelationLabel, float]], spans: list[_Span], text: str
) -> list[tuple[int, int, RelationLabel, float]]:
    """Tiers in sentences of their own, the metric named in the first only (`交易额首次超过1000万元的，
    给予20万元奖励；首次超过5000万元的，给予60万元奖励`). The relation head scores pairs one at a time
    and leaves the later thresholds unrelated. A threshold that nothing relates to, followed in its
    sentence by an award that requires no threshold or metric, is a tier: the nearest metric before it
    in the paragraph whose thresholds read in the same unit holds it, and the award requires it. Each
    award that required that metric then requires the threshold of its own sentence instead, so that
    no tier takes the others' thresholds (corpus/README.md, rules 5 and 16)."""
    related = {i for h, t, _, _ in relations for i in (h, t)}
    holders: dict[int, list[int]] = {}  # award -> its values
    required: dict[int, set[int]] = {}
    thresholds: dict[int, list[int]] = {}
    for head, tail, label, _ in relations:
        if label in _VALUE_RELATIONS:
            holders.setdefault(head, []).append(tail)
        elif label == RelationLabel.REQUIRES:
            required.setdefault(head, set()).add(tail)
        elif label == RelationLabel.HAS_THRESHOLD:
            thresholds.setdefault(head, []).append(tail)
    added: list[tuple[int, int, RelationLabel, float]] = []
    laddered: set[int] = set()
    for t in _reading_order((i for i, s in enumerate(spans) if s.label == EntityLabel.THRESHOLD), spans):
        if t in related:
            continue
        start, end = _bounds(text, spans[t].start, _SENTENCE_MARKS)
        award = _award_after(t, (start, end), spans, holders)
        if award is None or any(spans[r].label in _NUMERIC_KEYS for r in required.get(award, ())):
            continue
        paragraph_start = text.rfind("\n", 0, spans[t].start) + 1
        metric = next(
            (
                m
                for m in sorted(thresholds, key=lambda m: -spans[m].start)
                if paragraph_start <= spans[m].start < start
                and spans[m].label == EntityLabel.METRIC
                and any(_same_unit(text, spans[k], spans[t]) for k in thresholds[m])
            ),
            None,
        )
        if metric is None:
            continue
        added += [(metric, t, RelationLabel.HAS_THRESHOLD, 1.0), (award, t, RelationLabel.REQUIRES, 1.0)]
        thresholds[metric].append(t)
        required.setdefault(award, set()).add(t)
        laddered.add(metric)
    if not added:
        return relations
    dropped = {(a, m) for a, needs in required.items() for m in needs & laddered}
    for award, metric in dropped:
        start, end = _bounds(text, spans[award].start, _SENTENCE_MARKS)
        own = [k for k in thresholds[metric] if start <= spans[k].start < end]
        added += [(award, k, RelationLabel.REQUIRES, 1.0) for k in own[:1] if k not in required[award]]
    return _without_requires(relations, dropped) + added


# A sentence that opens with a policy verb (`支持行业大模型…研究，按…10%予以资助`) starts a measure of its
# own; `支持标准：`, `支持方式：` are labels, not openings.
_OPENS_A_MEASURE = re.compile(
    r"[\s　]*(?:（[一二三四五六七八九十]+）|[一二三四五六七八九十]+、|\d+[.．、])?[\s　]*"
    r"(?:支持|鼓励|推动|加快|加强|促进|引导|扶持|培育|强化|提升|推进)(?![^，。；]{0,4}[：:])"
)


def new_measure_new_conditions(
    relations: list[tuple[int, int, RelationLabel, float]], spans: list[_Span], text: str
) -> list[tuple[int, int, RelationLabel, float]]:
    """An award in a sentence that opens with a policy verb requires nothing from earlier sentences:
    the relation head, scoring pairs one at a time, sometimes gives it a condition of the measure
    before (`…参数量不低于千亿…的大模型，给予…补贴。支持行业大模型…，按…10%予以资助`). Of the 41 gold
    requirements in train and dev that reach back over a sentence end, none comes from such a
    sentence (they follow `支持标准：` labels, 另/再 follow-ups and tier ladders)."""
    dropped: set[tuple[int, int]] = set()
    for head, tail, label, _ in relations:
        if label != RelationLabel.REQUIRES or spans[tail].end > spans[head].start:
            continue
        start, _ = _bounds(text, spans[head].start, "。！？!?\n")
        if spans[tail].end <= start and _OPENS_A_MEASURE.match(text, start):
            dropped.add((head, tail))
    return _without_requires(relations, dropped) if dropped else relations


def _award_after(
    threshold: int, sentence: tuple[int, int], spans: list[_Span], holders: dict[int, list[int]]
) -> int | None:
    """What requires a tier's threshold: the award of the first value after it in its sentence, or the
    value itself when it has no award in that sentence or is one of several values of its label."""
    after = [
        i
        for i, s in enumerate(spans)
        if s.label in TIER_VALUES and spans[threshold].end <= s.start < sentence[1]
    ]
    if not after:
        return None
    value = min(after, key=lambda i: spans[i].start)
    awards = [a for a, held in holders.items() if value in held]
    if len(awards) != 1 or not sentence[0] <= spans[awards[0]].start < sentence[1]:
        return value
    alike = [v for v in holders[awards[0]] if spans[v].label == spans[value].label]
    return awards[0] if len(alike) == 1 else value


def _same_unit(text: str, a: _Span, b: _Span) -> bool:
    """Two thresholds that read in one unit: money, a percentage, or a quantity of one unit."""
    found = [
        [(n.kind, n.unit) for n in scan_numbers(text[s.start : s.end]) if n.kind != "date"][:1]
        for s in (a, b)
    ]
    return bool(found[0]) and found[0] == found[1]
