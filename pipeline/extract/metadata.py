"""Document metadata (title, 发文字号, issuers, publish date) read from the text of a policy document.

Only text laid out as metadata counts: the title near the top, a 文号 on a line of its own (or labelled
发文字号, or appended to the title), the signature block (issuers and date), and labelled dates such as
发布日期. Dates and document numbers inside body sentences refer to other things and are never taken.
Unknown is None or an empty list, never a guess.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re

from pipeline.document import Metadata
from pipeline.normalize.numbers import parse_number

__all__ = ["extract_metadata"]

_TOP_LINES = 20  # the title and the 文号 stand within the first lines of a document
_MAX_ADJACENT = 4  # issuer lines stacked above (or below) a signature date
_MIN_YEAR, _MAX_YEAR = 1949, 2099  # a 发文 year outside this range is a misread number

_CJK = r"\u4e00-\u9fff"
_NO_PUNCT = r"[^。，；：！？!?;:,]"  # a character that may stand in a title
_SENTENCE_END = ("。", "！", "？", "；", "：", "…", "”", "!", "?", ";", ":")

_DOCNO = rf"[{_CJK}]{{1,12}}\s*[〔\[（(［【]\s*\d{{4}}\s*[〕\]）)］】]\s*第?\s*\d{{1,5}}\s*号"
_DATE = (
    r"(?:(?<!\d)(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日"
    r"|(?<!\d)(?P<iy>\d{4})[-./](?P<im>\d{1,2})[-./](?P<id>\d{1,2})(?!\d)"
    r"|(?P<cy>[〇零○Ｏ一二三四五六七八九]{4})\s*年\s*(?P<cm>十[一二]?|[一二三四五六七八九])\s*月"
    r"\s*(?P<cd>[一二三]?十[一二三四五六七八九]?|[一二三四五六七八九])\s*日)"
)
_ORG_SUFFIX = (
    "人民政府|政府|办公厅|办公室|委员会|管委会|领导小组|小组|中心|银行|分行|支行|联合会|协会|工会|"
    "集团|公司|[厅局委部署院办室司]"
)

_DOCNO_LINE_RE = re.compile(rf"[（(]?\s*(?P<no>{_DOCNO})\s*[）)]?(?:\s+.*)?")
_DOCNO_LABEL_RE = re.compile(rf"(?:发文字号|文号)\s*[:：]?\s*(?P<no>{_DOCNO})")
_TITLE_DOCNO_RE = re.compile(rf"(?P<title>.+?)\s*[（(]\s*(?P<no>{_DOCNO})\s*[）)]")
_DATE_LINE_RE = re.compile(rf"(?P<orgs>.*?)\s*[（(]?\s*{_DATE}\s*[）)]?\s*(?P<printed>印发)?")
_DATE_LABEL_RE = re.compile(
    rf"(?P<label>发布日期|发布时间|印发日期|发文日期|成文日期|成文时间)\s*[:：]?\s*{_DATE}"
)
_ISSUER_LABEL_RE = re.compile(r"(?:发文机关|发布机关|发布机构|发文单位|发布单位)\s*[:：]\s*(?P<orgs>.+)")
_ORG_RE = re.compile(rf"[{_CJK}]{{1,30}}(?:{_ORG_SUFFIX})(?:[（(][{_CJK}]{{1,15}}[）)])?")
_TITLE_RE = re.compile(
    rf"(?!特此|附件|——){_NO_PUNCT}{{2,100}}?"
    r"(?:通知|通告|公告|意见|办法|措施|细则|指南|决定|方案|计划|规划|规定|规则|批复|复函|函|纲要|条例|公示|决议|要点)"
    r"(?:[（(][^（）()]{1,20}[）)])?"
)
_FRAGMENT_RE = re.compile(rf"[{_CJK}0-9０-９《》（）()、“”\"\s—-]{{4,60}}")
_ENUM_RE = re.compile(r"(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+\s*[.、．])")
_NOT_HEADING_RE = re.compile(r"(?:据|来源|稿源|本报|记者|责任编辑|附件|特此)|.*文件$")
_HEADING_RE = re.compile(rf"{_NO_PUNCT}{{2,40}}")
_TITLE_LABEL_RE = re.compile(rf"(?:标\s*题|文件名称)\s*[:：]\s*(?P<title>{_NO_PUNCT}{{4,100}})")
_SUBTITLE_RE = re.compile(r"(?:——|－－|--)[^。；]{2,80}")
_SPLIT_RE = re.compile(r"[\s、]+")
_SPACES_RE = re.compile(r"\s+")


def extract_metadata(text: str) -> Metadata:
    """Read title, 发文字号, issuers and publish date (YYYY-MM-DD) from a document's text."""
    lines = [stripped for line in text.splitlines() if (stripped := line.strip())]
    title, title_docno = _title(lines)
    doc_number = _doc_number(lines) or title_docno
    publish_date, signers = _signature(lines)
    issuers = signers or _labelled_issuers(lines) or _title_issuers(title)
    return Metadata(title=title, doc_number=doc_number, issuers=issuers, publish_date=publish_date)


