"""How well the OCR path reads pages with ground truth: character error rate and reading-order edit distance.

**Character error rate** (CER): the Levenshtein distance between the page's body text as the
pipeline gives it (OCR, layout, reading order, text repair; furniture left out) and the ground
truth body in reading order, over the truth's length. Whitespace is removed from both sides first:
line breaks and the spaces a layout adds are not characters of the text. Two figures are kept:
`cer_raw` compares the characters as they are; `cer` also folds character width (Unicode NFKC on
both sides), because PP-OCR returns full-width punctuation and digits as their half-width forms
(`，` as `,`, `２` as `2`), which downstream stages read alike; every other difference, `——` read
as `一一` included, still counts. A block read out of order costs its characters twice here (deleted
in one place, inserted in another), so CER also punishes reading-order mistakes.

**Reading-order edit distance**, as OmniDocBench defines it (`get_order_paired` in its end-to-end
evaluation): truth blocks are matched to predicted blocks by their text; the sequence of matched
truth indexes in predicted order is compared with the truth order by Levenshtein distance over the
longer of the two sequences; a truth block that matches nothing is missing from the predicted
sequence and so costs an edit. Per page, then averaged over pages. Here a predicted block is matched
to the stretch of the truth text it aligns with best (`rapidfuzz.fuzz.partial_ratio_alignment`), and
each truth block goes to the predicted block that covers most of it, so a paragraph that OCR cut in
two or two blocks it merged are handled as OmniDocBench's merge-aware matching handles them.
"""

from __future__ import annotations

import logging
import statistics
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from pipeline.normalize.text_repair import repair
from pipeline.ocr.page import PageReader
from pipeline.ocr.synthetic import PageGenerator, PageTruth, SyntheticPage, articles_from_texts
from pipeline.readers.base import RawDocument

__all__ = [
    "OcrReport",
    "PageScore",
    "char_errors",
    "evaluate_pages",
    "generated_pages",
    "normalise",
    "reading_order_edit",
    "score_page",
    "story_files",
]

_log = logging.getLogger(__name__)
STORY_LIST = "ocr-stories.txt"  # in the corpus folder: the notices generated pages are made of

# A predicted block whose best alignment scores below this (0-100) matches no truth block.
_MIN_ALIGNMENT_SCORE = 60.0


def normalise(text: str, *, fold_width: bool) -> str:
    """Text without whitespace; with `fold_width`, NFKC-folded (full-width forms to half-width)."""
    if fold_width:
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def char_errors(predicted: str, truth: str, *, fold_width: bool) -> tuple[int, int]:
    """(edits, truth length) after `normalise`; CER is their ratio."""
    p, t = normalise(predicted, fold_width=fold_width), normalise(truth, fold_width=fold_width)
    return Levenshtein.distance(p, t), len(t)


def reading_order_edit(truth_blocks: Sequence[str], predicted_blocks: Sequence[str]) -> float | None:
    """OmniDocBench's reading-order edit distance of one page; None when both sides are empty.

    >>> reading_order_edit(["标题", "第一段文字", "第二段文字内容"], ["标题", "第二段文字内容", "第一段文字"])
    0.6666666666666666
    """
    truth = [normalise(block, fold_width=True) for block in truth_blocks]
    spans: list[tuple[int, int, int]] = []  # (truth index, start, end) in the joined truth
    offset = 0
    for index, block in enumerate(truth):
        if block:
            spans.append((index, offset, offset + len(block)))
            offset += len(block)
    joined = "".join(truth)
    predicted = [p for p in (normalise(block, fold_width=True) for block in predicted_blocks) if p]
    if not spans and not predicted:
        return None
    owner: dict[int, tuple[int, int]] = {}  # truth index -> (characters covered, predicted index)
    for position, block in enumerate(predicted):
        if not joined:
            break
        alignment = fuzz.partial_ratio_alignment(block, joined, score_cutoff=_MIN_ALIGNMENT_SCORE)
        if alignment is None:
            continue
        start, end = alignment.dest_start, alignment.dest_end
        if len(block) > len(joined):  # rapidfuzz aligned the truth inside the block instead
            start, end = 0, len(joined)
        for index, span_start, span_end in spans:
            covered = min(end, span_end) - max(start, span_start)
            if covered > 0 and covered > owner.get(index, (0, 0))[0]:
                owner[index] = (covered, position)
    expected = [index for index, _, _ in spans]
    got = sorted(owner, key=lambda index: (owner[index][1], index))
    longest = max(len(expected), len(got))
    return Levenshtein.distance(expected, got) / longest if longest else 0.0


