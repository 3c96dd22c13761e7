"""Numbers, money, rates, quantities, dates and comparison words in Chinese policy text.

The scanning is hand-written: cn2an converts isolated numerals only (``cn2an("最高1000万元")``,
``cn2an("20%")`` and even ``cn2an("千亿")`` raise) and knows nothing of units, ranges, enumerations or
document numbers, so it is used only to convert a numeral once it has been found; jionlp reads
``最高不超过5000万元`` as ``超过5000万元``. Every function here is pure,
and offsets always index the caller's original string: matching runs on a length-preserving
half-width copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

import cn2an

__all__ = [
    "CURRENCIES",
    "QUANTITY_UNITS",
    "NumericKind",
    "NumericMatch",
    "Op",
    "comparison_op",
    "edge_comparison",
    "fullwidth_to_halfwidth",
    "op_from_words",
    "parse_money",
    "parse_number",
    "parse_percent",
    "scan_numbers",
]

Op = Literal[">=", ">", "<=", "<", "=="]
NumericKind = Literal["money", "percent", "quantity", "number", "date"]


@dataclass(frozen=True, slots=True)
class NumericMatch:
    """One numeric expression; see the module docstring of the contract for the value conventions."""

    start: int  # offsets into the string given to scan_numbers (end exclusive)
    end: int
    text: str  # == the scanned string[start:end]
    kind: NumericKind
    value: float  # money in yuan (or the foreign currency); percent as a fraction; else as stated
    unit: str | None  # money: None for 元, else the currency; quantity: its unit; percent/number: None
    low: float | None = None  # a range's low end; `value` holds the high end
    per: str | None = None  # money per unit: "0.3元/㎡·日" -> "㎡·日"


# ---------------------------------------------------------------------------------------------
# Width normalisation
# ---------------------------------------------------------------------------------------------

_FULLWIDTH_TABLE: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TABLE[0x3000] = 0x20


def fullwidth_to_halfwidth(text: str) -> str:
    """Map U+FF01..U+FF5E to ASCII and U+3000 to a space; one character for one (offsets survive).

    Not NFKC: that would expand ``㎡`` and other compatibility characters and shift offsets.
    """
    return text.translate(_FULLWIDTH_TABLE)


# The copy that the scanner matches on. It keeps the Chinese comma "，" (half-width "," is a thousands
# separator, so "100，200家" must not read as 100200) and folds dashes, tildes and odd spaces.
_MATCH_TABLE: dict[int, int] = dict(_FULLWIDTH_TABLE)
del _MATCH_TABLE[0xFF0C]
for _cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63):
    _MATCH_TABLE[_cp] = ord("-")
for _cp in (0x301C, 0x223C, 0x02DC):
    _MATCH_TABLE[_cp] = ord("~")
for _cp in (0x00A0, 0x2002, 0x2003, 0x2009, 0x202F):
    _MATCH_TABLE[_cp] = ord(" ")


def _for_matching(text: str) -> str:
    """Half-width, and financial numerals (伍佰万元) as plain ones, character for character."""
    return _FINANCIAL_MONEY_RE.sub(
        lambda m: m.group().translate(_FINANCIAL_TABLE), text.translate(_MATCH_TABLE)
    )


# Financial numerals (大写) are read only before 元: elsewhere 陆, 伍, 柒 are names (陆家嘴).
_FINANCIAL_TABLE = str.maketrans("壹贰貳叁參肆伍陆柒捌玖拾佰仟", "一二二三三四五六七八九十百千")
_FINANCIAL_MONEY_RE = re.compile(r"[零壹贰貳叁參肆伍陆柒捌玖拾佰仟万亿]+(?=[ \t]*元)")


# ---------------------------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------------------------

_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_CN_MAGNITUDE_CHARS = frozenset("十百千万亿")


def _parse_cn_int(s: str) -> int | None:
    """A Chinese numeral: "一千二百万", "千亿", "一百零五", "二〇二四", "一万五"; None for "十四五", "亿万".

    cn2an converts well-formed numerals (in "normal" mode, which also takes 两 and digit-by-digit
    years); it rejects a bare leading magnitude, which policy text uses (千亿, 百万), so that reads as 一千亿.
    """
    if not s:
        return None
    text = "一" + s if s[0] in _CN_MAGNITUDE_CHARS and s[0] != "十" else s
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if float(value).is_integer() else None


# ---------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------

# Units of a quantity, longest first so that "个月" wins over "个" and "千瓦时" over "千瓦".
# Bare "月" is not here: "6月" is a date, "6个月" a duration. A closed list, because neither jieba's
# part-of-speech tags nor any other library here tells a measure word after a number reliably
# (jieba tags 架 m, 例 v, 眼 n, 羽 nr); a word missing from it leaves a threshold without its unit
# and a band (`200马力（含）至300马力（不含）`) unread, so counters that notices of any sector use
# belong here.
QUANTITY_UNITS: tuple[str, ...] = tuple(
    sorted(
        (
            "个工作日", "个百分点", "平方公里", "平方千米", "立方米", "平方米", "千瓦时", "兆瓦时",
            "吉瓦时", "吨标准煤", "标准机架", "个小时", "周岁", "个月", "台(套)", "套(台)", "工作日", "人次",
            "标准箱", "架次", "列次", "家次", "人天", "人日", "学时", "课时", "蒸吨", "吉焦",
            "净吨", "间夜", "场", "间", "艘", "马力", "千伏安", "兆伏安", "千伏", "个基点", "基点",
            "台次", "车次", "班次", "批次", "场次", "吨标煤", "立方", "标箱", "TEU", "克标准煤", "千克标准煤",
            "平米", "平方", "公顷",
            "千瓦", "兆瓦", "吉瓦", "千克", "公斤", "公里", "千米", "小时", "机架", "床位", "张床",
            "PFlops", "TFlops", "EFlops", "PFLOPS", "TOPS", "kWh", "MWh", "GWh", "MW", "GW", "kW",
            "km", "kg", "TB", "PB", "EB", "kVA", "MVA", "kV",
            "㎡", "亩", "吨", "米", "年", "个", "项", "人", "名", "家", "户", "台", "套", "件", "张",
            "床", "辆", "座", "条", "款", "次", "天", "日", "周", "倍", "所", "栋", "篇", "部", "位",
            "颗", "卡", "头", "只", "晚", "岁", "株", "P", "架", "笔", "例", "盏", "眼", "羽", "尾",
            "层", "份", "册", "棵", "箱", "升", "克", "班", "届",
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip
# Surface form -> the unit reported.
_UNIT_CANONICAL = {
    "个月": "月", "个工作日": "工作日", "个小时": "小时", "个基点": "基点", "PFLOPS": "PFlops",
}  # fmt: skip
_ASCII_UNITS_BY_LOWER = {u.lower(): _UNIT_CANONICAL.get(u, u) for u in QUANTITY_UNITS if u.isascii()}

# Units of one dimension that a band may mix (`200千瓦（含）至1兆瓦（不含）`): unit -> (dimension, size).
_UNIT_SIZES: dict[str, tuple[str, float]] = {
    "千瓦": ("power", 1e3), "kW": ("power", 1e3), "兆瓦": ("power", 1e6), "MW": ("power", 1e6),
    "吉瓦": ("power", 1e9), "GW": ("power", 1e9),
    "千瓦时": ("energy", 1e3), "kWh": ("energy", 1e3), "兆瓦时": ("energy", 1e6),
    "MWh": ("energy", 1e6), "吉瓦时": ("energy", 1e9), "GWh": ("energy", 1e9),
    "千伏安": ("apparent power", 1e3), "kVA": ("apparent power", 1e3),
    "兆伏安": ("apparent power", 1e6), "MVA": ("apparent power", 1e6),
    "克": ("mass", 1.0), "千克": ("mass", 1e3), "公斤": ("mass", 1e3), "kg": ("mass", 1e3),
    "吨": ("mass", 1e6),
    "米": ("length", 1.0), "千米": ("length", 1e3), "公里": ("length", 1e3), "km": ("length", 1e3),
    "平方米": ("area", 1.0), "㎡": ("area", 1.0), "平米": ("area", 1.0), "公顷": ("area", 1e4),
    "平方公里": ("area", 1e6), "平方千米": ("area", 1e6),
    "TFlops": ("compute", 1e12), "PFlops": ("compute", 1e15), "EFlops": ("compute", 1e18),
    "TB": ("storage", 1.0), "PB": ("storage", 1e3), "EB": ("storage", 1e6),
}  # fmt: skip


def _in_unit(n: NumericMatch, unit: str | None) -> NumericMatch | None:
    """`n` restated in `unit` (1兆瓦 in 千瓦 is 1000千瓦); None when the units measure different things."""
    if n.unit == unit:
        return n
    have, want = _UNIT_SIZES.get(n.unit or ""), _UNIT_SIZES.get(unit or "")
    if have is None or want is None or have[0] != want[0]:
        return None
    return replace(n, value=n.value * have[1] / want[1], unit=unit)


# Currency word -> unit reported (None for renminbi yuan).
CURRENCIES: dict[str, str | None] = {
    "元": None, "美元": "美元", "美金": "美元", "欧元": "欧元", "港元": "港元", "港币": "港元",
    "日元": "日元", "英镑": "英镑", "澳元": "澳元",
}  # fmt: skip

_MAGNITUDES = {
    "万亿": Decimal(10**12), "千亿": Decimal(10**11), "百亿": Decimal(10**10), "亿": Decimal(10**8),
    "千万": Decimal(10**7), "百万": Decimal(10**6), "万": Decimal(10**4), "千": Decimal(10**3),
}  # fmt: skip


def _unit_alternation(units: tuple[str, ...]) -> str:
    parts = []
    for u in units:
        if u.isascii() and u[-1].isalpha():
            parts.append(f"(?i:{re.escape(u)})(?![A-Za-z])")
        else:
            parts.append(re.escape(u))
    return "|".join(parts)


# ---------------------------------------------------------------------------------------------
# Regexes (on the matching copy)
# ---------------------------------------------------------------------------------------------

_SP = r"[ \t]*"
# Thousands separated by commas, or by single spaces as OCR leaves them (`1 500万元`); OCR also
# splits a number anywhere (`5 00万元`, `3 0%`), which is read as one number only before money or a
# percent sign, so that listed numbers (`1 2 3`, `3 5家`) stay apart.
_AR = (
    r"\d+(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?: \d{3})+(?!\d)(?:\.\d+)?"
    r"|\d+(?:[ \t]\d+)+(?:\.\d+)?(?=[ \t]*(?:[万亿千百]|元|%))|\d+(?:\.\d+)?"
)
# 千 before 瓦/克/米 belongs to the unit (千瓦); 百 before 分之 starts a percentage.
_CN = r"(?:[零〇○一二两三四五六七八九十万亿]|千(?![瓦克米伏帕兆])|百(?!分之))+"

_SKIP = (
    r"〔[^〕\n]{0,12}〕[ \t]*\d*[ \t]*号?"  # 〔2024〕37号
    rf"|[\[【]{_SP}(?:19|20)\d{{2}}{_SP}[\]】]{_SP}\d*{_SP}号?"
    rf"|\({_SP}(?:19|20)\d{{2}}{_SP}\){_SP}\d+{_SP}号"
    rf"|第{_SP}(?:\d+|[零〇○一二两三四五六七八九十百千]+)"  # 第三条, 第1项
    rf"|\({_SP}(?:\d{{1,2}}|[一二三四五六七八九十]{{1,3}}){_SP}\)"  # (二), (1)
    r"|[一二三四五六七八九十]{1,3}[ \t]*(?:、|是|要)"  # 一、 一是
    r"|(?<![^\n \t。;:!?])\d{1,2}[ \t]*(?:、|\)|\.(?!\d))"  # 1、 1) 1. starting a line or sentence
)
_DATE_YMD = (
    rf"(?:19|20)\d{{2}}{_SP}年"
    rf"(?:{_SP}\d{{1,2}}{_SP}月(?:{_SP}\d{{1,2}}{_SP}[日号]|份|底|初|末)?|度|底|初|末)?"
)
_DATE_ISO = r"(?:19|20)\d{2}(?P<isosep>[-./])\d{1,2}(?P=isosep)\d{1,2}(?!\d)"
_DATE_MD = rf"(?P<month>\d{{1,2}}){_SP}月(?:{_SP}(?P<day>\d{{1,2}}){_SP}[日号]|份|底|初|末)?"

_MASTER_RE = re.compile(
    rf"(?P<skip>{_SKIP})"
    rf"|(?P<pct>(?:百分之|千分之|万分之|[二三四五六七八九十]分之){_SP}(?:{_AR}|{_CN}))"
    rf"|(?P<ymd>{_DATE_YMD})"
    rf"|(?P<iso>{_DATE_ISO})"
    rf"|(?P<md>{_DATE_MD})"
    rf"|(?P<ar>{_AR})"
    rf"|(?P<cn>{_CN})"
)
_AR_RE = re.compile(_AR)
_CN_RE = re.compile(_CN)
_PCT_CN_RE = re.compile(rf"(百分之|千分之|万分之|[二三四五六七八九十]分之){_SP}({_AR}|{_CN})")
_MD_RE = re.compile(_DATE_MD)
_MAG_RE = re.compile(rf"(?:余|多)?{_SP}(万亿|千亿|百亿|亿|千万|百万|万|千(?![瓦克米伏帕兆分]))")
_APPROX_RE = re.compile(r"余|多")
_CUR_RE = re.compile(rf"{_SP}({'|'.join(sorted(CURRENCIES, key=len, reverse=True))})(?:人民币)?")
_PCT_SFX_RE = re.compile(rf"{_SP}(%|‰|个百分点|百分点)")
_UNIT_RE = re.compile(rf"{_SP}({_unit_alternation(QUANTITY_UNITS)})")
_YEAR_TAIL_RE = re.compile(r"度|底|初|末")
_MONTH_RE = re.compile(rf"{_SP}月(?:{_SP}(?:\d{{1,2}}|[一二三十]{{1,3}}){_SP}[日号]|份|底|初|末)?")
_PER_UNIT = _unit_alternation((*QUANTITY_UNITS, "月", "季度", "度", "m²", "m2"))
_PER_RE = re.compile(rf"{_SP}/{_SP}((?:{_PER_UNIT})(?:{_SP}[·・•/]{_SP}(?:{_PER_UNIT}))*)")
_SEP_RE = re.compile(rf"{_SP}(?:-{{1,2}}|~|至|到){_SP}")
_SPACES_RE = re.compile(r"[ \t]+")

_PCT_SUFFIX_DIVISOR = {
    "%": Decimal(100),
    "‰": Decimal(1000),
    "个百分点": Decimal(100),
    "百分点": Decimal(100),
}
_PCT_PREFIX_DIVISOR = {"百分之": Decimal(100), "千分之": Decimal(1000), "万分之": Decimal(10000)} | {
    f"{c}分之": Decimal(i) for i, c in enumerate("二三四五六七八九十", start=2)
}


# ---------------------------------------------------------------------------------------------
# Scanner
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Piece:
    """One number with its optional magnitude and suffix, before ranges are joined."""

    start: int
    end: int
    value: Decimal  # the stated number times its magnitude, before percent division
    magnitude: Decimal | None
    is_cn: bool
    core: str
    kind: NumericKind | None = None  # None: no suffix yet
    unit: str | None = None
    divisor: Decimal = Decimal(1)


def _ar_value(core: str) -> Decimal:
    return Decimal(core.replace(",", "").replace(" ", ""))


def _is_year(p: _Piece) -> bool:
    return (not p.is_cn and p.magnitude is None and len(p.core) == 4 and p.core[:2] in ("19", "20")) or (
        p.is_cn and len(p.core) == 4 and all(c in _CN_DIGITS for c in p.core) and p.core[0] in "一二"
    )


def _read_core(h: str, i: int) -> _Piece | None:
    """The number starting at i with its magnitude (1000万, 1.5亿, 五十万), or None."""
    if h[i].isdigit():
        m = _AR_RE.match(h, i)
        if m is None:
            return None
        before = h[max(0, i - 2) : i]
        if before[-1:].isascii() and before[-1:].isalpha():
            return None  # FP16, H200, V2
        if before[-1:] == "-" and before[:1].isascii() and before[:1].isalpha():
            return None  # GPT-4
        core = m.group()
        end = m.end()
        value = _ar_value(core)
        magnitude = None
        mm = _MAG_RE.match(h, end)
        if mm is not None:
            magnitude = _MAGNITUDES[mm.group(1)]
            value *= magnitude
            end = mm.end()
        elif (am := _APPROX_RE.match(h, end)) is not None:
            end = am.end()  # 1000余家, 100多人
        return _Piece(i, end, value, magnitude, False, core)
    m = _CN_RE.match(h, i)
    if m is None:
        return None
    core = m.group()
    parsed = _parse_cn_int(core)
    if parsed is None:
        return None
    return _Piece(i, m.end(), Decimal(parsed), None, True, core)


def _read_suffix(h: str, p: _Piece) -> None:
    """Attach a currency, percent sign, unit or date word following the piece (in place)."""
    j = p.end
    if (m := _CUR_RE.match(h, j)) is not None:
        p.kind, p.unit, p.end = "money", CURRENCIES[m.group(1)], m.end()
        return
    if (m := _PCT_SFX_RE.match(h, j)) is not None:
        p.kind, p.divisor, p.end = "percent", _PCT_SUFFIX_DIVISOR[m.group(1)], m.end()
        return
    if (m := _UNIT_RE.match(h, j)) is not None:
        surface = m.group(1)
        unit = _ASCII_UNITS_BY_LOWER.get(surface.lower(), surface) if surface.isascii() else surface
        unit = _UNIT_CANONICAL.get(unit, unit)
        if unit == "次" and h.startswith("性", m.end()):
            return  # 一次性 is "one-off", not a count
        if unit == "年" and _is_year(p):
            p.kind, p.end = "date", m.end()
            if (t := _YEAR_TAIL_RE.match(h, p.end)) is not None:
                p.end = t.end()
            return
        p.kind, p.unit, p.end = "quantity", unit, m.end()
        return
    is_month = p.magnitude is None and p.value == p.value.to_integral_value() and 1 <= p.value <= 12
    if is_month and (m := _MONTH_RE.match(h, j)) is not None:
        p.kind, p.end = "date", m.end()


def _acceptable_alone(h: str, p: _Piece) -> bool:
    """Whether a piece stands as a number on its own (no range partner)."""
    if p.kind is None:
        nxt = h[p.end : p.end + 1]
        if not p.is_cn:
            # 5G, 3D and "1." enumerations are not numbers.
            letter_after = nxt.isascii() and nxt.isalpha()
            enum_dot = nxt == "." and not h[p.end + 1 : p.end + 2].isdigit()
            return p.magnitude is not None or not (letter_after or enum_dot)
        return len(p.core) >= 2 and any(c in _CN_MAGNITUDE_CHARS for c in p.core)
    if p.is_cn and len(p.core) == 1:
        if p.core in "百千万亿":
            return False  # 万元 in a table header, 千人计划, 万家
        if h[p.start - 1 : p.start] in ("上", "下") and p.kind == "quantity":
            return False  # 上一年度
        if h[p.start - 1 : p.start] == "前" and p.core == "一" and h[p.end : p.end + 1] == "度":
            return False  # 较上市前一年度增长: the year before, not a quantity (前三年 still is one)
    return True


def _compatible(a: _Piece, b: _Piece) -> bool:
    if a.kind is None:
        if b.kind == "date":
            return _is_year(a) and _is_year(b)
        return True
    return a.kind == b.kind and (a.unit == b.unit or a.kind == "date")


def _to_match(
    text: str, start: int, end: int, kind: NumericKind, value: float, unit: str | None,
    low: float | None = None, per: str | None = None,
) -> NumericMatch:  # fmt: skip
    return NumericMatch(start, end, text[start:end], kind, value, unit, low, per)


def _scan_general(text: str, h: str, i: int) -> NumericMatch | None:
    p = _read_core(h, i)
    if p is None:
        return None
    _read_suffix(h, p)
    low: Decimal | None = None
    last = p
    sep = _SEP_RE.match(h, p.end)
    if sep is not None and sep.end() < len(h):
        q = _read_core(h, sep.end())
        if q is not None:
            _read_suffix(h, q)
            if (q.kind is not None or q.magnitude is not None) and _compatible(p, q):
                lowv = p.value
                if p.magnitude is None and q.magnitude is not None and p.kind is None:
                    scaled = lowv * q.magnitude
                    if scaled <= q.value:
                        lowv = scaled  # 10～30万元: 万 applies to both ends
                divisor = q.divisor if p.kind is None else p.divisor
                low = lowv / divisor
                last = q
    if low is None and not _acceptable_alone(h, p):
        return None
    if last is not p and not _acceptable_alone(h, last):
        return None
    end = last.end
    kind: NumericKind = last.kind or "number"
    value = last.value / last.divisor
    if kind == "date":
        value = last.value
        if low is not None:
            low = p.value
    per = None
    unit = last.unit if kind in ("money", "quantity") else None
    if kind in ("money", "quantity") and (pm := _PER_RE.match(h, end)) is not None:
        end = pm.end()
        if kind == "money":
            per = _SPACES_RE.sub("", pm.group(1))
        else:  # a rate of a quantity is its unit: 60万吨/年 -> 吨/年, 10蒸吨/小时 -> 蒸吨/小时
            unit = f"{unit}/{_SPACES_RE.sub('', pm.group(1))}"
    return _to_match(text, i, end, kind, float(value), unit, None if low is None else float(low), per)


def scan_numbers(text: str) -> list[NumericMatch]:
    """Every numeric expression in running text, in order and non-overlapping.

    Enumerations (一、 （二） 第三条 一是), document numbers (〔2024〕37号), plan names (十四五), model
    names (FP16, 5G) and numeral-looking words (统一, 一次性, 千行百业) are skipped.
    """
    h = _for_matching(text)
    out: list[NumericMatch] = []
    pos = 0
    for m in _MASTER_RE.finditer(h):
        i = m.start()
        if i < pos:
            continue
        group = m.lastgroup
        if group == "skip":
            pos = m.end()
            continue
        found: NumericMatch | None
        if group == "pct":
            pm = _PCT_CN_RE.match(h, i)
            assert pm is not None
            num = pm.group(2)
            if num[0].isdigit():
                val: Decimal | None = _ar_value(num)
            else:
                parsed = _parse_cn_int(num)
                val = None if parsed is None else Decimal(parsed)
            found = None
            if val is not None:
                frac = val / _PCT_PREFIX_DIVISOR[pm.group(1)]
                found = _to_match(text, i, pm.end(), "percent", float(frac), None)
        elif group == "ymd" or group == "iso":
            found = _to_match(text, i, m.end(), "date", float(h[i : i + 4]), None)
        elif group == "md":
            month, day = int(m.group("month")), m.group("day")
            if 1 <= month <= 12 and (day is None or 1 <= int(day) <= 31):
                found = _to_match(text, i, m.end(), "date", float(month), None)
            else:
                found = _scan_general(text, h, i)
        else:
            found = _scan_general(text, h, i)
        if found is not None:
            out.append(found)
            pos = found.end
        else:
            pos = m.end()
    return out


# ---------------------------------------------------------------------------------------------
# Whole-string parsers
# ---------------------------------------------------------------------------------------------

_NUMBER_RE = re.compile(rf"({_AR})(?:{_SP}(万亿|千亿|百亿|亿|千万|百万|万|千))?")


def parse_number(text: str) -> float | None:
    """A whole string that is one number: "1,000", "３０", "1.5亿", "一千二百万", "千亿", "两"; else None."""
    s = _for_matching(text).strip()
    if not s:
        return None
    m = _NUMBER_RE.fullmatch(s)
    if m is not None:
        value = _ar_value(m.group(1))
        if m.group(2):
            value *= _MAGNITUDES[m.group(2)]
        return float(value)
    if _CN_RE.fullmatch(s) is None:
        return None
    parsed = _parse_cn_int(s)
    return None if parsed is None else float(parsed)


def _single(text: str, kind: NumericKind) -> NumericMatch | None:
    stripped = text.strip()
    if not stripped:
        return None
    found = scan_numbers(text)
    if len(found) != 1:
        return None
    m = found[0]
    lead = len(text) - len(text.lstrip())
    if m.kind != kind or m.start != lead or m.end != lead + len(stripped):
        return None
    return m


def parse_money(text: str) -> NumericMatch | None:
    """A whole string that is one money phrase with a currency word ("1000 万元", "1亿美元"); else None."""
    return _single(text, "money")


def parse_percent(text: str) -> float | None:
    """A whole string that is one rate ("20%", "百分之十五", "三分之一", "5‰", "1.5个百分点", "一半",
    "0.5倍", "50个基点") as a fraction; else None.

    A range ("5%-10%") is not one rate: None. Basis points stay a quantity everywhere else: in
    `不高于LPR加50个基点` they are a spread over a rate the text names, not a share.
    """
    if text.strip() in _HALF:
        return 0.5
    multiple = _single(text, "quantity")
    if multiple is not None and multiple.low is not None:
        return None
    if multiple is not None and multiple.unit == "倍":
        return multiple.value
    if multiple is not None and multiple.unit == "基点" and multiple.value is not None:
        return float(Decimal(str(multiple.value)) / 10000)
    m = _single(text, "percent")
    return None if m is None or m.low is not None else m.value


_HALF = frozenset({"一半", "半数", "减半"})


# ---------------------------------------------------------------------------------------------
# Comparison words
# ---------------------------------------------------------------------------------------------

# Words before a number. Chinese law (Civil Code art. 1259) reads 以上/以下/以内/不低于/不少于/达到
# as including the number, 超过/高于/低于/不满/不足 as excluding it.
_BEFORE_WORDS: dict[str, Op] = {
    **dict.fromkeys(
        ("不低于", "不少于", "不小于", "不短于", "不得低于", "不得少于", "不应低于", "大于等于",
         "大于或等于", "至少", "最低", "最少", ">=", "≥"), ">="),
    **dict.fromkeys(("超过", "高于", "大于", "多于", "突破", "超出", "逾", "超", ">"), ">"),
    **dict.fromkeys(
        ("不超过", "不高于", "不大于", "不多于", "不得超过", "不得高于", "不应超过", "最高不超过",
         "小于等于", "小于或等于", "不长于", "最多", "最高", "至多", "上限", "<=", "≤"), "<="),
    **dict.fromkeys(("低于", "少于", "小于", "不满", "不足", "未满", "未达到", "未达", "不到", "<"), "<"),
}  # fmt: skip
# Direction-neutral: "达到 X 以上" takes the direction of what follows; alone they mean >=.
_NEUTRAL_WORDS: frozenset[str] = frozenset(("达到", "满", "达"))
# 达 inside these words is not "reaches": 下达 (allocate), 表达, 传达, 送达, 转达, 抵达, 到达.
_NOT_REACH_PREFIX = frozenset("下表传送转抵到")
_BEFORE_SORTED = tuple(sorted((*_BEFORE_WORDS, *_NEUTRAL_WORDS), key=len, reverse=True))

_INCL = r"\(\s*(?P<{name}>不)?(?:含|包含|包括)(?:本数)?\s*\)"
_AFTER_RE = re.compile(
    r"\s*(?:(?P<conj>[及或])|" + _INCL.format(name="pre") + r")?\s*"
    r"(?P<dir>以上|以下|以内|之内|内(?![容部涵在存外]))"
    r"(?:\s*" + _INCL.format(name="post") + r")?"
)
_AFTER_BARE_INCL_RE = re.compile(r"\s*" + _INCL.format(name="pre"))
_AFTER_OTHER_RE = re.compile(r"\s*(?P<w>封顶|为限)")


def _before_op(before: str) -> tuple[str, int] | None:
    """The comparison word ending `before` (trailing spaces allowed) and the characters it spans."""
    b = fullwidth_to_halfwidth(before)
    core = b.rstrip()
    trailing = len(b) - len(core)
    for word in _BEFORE_SORTED:
        if core.endswith(word):
            if word == "达" and core[-2:-1] in _NOT_REACH_PREFIX:
                return None
            return word, len(word) + trailing
    return None


def _after_op(after: str) -> tuple[Op | None, int] | None:
    a = fullwidth_to_halfwidth(after)
    m = _AFTER_RE.match(a)
    if m is not None:
        excl = bool(m.group("pre") or m.group("post"))
        if m.group("dir") == "以上":
            return (">" if excl else ">="), m.end()
        return ("<" if excl else "<="), m.end()
    if (m := _AFTER_OTHER_RE.match(a)) is not None:
        return "<=", m.end()
    if (m := _AFTER_BARE_INCL_RE.match(a)) is not None:
        return None, m.end()  # "(含)" alone: inclusive, but no direction of its own
    return None


def comparison_op(before: str, after: str) -> tuple[Op, int, int] | None:
    """The comparison around a number: (op, chars it takes at the end of `before`, at the start of `after`).

    "不超过 " + "5000万元" -> ("<=", 4, 0); "达到 " / "以上" -> (">=", 3, 2); None when no comparison word
    is adjacent. A neutral 达到/满 yields to the direction after the number; any other word before wins.
    """
    bw = _before_op(before)
    af = _after_op(after)
    n_after = af[1] if af is not None else 0
    after_op = af[0] if af is not None else None
    if bw is None:
        if after_op is None:
            return None
        return after_op, 0, n_after
    word, n_before = bw
    if word in _NEUTRAL_WORDS:
        return (after_op or ">="), n_before, n_after
    # The word before wins over a direction after it; a bare "(含)" after is counted in the span.
    return _BEFORE_WORDS[word], n_before, n_after


def op_from_words(words: str) -> Op | None:
    """The op of one comparison word or phrase on its own: "不低于" -> ">=", "以上（不含）" -> ">"."""
    w = fullwidth_to_halfwidth(words).strip()
    if not w:
        return None
    if w in _BEFORE_WORDS:
        return _BEFORE_WORDS[w]
    if w in _NEUTRAL_WORDS:
        return ">="
    m = _AFTER_RE.fullmatch(w)
    if m is not None:
        excl = bool(m.group("pre") or m.group("post"))
        if m.group("dir") == "以上":
            return ">" if excl else ">="
        return "<" if excl else "<="
    if _AFTER_OTHER_RE.fullmatch(w) is not None:
        return "<="
    return None


# Ends of a range written with a range word between them, not with comparison words.
RANGE_WORDS = "至|到|~|～|-|－|—|–"
_RANGE_WORD_RE = re.compile(RANGE_WORDS)
# What may stand between the two ends of a range once their comparison words are read off.
_RANGE_JOIN_RE = re.compile(rf"\s*(?:{RANGE_WORDS}|、|,|，|但|且|而|并且)?\s*")


def _bare_inclusion(after: str) -> bool | None:
    """ "(含)" right after a number: True; "(不含)": False; neither: None."""
    m = _AFTER_BARE_INCL_RE.match(fullwidth_to_halfwidth(after))
    return None if m is None else not m.group("pre")


def range_bounds(text: str) -> tuple[tuple[Op, NumericMatch], tuple[Op, NumericMatch]] | None:
    """The lower and upper bound of a threshold that states a range; None for anything else.

    Tiers are often set by a band (`5000万元（含）至1亿元（不含）`, `50人以上100人以下`,
    `1亿～5亿元`, `达到300万元但不足1000万元`), which is two conditions on one metric. Ends read as
    Chinese law reads them: a bare end includes its number unless marked `（不含）`.

    >>> [(op, n.value) for op, n in range_bounds("5000万元（含）至1亿元（不含）")]
    [('>=', 50000000.0), ('<', 100000000.0)]
    >>> [(op, n.value, n.unit) for op, n in range_bounds("200千瓦（含）至1兆瓦（不含）")]
    [('>=', 200.0, '千瓦'), ('<', 1000.0, '千瓦')]
    >>> range_bounds("超过500万元") is None, range_bounds("20万元、50万元") is None
    (True, True)
    """
    nums = [n for n in scan_numbers(text) if n.kind != "date"]
    if len(nums) == 1 and (low := nums[0].low) is not None and low < nums[0].value:
        n = nums[0]
        upper_op: Op = "<" if _bare_inclusion(text[n.end :]) is False else "<="
        return (">=", replace(n, value=low, low=None)), (upper_op, replace(n, low=None))
    if len(nums) != 2:
        return None
    a, b = nums
    if a.kind != b.kind or a.low is not None or b.low is not None:
        return None
    upper_end = _in_unit(b, a.unit)  # both ends in the first end's unit
    if upper_end is None or not a.value < upper_end.value:
        return None
    between, after = text[a.end : b.start], text[b.end :]
    if denominator := _shared_denominator(between, after):
        # A compound unit at both ends (`3克标准煤/千瓦时（含）至6克标准煤/千瓦时`) belongs to each end.
        between, after = between[len(denominator) :], after[len(denominator) :]
    lower = comparison_op(text[: a.start], between)
    upper = comparison_op(between, after)
    lower_op = lower[0] if lower else (">" if _bare_inclusion(between) is False else ">=")
    upper_op = upper[0] if upper else ("<" if _bare_inclusion(after) is False else "<=")
    if lower_op not in (">=", ">") or upper_op not in ("<=", "<"):
        return None
    join = between[(lower[2] if lower else 0) : len(between) - (upper[1] if upper else 0)]
    join = _AFTER_BARE_INCL_RE.sub("", fullwidth_to_halfwidth(join), count=1)
    if _RANGE_JOIN_RE.fullmatch(join) is None:
        return None
    if not (lower or upper or _RANGE_WORD_RE.search(join)):
        return None  # "20万元、50万元" lists two values
    return (lower_op, a), (upper_op, upper_end)


def _shared_denominator(between: str, after: str) -> str:
    """The `/千瓦时` that follows both ends of a band, or ''."""
    if not between.startswith("/"):
        return ""
    size = 1
    while size < min(len(between), len(after), 8) and between[size] == after[size]:
        if between[size] in _NOT_IN_DENOMINATOR:
            break
        size += 1
    return between[:size] if size > 1 and after.startswith(between[:size]) else ""


_NOT_IN_DENOMINATOR = frozenset("（()）至到～~-—－以及含不、，, ")
_TRAILING_AFTER_RE = re.compile(_AFTER_RE.pattern + r"\s*$")


def edge_comparison(text: str) -> Op | None:
    """The comparison a threshold's own words make at its edges when units stand between them and
    the number, so that `comparison_op` finds no word next to it.

    >>> edge_comparison("10蒸吨/小时以上"), edge_comparison("不高于每公斤35元"), edge_comparison("满80学时")
    ('>=', '<=', '>=')
    >>> edge_comparison("1000吨/年")
    """
    t = fullwidth_to_halfwidth(text).strip()
    word = next((w for w in _BEFORE_SORTED if t.startswith(w)), "")
    tail = _TRAILING_AFTER_RE.search(t)
    found = comparison_op(word, t[tail.start() :] if tail else "")
    return found[0] if found else None
