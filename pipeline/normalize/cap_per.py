"""What a cap is counted per (`单户企业年度最高30万元` → 企业年度): the contract's names, and the
span a `CAP_PER` entity should cover."""

from __future__ import annotations

import re

CLAIMANT_NOUNS = ("企业", "机构", "单位", "园区", "平台", "主体", "银行", "团体", "项目")
MEASURE_WORDS = ("户", "家", "个", "位", "名")

# A measure word, then the claimant noun it counts, then an optional year: 户企业年度, 家企业每年.
_COUNTED_CLAIMANT = re.compile(
    rf"(?:{'|'.join(MEASURE_WORDS)})((?:{'|'.join(CLAIMANT_NOUNS)})(?:每年度|每年|年度)?)"
)


def normalize_cap_per(text: str) -> str:
    """`企业每年`, `企业每年度`, `企业年度` → 企业年度; `年` → 年度; `户企业` → 企业; a school year
    stays one: `学校每学年` → 学校学年.

    >>> [normalize_cap_per(t) for t in ("企业每年", "企业每年度", "企业年度", "年", "户企业", "项目")]
    ['企业年度', '企业年度', '企业年度', '年度', '企业', '项目']
    >>> normalize_cap_per("学校每学年")
    '学校学年'
    """
    text = text.replace("每学年", "学年").replace("每年度", "年度").replace("每年", "年度")
    if text[:1] in MEASURE_WORDS and text[1:].startswith(CLAIMANT_NOUNS):
        text = text[1:]
    return text + "度" if text.endswith("年") and not text.endswith("学年") else text


def claimant_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A `CAP_PER` span on the bare measure word of `单户企业年度最高…` moves onto the claimant noun
    it counts (corpus/README.md: `单个[项目]`, `同一[企业年度]`); other spans stay as they are.

    >>> text = "单户企业年度贴息最高30万元"
    >>> s, e = claimant_span(text, 1, 2)
    >>> text[s:e]
    '企业年度'
    >>> claimant_span("单户最高50万元", 1, 2)
    (1, 2)
    """
    match = _COUNTED_CLAIMANT.match(text, start)
    if end - start == 1 and match is not None:
        return match.start(1), match.end(1)
    return start, end