class PageScore(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    features: list[str]
    characters: int
    edits: int
    edits_raw: int
    order_edit: float | None
    seconds: float

    @property
    def cer(self) -> float:
        return self.edits / self.characters if self.characters else 0.0


class OcrReport(BaseModel):
    """Scores of a set of pages: `cer` and `cer_raw` pool characters, `order_edit` is the page mean."""

    model_config = ConfigDict(extra="forbid")

    pages: list[PageScore]

    @property
    def cer(self) -> float:
        return sum(p.edits for p in self.pages) / max(1, sum(p.characters for p in self.pages))

    @property
    def cer_raw(self) -> float:
        return sum(p.edits_raw for p in self.pages) / max(1, sum(p.characters for p in self.pages))

    @property
    def order_edit(self) -> float:
        scores = [p.order_edit for p in self.pages if p.order_edit is not None]
        return statistics.fmean(scores) if scores else 0.0

    @property
    def seconds_per_page(self) -> float:
        return statistics.fmean(p.seconds for p in self.pages) if self.pages else 0.0

    def as_dict(self) -> dict[str, object]:
        worst = sorted(self.pages, key=lambda p: p.cer, reverse=True)[:3]
        return {
            "pages": len(self.pages),
            "characters": sum(p.characters for p in self.pages),
            "cer": round(self.cer, 5),
            "cer_raw": round(self.cer_raw, 5),
            "order_edit": round(self.order_edit, 5),
            "max_page_cer": round(max((p.cer for p in self.pages), default=0.0), 5),
            "max_page_order_edit": round(max((p.order_edit or 0.0 for p in self.pages), default=0.0), 5),
            "seconds_per_page": round(self.seconds_per_page, 3),
            "worst_pages": [
                {"name": p.name, "cer": round(p.cer, 5), "order_edit": p.order_edit, "features": p.features}
                for p in worst
            ],
        }


def score_page(truth: PageTruth, text: str, blocks: Sequence[str], *, seconds: float = 0.0) -> PageScore:
    """Score one page's predicted body text and body blocks (in reading order) against its truth."""
    edits, characters = char_errors(text, truth.text, fold_width=True)
    edits_raw, _ = char_errors(text, truth.text, fold_width=False)
    return PageScore(
        name=truth.name,
        features=truth.features,
        characters=characters,
        edits=edits,
        edits_raw=edits_raw,
        order_edit=reading_order_edit([b.text for b in truth.body], blocks),
        seconds=round(seconds, 3),
    )


def read_page(reader: PageReader, page: SyntheticPage) -> tuple[str, list[str]]:
    """The pipeline's body text and body blocks for a page image: OCR, layout, text repair."""
    raw_page, raw_blocks = reader.read(page.image, number=1)
    text, pages = repair(RawDocument(media_type="image/jpeg", pages=[raw_page], blocks=raw_blocks))
    return text, [text[block.start : block.end] for block in pages[0].blocks]


def story_files(corpus: Path) -> list[Path]:
    """The notices that fill generated pages. A frozen list keeps the sample, and so its scores,
    the same when notices are added to the corpus."""
    listed = corpus / STORY_LIST
    if not listed.is_file():
        return sorted((corpus / "notices").glob("*.txt"))
    lines = listed.read_text(encoding="utf-8").splitlines()
    files = [
        corpus / "notices" / f"{doc.strip()}.txt" for doc in lines if doc.strip() and not doc.startswith("#")
    ]
    missing = [file.stem for file in files if not file.is_file()]
    if missing:
        raise FileNotFoundError(f"{listed}: no notice for {', '.join(missing[:5])}; build the corpus first")
    return files


def generated_pages(
    corpus: Path, *, seed: int, count: int, only: Collection[int] | None = None
) -> Iterable[SyntheticPage]:
    """`count` generated pages from the corpus notices, one at a time: those `corpus/ocr-stories.txt`
    lists, in its order, else every `corpus/notices/*.txt`.

    `only` picks pages of the seed's sequence by index (the number in their names) instead: the
    same pages, so one page can be looked at without reading the others.
    """
    texts = [path.read_text(encoding="utf-8") for path in story_files(corpus)]
    if not texts:
        raise FileNotFoundError(f"no notices in {corpus / 'notices'}; build the corpus first")
    generator = PageGenerator(articles_from_texts(texts), seed=seed)
    for index in sorted(only) if only is not None else range(count):
        yield generator.page(index)


def evaluate_pages(
    pages: Iterable[SyntheticPage],
    reader: PageReader,
    *,
    on_page: Callable[[PageScore], None] | None = None,
) -> OcrReport:
    """Read and score each page; `on_page` hears each page's score as it is done."""
    scores = []
    for page in pages:
        started = time.perf_counter()
        text, blocks = read_page(reader, page)
        score = score_page(page.truth, text, blocks, seconds=time.perf_counter() - started)
        _log.info("%s: CER %.4f, order edit %s", score.name, score.cer, score.order_edit)
        scores.append(score)
        if on_page:
            on_page(score)
    return OcrReport(pages=scores)