def _doc_number(lines: list[str]) -> str | None:
    for line in lines:
        if m := _DOCNO_LABEL_RE.search(line):
            return m["no"].strip()
    for line in lines:
        if m := _DOCNO_LINE_RE.fullmatch(line):
            return m["no"].strip()
    return None


def _split_docno(line: str) -> tuple[str, str | None]:
    """A title line with its 文号 appended in brackets, as many websites print it."""
    m = _TITLE_DOCNO_RE.fullmatch(line)
    return (m["title"], m["no"].strip()) if m else (line, None)


def _is_title(line: str) -> bool:
    return bool(_TITLE_RE.fullmatch(line)) and not _ENUM_RE.match(line) and not _is_metadata_line(line)


def _is_metadata_line(line: str) -> bool:
    return bool(_DOCNO_LINE_RE.fullmatch(line) or _DOCNO_LABEL_RE.search(line)) or _is_date_line(line)


def _is_date_line(line: str) -> bool:
    m = _DATE_LINE_RE.fullmatch(line)
    return m is not None and (not m["orgs"] or _orgs(m["orgs"]) is not None)


def _is_plain(line: str) -> bool:
    """Neither an enumerated item, a source or attachment line, nor a 文号 or date line."""
    return not (_ENUM_RE.match(line) or _NOT_HEADING_RE.match(line) or _is_metadata_line(line))


def _is_fragment(line: str) -> bool:
    """A line that may be the first half of a title broken over two lines."""
    return bool(_FRAGMENT_RE.fullmatch(line)) and _is_plain(line)


def _is_heading(line: str) -> bool:
    """A short standalone line without sentence punctuation: a headline, not a body sentence."""
    return bool(_HEADING_RE.fullmatch(line)) and _is_plain(line) and _orgs(line) is None


def _title(lines: list[str]) -> tuple[str | None, str | None]:
    """The title and a 文号 appended to it; a 关于印发《…》的通知 cover wins over the inner title."""
    for line in lines[:_TOP_LINES]:
        if m := _TITLE_LABEL_RE.fullmatch(line):
            title, docno = _split_docno(m["title"].strip())
            return _SPACES_RE.sub(" ", title), docno
    top = [_split_docno(line) for line in lines[:_TOP_LINES]]
    candidates: list[tuple[str, str | None]] = []
    i = 0
    while i < len(top):
        line, docno = top[i]
        if i + 1 < len(top) and not _is_title(line) and _is_fragment(line):
            nxt, nxt_docno = top[i + 1]
            joined = line + nxt
            after_issuer = nxt.startswith("关于") and _orgs(line) is not None
            broken = "关于" in line or (_is_title(nxt) and not nxt.startswith("关于") and _orgs(line) is None)
            if _is_title(joined) and (after_issuer or broken):
                candidates.append((joined, nxt_docno))
                i += 2
                continue
        if _is_title(line):
            candidates.append((line, docno))
        i += 1
    if candidates:
        title, docno = next((c for c in candidates if "印发《" in c[0]), candidates[0])
        return _SPACES_RE.sub(" ", title), docno
    headline = _headline(lines)
    return (_SPACES_RE.sub(" ", headline) if headline else None), None


