"""What training and inference share: the character vocabulary, tag scheme, windows, decoding and
relation candidates. Plain Python and numpy, so inference needs neither torch nor transformers.

The encoder reads one character per token, so a tag belongs to exactly one character and an
entity edge never falls inside a sub-word.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.document import PolicyDocument, Source
from pipeline.extract.patterns import PatternExtractor
from pipeline.labels import ALLOWED_RELATIONS, EntityLabel, RelationLabel

ENTITY_LABELS: tuple[EntityLabel, ...] = tuple(EntityLabel)
RELATION_LABELS: tuple[RelationLabel, ...] = tuple(RelationLabel)
TAGS: tuple[str, ...] = ("O", *(f"{p}-{label.value}" for label in ENTITY_LABELS for p in ("B", "I")))
TAG_INDEX = {tag: i for i, tag in enumerate(TAGS)}
NO_RELATION = len(RELATION_LABELS)  # the last relation class means "no relation"

SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[SPACE]")

# Relation candidates: both ends in one window, at most this many characters apart.
MAX_PAIR_DISTANCE = 160
DISTANCE_BUCKETS = (0, 2, 4, 8, 16, 32, 64, 128)


class CharVocab:
    """Characters to the encoder's token ids, one id per character.

    Built from the base model's own vocabulary (`vocab.txt` of a BERT-style model such as
    bert-base-chinese, or the character vocabulary of `models/base`), so any Hugging Face encoder
    whose vocabulary holds single characters can be fine-tuned; saved as `char_vocab.json` beside
    the exported model.
    """

    def __init__(self, chars: dict[str, int], specials: dict[str, int]) -> None:
        missing = {"[PAD]", "[UNK]", "[CLS]", "[SEP]"} - specials.keys()
        if missing:
            raise ValueError(f"vocabulary lacks {sorted(missing)}")
        self.chars = chars
        self.specials = specials
        self.pad, self.unk = specials["[PAD]"], specials["[UNK]"]
        self.cls, self.sep = specials["[CLS]"], specials["[SEP]"]
        self.space = specials.get("[SPACE]", self.unk)
        self.size = max([*chars.values(), *specials.values()]) + 1

    @classmethod
    def from_vocab_txt(cls, path: Path) -> CharVocab:
        """A WordPiece/char `vocab.txt` (line number = id): single characters and [..] specials."""
        tokens = path.read_text(encoding="utf-8").split("\n")
        specials = {t: i for i, t in enumerate(tokens) if t in SPECIALS}
        chars = {t: i for i, t in enumerate(tokens) if len(t) == 1}
        return cls(chars, specials)

    @classmethod
    def load(cls, path: Path) -> CharVocab:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["chars"], data["specials"])

    def save(self, path: Path) -> None:
        data = {"specials": self.specials, "chars": self.chars}
        path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), encoding="utf-8")

    def encode(self, text: str) -> list[int]:
        """One id per character: whitespace is [SPACE], an unknown character [UNK]."""
        chars, unk, space = self.chars, self.unk, self.space
        return [space if ch.isspace() else chars.get(ch, unk) for ch in text]


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of one paragraph that the encoder reads at once."""

    start: int  # offset of the first character in the paragraph
    end: int
    keep_start: int  # characters in [keep_start, keep_end) take their tags from this window
    keep_end: int


def windows(length: int, *, size: int, stride: int) -> list[Window]:
    """Overlapping windows over a paragraph; each character is kept from the window where it is most
    central, so no entity is cut by a window edge unless it is longer than the overlap."""
    if length <= size:
        return [Window(0, length, 0, length)]
    starts = [*range(0, length - size, stride), length - size]
    out = []
    for i, s in enumerate(starts):
        keep_start = 0 if i == 0 else (starts[i - 1] + size + s) // 2
        keep_end = length if i == len(starts) - 1 else (s + size + starts[i + 1]) // 2
        out.append(Window(s, s + size, keep_start, keep_end))
    return out


@dataclass(frozen=True, slots=True)
class SpanPrediction:
    start: int
    end: int
    label: EntityLabel
    score: float


