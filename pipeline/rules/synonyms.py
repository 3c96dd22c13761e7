"""Policy wording to canonical facts and tags: `synonyms.json`, segmented with jieba and `jieba_dict.txt`.

A policy says 上一年度营业收入, 主营业务收入 or 年销售额; a profile may say any of them. Both sides are
resolved to one canonical fact (营业收入) through the synonym table, in this order:

1. the cleaned text is a canonical name or an alias;
2. jieba (with only the domain dictionary, so segmentation is predictable) splits it into words,
   period and owner qualifiers (上一年度, 企业…) are dropped, and the rest, joined, is a name or alias;
3. as 2, with every word that is itself an alias replaced by its canonical name
   (项目研发费用 → 项目 + 研发投入 → 项目研发投入).

Anything else stays as it is written: :func:`canonical_fact` answers None and the caller keeps the
policy's own words, which then only an identically named profile fact can answer. Never a guess.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pipeline.normalize.jieba_tokenizer import jieba_tokenizer

FactKind = Literal["money", "signed_money", "share", "ratio", "count", "quantity"]
FACT_KINDS: tuple[str, ...] = ("money", "signed_money", "share", "ratio", "count", "quantity")

_HERE = Path(__file__).resolve().parent
SYNONYMS_PATH = _HERE / "synonyms.json"
JIEBA_DICT_PATH = _HERE / "jieba_dict.txt"

# Parentheticals (（不含机架租赁）), whitespace, ASCII quotes and a closing 的 carry no meaning for matching.
_NOISE = re.compile(r"（[^）]*）|\([^)]*\)|[\s'\"\\`“”‘’]")
_TRAILING = re.compile(r"(的|者|等)+$")
CURRENCIES: tuple[str, ...] = ("美元", "欧元", "港元", "港币", "日元", "英镑")
_CURRENCY_SUFFIX = re.compile(r"[（(](" + "|".join(CURRENCIES) + r")[）)]$")

# Wording kinds for facts outside the table, by their ending (used to check profile values only).
_SUFFIX_KINDS: tuple[tuple[re.Pattern[str], FactKind], ...] = (
    (re.compile(r"(增长率|增速|增幅|利润率|毛利率)$"), "ratio"),
    (re.compile(r"(占比|比例|比重|国产化率)$"), "share"),
    (re.compile(r"(利润|盈利|亏损)$"), "signed_money"),
    (re.compile(r"(收入|投入|投资|费用|经费|支出|金额|总额|销售额|资金|税额|贷款|利息)$"), "money"),
    (re.compile(r"(人数|数量|个数|家数|件数)$"), "count"),
)


@dataclass(frozen=True)
class SynonymTable:
    """The parsed `synonyms.json`."""

    version: int
    qualifiers: frozenset[str]
    kinds: dict[str, FactKind]
    fact_aliases: dict[str, str]
    tag_aliases: dict[str, str]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SynonymTable:
        kinds: dict[str, FactKind] = {}
        fact_aliases: dict[str, str] = {}
        for name, entry in data["facts"].items():
            if entry["kind"] not in FACT_KINDS:
                raise ValueError(f"fact {name!r}: kind {entry['kind']!r} is not one of {FACT_KINDS}")
            kinds[name] = entry["kind"]
            for word in [name, *entry["aliases"]]:
                if fact_aliases.setdefault(word, name) != name:
                    raise ValueError(f"{word!r} is an alias of both {fact_aliases[word]!r} and {name!r}")
        tag_aliases: dict[str, str] = {}
        for name, aliases in data["tags"].items():
            for word in [name, *aliases]:
                if tag_aliases.setdefault(word, name) != name:
                    raise ValueError(f"tag {word!r} is an alias of both {tag_aliases[word]!r} and {name!r}")
        return cls(
            version=int(data["version"]),
            qualifiers=frozenset(data["qualifiers"]),
            kinds=kinds,
            fact_aliases=fact_aliases,
            tag_aliases=tag_aliases,
        )

    def words(self) -> set[str]:
        """Every word the table names: canonical names, aliases, tags and qualifiers."""
        return set(self.fact_aliases) | set(self.tag_aliases) | set(self.qualifiers)


@lru_cache(maxsize=1)
def table() -> SynonymTable:
    """The synonym table shipped with the package, loaded once."""
    return SynonymTable.from_json(json.loads(SYNONYMS_PATH.read_text(encoding="utf-8")))


def segment(text: str) -> list[str]:
    """Words of `text` by the domain dictionary (no HMM: unknown runs fall apart into characters)."""
    return [w for w in jieba_tokenizer(JIEBA_DICT_PATH).lcut(text, HMM=False) if w.strip()]


def clean(text: str) -> str:
    """The wording without parentheticals, spaces, quotes and a closing 的."""
    return _TRAILING.sub("", _NOISE.sub("", text))


@lru_cache(maxsize=4096)
def canonical_fact(text: str) -> str | None:
    """The canonical fact a wording means, or None when the table does not know it.

    >>> canonical_fact("上一年度主营业务收入")
    '营业收入'
    """
    words = table()
    cleaned = clean(text)
    if not cleaned:
        return None
    if cleaned in words.fact_aliases:
        return words.fact_aliases[cleaned]
    kept = [w for w in segment(cleaned) if w not in words.qualifiers]
    joined = "".join(kept)
    if joined in words.fact_aliases:
        return words.fact_aliases[joined]
    mapped = "".join(words.fact_aliases.get(w, w) for w in kept)
    return words.fact_aliases.get(mapped)


def fact_key(text: str) -> str:
    """The key a fact is known by: its canonical name, or the cleaned wording when the table lacks it."""
    return canonical_fact(text) or clean(text)


def currency_key(key: str, currency: str) -> str:
    """The key of a money fact stated in a foreign currency: `营业收入（美元）`, never converted."""
    return f"{key}（{currency}）"


@lru_cache(maxsize=4096)
def profile_fact_key(name: str) -> str:
    """The key a profile fact answers: as `fact_key`, keeping a currency suffix (`营业收入（美元）`)."""
    found = _CURRENCY_SUFFIX.search(name.strip())
    if found:
        return currency_key(fact_key(name.strip()[: found.start()]), found.group(1))
    return fact_key(name)


@lru_cache(maxsize=4096)
def canonical_tag(text: str) -> str:
    """The canonical form of a tag or textual condition: an alias resolved, else the cleaned text."""
    aliases = table().tag_aliases
    cleaned = clean(text)
    if cleaned in aliases:
        return aliases[cleaned]
    kept = "".join(w for w in segment(cleaned) if w not in table().qualifiers) if cleaned else ""
    return aliases.get(kept, cleaned)


@lru_cache(maxsize=4096)
def fact_kind(text: str) -> FactKind | None:
    """What kind of number a fact is: from the table, else from its ending (…收入 is money), else None."""
    canonical = canonical_fact(text)
    if canonical is not None:
        return table().kinds[canonical]
    cleaned = clean(text)
    for pattern, kind in _SUFFIX_KINDS:
        if pattern.search(cleaned):
            return kind
    return None