def _headline(lines: list[str]) -> str | None:
    """A newspaper headline with its ——subtitle, else the first heading before the body."""
    for line, nxt in itertools.pairwise(lines):
        if _is_heading(line) and _SUBTITLE_RE.fullmatch(nxt) and not nxt.endswith(_SENTENCE_END):
            return line + nxt
    for i, line in enumerate(lines[:_TOP_LINES]):
        if line.endswith(("。", "！", "？")):
            break  # the body has begun
        prev_ok = i == 0 or lines[i - 1].endswith(_SENTENCE_END)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        nxt_ok = nxt.endswith(_SENTENCE_END) or _is_metadata_line(nxt)
        if prev_ok and nxt_ok and _is_heading(line):
            return line
    return None


def _orgs(text: str) -> list[str] | None:
    """The organisations a line names when it names nothing else, else None."""
    tokens = [t for t in _SPLIT_RE.split(text.strip()) if t]
    if tokens and all(_ORG_RE.fullmatch(t) for t in tokens):
        return tokens
    return None


def _adjacent_orgs(lines: list[str], i: int) -> list[str]:
    found: list[str] = []
    j = i - 1
    while j >= 0 and i - j <= _MAX_ADJACENT and (orgs := _orgs(lines[j])) is not None:
        found[:0] = orgs
        j -= 1
    j = i + 1
    while not found and j < len(lines) and j - i <= _MAX_ADJACENT and (orgs := _orgs(lines[j])) is not None:
        found += orgs
        j += 1
    return found


def _signature(lines: list[str]) -> tuple[str | None, list[str]]:
    """The publish date and the issuers that sign it; dates inside body sentences are never candidates.

    Ranks: 0 labelled 发布/印发 date; 1 signature (issuers beside a date line) or 成文日期;
    2 a date line of its own; 3 the 版记 line "…年…月…日印发"."""
    best: tuple[int, int, str] | None = None
    issuers: list[str] = []
    for i, line in enumerate(lines):
        rank: int
        if (m := _DATE_LABEL_RE.search(line)) is not None:
            rank = 1 if m["label"].startswith("成文") else 0
        elif (m := _DATE_LINE_RE.fullmatch(line)) is not None:
            inline = _orgs(m["orgs"]) if m["orgs"] else []
            if inline is None:
                continue
            if m["printed"]:
                rank = 3
            else:
                signers = inline or _adjacent_orgs(lines, i)
                if signers and not issuers:
                    issuers = list(dict.fromkeys(signers))
                rank = 1 if signers else 2
        else:
            continue
        date = _parse_date(m)
        if date is not None and (best is None or (rank, i) < best[:2]):
            best = (rank, i, date)
    return (best[2] if best else None), issuers


def _labelled_issuers(lines: list[str]) -> list[str]:
    for line in lines:
        if m := _ISSUER_LABEL_RE.search(line):
            found = list(itertools.takewhile(_ORG_RE.fullmatch, _SPLIT_RE.split(m["orgs"].strip())))
            if found:
                return found
    return []


def _title_issuers(title: str | None) -> list[str]:
    """Issuers named before 关于 in a title: 山西省人民政府办公厅关于…."""
    return (_orgs(title.split("关于", 1)[0]) or []) if title and "关于" in title else []


def _cn_int(numeral: str) -> int:
    """二〇二四 → 2024, 二十五 → 25 (the date pattern admits only well-formed numerals)."""
    return int(parse_number(numeral.replace("Ｏ", "〇").replace("○", "〇")) or 0)


def _parse_date(m: re.Match[str]) -> str | None:
    if m["y"]:
        parts = (int(m["y"]), int(m["m"]), int(m["d"]))
    elif m["iy"]:
        parts = (int(m["iy"]), int(m["im"]), int(m["id"]))
    else:
        parts = (_cn_int(m["cy"]), _cn_int(m["cm"]), _cn_int(m["cd"]))
    if not _MIN_YEAR <= parts[0] <= _MAX_YEAR:
        return None
    try:
        return dt.date(*parts).isoformat()
    except ValueError:
        return None