def _allowed_transitions() -> np.ndarray:
    """allowed[i, j]: tag j may follow tag i in BIO (an I- only continues its own label)."""
    allowed = np.ones((len(TAGS), len(TAGS)), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            label = tag[2:]
            allowed[:, j] = [t in (f"B-{label}", f"I-{label}") for t in TAGS]
    return allowed


# Labels whose spans may start or end inside a jieba word: 每[人], 单个[项目] (pipeline.model.words).
WORD_INTERNAL_EDGES = frozenset({EntityLabel.UNIT, EntityLabel.CAP_PER})
# Log-probability cost of a span edge inside a word: a span is cut mid-word only when the model is
# e^4 (about 55) times surer of that than of the nearest edges at word boundaries. Chosen on dev.
MID_WORD_EDGE_COST = 4.0


def _mid_word_edges() -> np.ndarray:
    """edges[i, j]: how many span edges (a start, an end) lie between tag i and the next tag j,
    counting spans whose labels must begin and end on word boundaries."""
    edges = np.zeros((len(TAGS), len(TAGS)))
    for i, before in enumerate(TAGS):
        for j, after in enumerate(TAGS):
            if after.startswith("B-") and EntityLabel(after[2:]) not in WORD_INTERNAL_EDGES:
                edges[i, j] += 1  # a span starts
            inside = before != "O" and EntityLabel(before[2:]) not in WORD_INTERNAL_EDGES
            if inside and after != f"I-{before[2:]}":
                edges[i, j] += 1  # a span ends
    return edges


_ALLOWED = _allowed_transitions()
_STARTS = np.array([not t.startswith("I-") for t in TAGS])
_MID_WORD_EDGES = _mid_word_edges()


def decode_tags(tag_probs: np.ndarray, boundaries: np.ndarray | None = None) -> list[SpanPrediction]:
    """The most probable valid BIO sequence (Viterbi over the per-character probabilities with
    I- allowed only after B-/I- of its label), read into spans. Taking each character's best tag
    alone splits long spans (conditions, beneficiaries) wherever one character wavers.

    `boundaries[i]` (length + 1 values, pipeline.model.words) says whether a word boundary lies
    before character i; a span edge elsewhere costs `MID_WORD_EDGE_COST`."""
    length = len(tag_probs)
    if length == 0:
        return []
    best = _best_tags(tag_probs, boundaries)
    spans: list[SpanPrediction] = []
    start = 0
    for i, tag_id in enumerate([*best, TAG_INDEX["O"]]):
        if i > 0 and not TAGS[tag_id].startswith("I-") and TAGS[best[i - 1]] != "O":
            label = EntityLabel(TAGS[best[i - 1]][2:])
            probs = [float(tag_probs[k, best[k]]) for k in range(start, i)]
            spans.append(SpanPrediction(start, i, label, float(np.mean(probs))))
        if i < length and TAGS[tag_id].startswith("B-"):
            start = i
    return spans


def _best_tags(tag_probs: np.ndarray, boundaries: np.ndarray | None) -> list[int]:
    """Viterbi over the BIO transitions and mid-word edge costs. When each character's most
    probable tag already forms a valid sequence with no edge inside a word, that sequence is the
    optimum (every path scores at most the sum of the per-character maxima, and costs are never
    positive), so the dynamic programme is skipped: most windows of a notice take this path."""
    greedy = tag_probs.argmax(axis=1)
    previous, following = greedy[:-1], greedy[1:]
    cut_words = (
        _MID_WORD_EDGES[previous, following] * ~np.asarray(boundaries[1 : len(greedy)], dtype=bool)
        if boundaries is not None
        else np.zeros(len(following))
    )
    if _STARTS[greedy[0]] and _ALLOWED[previous, following].all() and not cut_words.any():
        return [int(t) for t in greedy]

    log_probs = np.log(np.clip(tag_probs, 1e-9, 1.0))
    penalty = np.where(_ALLOWED, 0.0, -np.inf)
    inside_word = penalty - MID_WORD_EDGE_COST * _MID_WORD_EDGES
    score = np.where(_STARTS, log_probs[0], -np.inf)
    back = np.zeros((len(tag_probs), len(TAGS)), dtype=np.int64)
    for i in range(1, len(tag_probs)):
        mid_word = boundaries is not None and not boundaries[i]
        candidates = score[:, None] + (inside_word if mid_word else penalty)  # previous tag x this tag
        back[i] = candidates.argmax(axis=0)
        score = candidates[back[i], np.arange(len(TAGS))] + log_probs[i]
    best = [int(score.argmax())]
    for i in range(len(tag_probs) - 1, 0, -1):
        best.append(int(back[i, best[-1]]))
    best.reverse()
    return best


def bio_tags(length: int, spans: Sequence[tuple[int, int, EntityLabel]]) -> list[int]:
    """Tag ids for a text of `length` characters with the given (start, end, label) spans."""
    tags = [TAG_INDEX["O"]] * length
    for start, end, label in spans:
        tags[start] = TAG_INDEX[f"B-{label.value}"]
        for i in range(start + 1, end):
            tags[i] = TAG_INDEX[f"I-{label.value}"]
    return tags


_ALLOWED_PAIRS = {
    (head, tail) for heads, tails in ALLOWED_RELATIONS.values() for head in heads for tail in tails
}


def candidate_pairs(spans: Sequence[tuple[int, int, EntityLabel]]) -> Iterator[tuple[int, int]]:
    """Ordered pairs of span indices that some relation may join and that are close enough."""
    for i, (hs, he, hl) in enumerate(spans):
        for j, (ts, te, tl) in enumerate(spans):
            if i != j and (hl, tl) in _ALLOWED_PAIRS and _gap(hs, he, ts, te) <= MAX_PAIR_DISTANCE:
                yield i, j


def _gap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, b_start - a_end, a_start - b_end)


