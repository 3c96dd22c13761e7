"""Clause segmentation: paragraphs into sentences, each with the heading it falls under.

A measure is read from one clause: a sentence ended by `。！？`, a semicolon-separated item, or an
enumerated item (`一、`, `（二）`, `3.`, `第七条`). A short first sentence of a paragraph, or an
enumerated heading, names the measures that follow it (`支持智算中心建设。对…给予补贴`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_SENTENCE_END = re.compile(r"[。！？!?；;]+[”’」』）)]*|……+")
ENUMERATION = re.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十0-9]{1,3}[)）]|\d{1,2}[.．、](?!\d)"
    r"|第[一二三四五六七八九十百零〇0-9]+[条章节项]\s*)"
)
_HEADING_MAX = 28


@dataclass(frozen=True, slots=True)
class Clause:
    start: int
    end: int
    text: str
    heading: str | None  # the heading this clause falls under, without its enumeration marker
    is_heading: bool  # the clause is itself a heading (names what follows, grants nothing by itself)


def _strip_enumeration(text: str) -> str:
    return ENUMERATION.sub("", text, count=1).strip()


def _heading_text(sentence: str) -> str:
    return _strip_enumeration(sentence).rstrip("。：:；; ").strip()


# Section headings that name no measure (`第三章 支持方式和标准`) and document titles (`…奖补办法`).
_NOT_A_MEASURE_TITLE = re.compile(
    r"^(?:总则|附则|支持(?:方式|标准|内容|对象|范围)|申报(?:条件|材料|程序|要求)|(?:支持|补助|奖励)(?:方式)?和标准"
    r"|保障措施|组织实施|工作要求|其他|[问答])"
    r"|记者|通讯员|编辑|来源"
    r"|(?:办法|通知|措施|细则|指南|方案|意见|规定|决定|公告)$"
)


def _looks_like_heading(sentence: str, *, paragraph_first: bool, paragraph_alone: bool) -> bool:
    """A short, number-free sentence that opens a paragraph or is enumerated, like `支持智算中心建设。`."""
    core = _heading_text(sentence)
    if len(core) < 2 or len(core) > _HEADING_MAX or re.search(r"[0-9０-９%％，,]|给予|予以|按照?", core):
        return False
    if ENUMERATION.match(sentence):
        return True
    if paragraph_alone:
        return not sentence.rstrip().endswith(("？", "?", "！"))
    return paragraph_first and sentence.rstrip().endswith(("。", "：", ":"))


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside text[start:end], split after sentence-ending punctuation."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        if text[pos : m.end()].strip():
            spans.append((pos, m.end()))
        pos = m.end()
    if text[pos:end].strip():
        spans.append((pos, end))
    return spans


@lru_cache(maxsize=8)
def segment(text: str) -> tuple[Clause, ...]:
    """Split a document text into clauses in order, each knowing its heading.

    Cached: the extractor, its fallback and the assembler all segment the same document text.
    """
    clauses: list[Clause] = []
    heading: str | None = None
    body_started = False
    pos = 0
    for paragraph in text.split("\n"):
        p_start, p_end = pos, pos + len(paragraph)
        pos = p_end + 1
        sentences = split_sentences(text, p_start, p_end)
        for i, (s, e) in enumerate(sentences):
            # Trim whitespace so evidence spans start and end on text.
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            sentence = text[s:e]
            is_heading = _looks_like_heading(
                sentence, paragraph_first=i == 0, paragraph_alone=len(sentences) == 1
            )
            if is_heading:
                title = _heading_text(sentence)
                # Lines alone before the body, not enumerated, are the document's headline.
                headline = not body_started and len(sentences) == 1 and not ENUMERATION.match(sentence)
                heading = None if headline or _NOT_A_MEASURE_TITLE.search(title) else title
            else:
                body_started = True
            clauses.append(Clause(s, e, sentence, heading, is_heading))
    return tuple(clauses)