def distance_bucket(head: tuple[int, int], tail: tuple[int, int]) -> int:
    """Signed, log-bucketed distance from head to tail: tails after the head get the upper buckets."""
    gap = _gap(head[0], head[1], tail[0], tail[1])
    bucket = sum(gap >= b for b in DISTANCE_BUCKETS) - 1
    return bucket + (len(DISTANCE_BUCKETS) if tail[0] >= head[0] else 0)


N_DISTANCE_BUCKETS = 2 * len(DISTANCE_BUCKETS)


# Pattern hints: the pattern extractor's reading of the same text, fed to the model as input
# features (a BIO tag per character, and for a candidate pair whether the patterns joined those two
# spans). The model learns where the rules are right and corrects them where they are not; with
# little annotated data this beats both the rules alone and a model that must rediscover them.
PATTERN_NO_RELATION = len(RELATION_LABELS)  # the patterns found both spans and did not join them
PATTERN_NO_SPANS = len(RELATION_LABELS) + 1  # the patterns did not find both spans
N_PATTERN_RELATIONS = len(RELATION_LABELS) + 2


@dataclass(frozen=True, slots=True)
class PatternHints:
    """The pattern extractor's entities (as tag ids) and relations over one text's offsets."""

    tags: list[int]
    spans: list[tuple[int, int]]
    relations: dict[tuple[int, int, int, int], int]  # (head start, end, tail start, end) → class
    owner: list[int]  # per character: the index in `spans` of the span covering it, or -1

    @classmethod
    def build(
        cls,
        length: int,
        spans: list[tuple[int, int, EntityLabel]],
        relations: dict[tuple[int, int, int, int], int],
    ) -> PatternHints:
        tags = [TAG_INDEX["O"]] * length
        owner = [-1] * length
        kept: list[tuple[int, int]] = []
        for start, end, label in sorted(spans, key=lambda s: (s[0], s[1])):
            # Overlapping pattern entities (rare) keep the first in reading order.
            if all(o == -1 for o in owner[start:end]):
                tags[start:end] = bio_tags(end - start, [(0, end - start, label)])
                owner[start:end] = [len(kept)] * (end - start)
                kept.append((start, end))
        return cls(tags, kept, relations, owner)

    @classmethod
    def empty(cls, length: int) -> PatternHints:
        """No hints: what a model trained without them is fed."""
        return cls.build(length, [], {})

    def finds_any(self, start: int, end: int) -> bool:
        """Whether the patterns found an entity between these offsets."""
        return any(o != -1 for o in self.owner[start:end])

    def pair(self, head: tuple[int, int], tail: tuple[int, int]) -> int:
        """The patterns' relation class between two spans given by their offsets. Each span stands
        for the pattern span that covers most of it, so a span whose edges differ a little from
        the rules' (4A级旅游景 for 4A级旅游景区) still gets their verdict."""
        h, t = self._covering(head), self._covering(tail)
        if h is None or t is None:
            return PATTERN_NO_SPANS
        return self.relations.get((*h, *t), PATTERN_NO_RELATION)

    def _covering(self, span: tuple[int, int]) -> tuple[int, int] | None:
        owners = [o for o in self.owner[span[0] : span[1]] if o >= 0]
        if not owners:
            return None
        return self.spans[max(set(owners), key=lambda o: (owners.count(o), -o))]

    def shifted(self, start: int, end: int) -> PatternHints:
        """The hints of `text[start:end]`, in offsets relative to `start` (spans cut by the edges
        are left out)."""
        labels = {(s, e): TAGS[self.tags[s]][2:] for s, e in self.spans}
        spans = [
            (s - start, e - start, EntityLabel(labels[s, e]))
            for s, e in self.spans
            if start <= s and e <= end
        ]
        relations = {
            (hs - start, he - start, ts - start, te - start): c
            for (hs, he, ts, te), c in self.relations.items()
            if start <= min(hs, ts) and max(he, te) <= end
        }
        return PatternHints.build(end - start, spans, relations)


def pattern_hints(text: str) -> PatternHints:
    """Run the pattern extractor over `text` (a whole document, as at inference) for its hints."""
    source = Source(name="hints", sha256="0" * 64, media_type="text/plain")
    doc = PatternExtractor()(PolicyDocument(source=source, text=text))
    spans = [(e.start, e.end, EntityLabel(e.label)) for e in doc.entities]
    by_id = {e.id: (e.start, e.end) for e in doc.entities}
    relations = {
        (*by_id[r.head], *by_id[r.tail]): RELATION_LABELS.index(RelationLabel(r.label)) for r in doc.relations
    }
    return PatternHints.build(len(text), spans, relations)
