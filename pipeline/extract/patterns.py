"""The pattern extractor: entities and relations found by hand-written rules, clause by clause.

It is the baseline the learned model must beat, its fallback, and the corpus pre-annotator, so it
writes exactly what the model writes (entities with offsets and the relations between them) and
leaves measures to `pipeline.extract.assemble`. Rules are written by hand because no library knows
how Chinese policy prose states rates, caps and thresholds; each rule is a named function below.
Scores are 1.0: a rule either matched or did not; probabilities come from the model.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from pipeline.document import Entity, PolicyDocument, Relation
from pipeline.extract.segment import Clause, segment
from pipeline.labels import EntityLabel as L
from pipeline.labels import RelationLabel as R
from pipeline.normalize.numbers import NumericMatch, comparison_op, scan_numbers

KIND_WORDS = ("贴息", "奖补", "补贴", "补助", "资助", "奖励", "补偿", "减免", "返还", "资金支持")
_KIND = re.compile("|".join(KIND_WORDS))
_PART_BREAK = "，,：:"
# 不重复享受, 不予补助, 不再重复奖励, 不得同时享受: what is excluded or not paid twice.
_EXCLUSION = re.compile(r"不(?:再|予|得)?(?:重复|同时)?(?:享受|支持|补助|补贴|奖励|奖补|资助|申报|安排)")
_LIST_JOIN = re.compile(r"^\s*(?:、|和|及|或|与|以及)\s*$")
_RATE_LEAD = re.compile(r"按照?|不超过|不高于|最高|最多|给予|享受|补贴|奖励|资助|贴息|补助")
_RATE_TAIL = re.compile(r"^\s*的?\s*(?:给予|予以|比例|补|奖|贴|资助|扶持|支持|、|，|,)")
_AMOUNT_LEAD = re.compile(r"给予|奖励|补贴|补助|资助|奖补|一次性|扶持|分别|兑现|发放|贴息")
_AMOUNT_TAIL = re.compile(
    r"^\s*的?\s*(?:一次性)?\s*(?:资金|经费)?\s*(?:奖励|补贴|补助|资助|奖补|贴息|支持|扶持)"
)
_THRESHOLD_TAIL = re.compile(
    r"^\s*(?:以下|以内)?\s*(?:的\s*(?!一次性|资金|奖励|补贴|补助|资助|奖补|贴息|比例|支持|扶持|标准)|且|或|并且|同时)"
)
# A part that states who qualifies (`对年营业收入不超过2000万元…的小微企业`) holds thresholds, not caps.
_CONDITION_PART_START = re.compile(r"^\s*(?:对于|对|凡是|凡|其中)")
_BENEFIT_TRIGGER = re.compile(r"给予|予以|按照?|奖励|补贴|补助|资助|贴息")
_CAP_WORDS = ("最高", "不超过", "最多", "不高于", "上限", "封顶", "累计不超过")
_PER_UNIT = re.compile(
    r"每(?:个|家|户|位|名|台|套|张)?([^每，,。；、最不给按的发享可奖补贴资助累标元万0-9０-９]{1,6}?|项|个|人|台|套)"
    r"(?=每|最高|不超过|累计|给|补|奖|贴|资助|发放|享受|可|标准|的标准|$)"
)
_DURATION_LEAD = re.compile(r"(?:期|期限|年限|连续|为期|时间|周期)[^，,]{0,6}$")
_CAP_PER = re.compile(
    r"(?:单个|每个|每家|每户|每|同一|单一|单家|单项|单)([^，,。；最累]{1,6}?(?:每年|年度)?)(?:累计)?"
    r"(?:补贴|奖励|资助|补助|贴息|奖补|支持)?(?:额|总额|金额|资金)?(?=最高|最多|不超过|累计)"
)
# What a cap is counted per when the claimant, not a priced unit, follows 每/单个: `单个企业每年最高`.
_CLAIMANT_UNITS = ("企业", "项目", "单位", "机构", "家", "年", "年度", "主体", "园区", "平台")
# A cap word a few characters before the amount: `同一企业年度最高奖励1000万元`.
_CAP_LEAD = re.compile(r"(?:最高|最多|不超过|不高于|上限为?|累计不超过)[^，,。；0-9０-９]{0,6}$")
_METRIC_PREFIX = re.compile(r"(?:对于|对|凡是|凡|且|或|并且|并|其|经|被|均)")
_CLAIMANT_PREFIX = re.compile(r".{0,12}?(?:企业|单位|机构|高校|医院|园区)(?!所得|数)")
_METRIC_SUFFIX = re.compile(r"(?:首次|累计|分别|均|已|的|在|为)+$")
# `签订1年以上劳动合同`: when the words before a threshold end in a verb, the metric is its object after it.
_VERB_BEFORE_QUANTITY = (
    "签订",
    "缴纳",
    "持有",
    "拥有",
    "聘用",
    "招用",
    "租用",
    "运营",
    "经营",
    "入驻",
    "实现",
)
_OBJECT_AFTER = re.compile(r"[^的，,。；;、]{2,12}")
_CONDITION_PART = re.compile(r"^(?:对于|对|凡是|凡)?(.{2,40}?)的$")
# `对新获评国家级或省级工业互联网平台的企业，`: what qualifies, then who.
_CONDITION_BEFORE_CLAIMANT = re.compile(r"^(?:对于|对|凡是|凡)(.{2,40})的[^的]{1,12}$")
_TIER_ITEM = re.compile(r"(?:国家|省|自治区|市|州|区|县|[一二三四五六七八九十\d]+)(?:级|类|档|等|星级?)")
_BENEFICIARY_NOUN = (
    "企业|机构|高校|院所|单位|个人|人才|团队|园区|平台|主体|组织|医院|学校|合作社|农户|家庭农场|商户"
    "|协会|基地|实验室|公司|经营者|服务商|应用方|项目单位|创业者|毕业生"
)
_BENEFICIARY_LIST = re.compile(
    rf"(?:支持|鼓励|引导|对于|对)((?:[^、，,。；的]{{1,12}}、)*[^、，,。；的]{{0,12}}?(?:{_BENEFICIARY_NOUN}))"
    r"(?=联合|开展|围绕|参与|建设|实施|申报|牵头|加大|转变|使用|购买|采购|向|在|，|,|通过|积极)"
)
_BENEFICIARY_AFTER_CONDITION = re.compile(rf"的([^的，,。；]{{1,12}}?(?:{_BENEFICIARY_NOUN}))$")


@dataclass
class _Value:
    """A number found in a clause, with the role the rules gave it."""

    num: NumericMatch
    role: str  # threshold, rate, cap, amount, range, unit_amount, duration
    start: int  # span in the clause, comparison words included for thresholds
    end: int
    op_given: bool = False


@dataclass
class _Benefit:
    values: list[_Value] = field(default_factory=list)
    condition_ids: list[str] = field(default_factory=list)

    def slots(self) -> set[str]:
        taken = set()
        for v in self.values:
            taken |= {"amount", "cap"} if v.role == "range" else {v.role}
        return taken


class _Annotations:
    """Collects entities and relations with document offsets and fresh ids."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.entities: list[Entity] = []
        self.relations: list[Relation] = []
        self._by_span: dict[tuple[int, int, str], str] = {}
        self._relation_keys: set[tuple[str, str, str]] = set()

    def entity(self, label: L, start: int, end: int) -> str:
        key = (start, end, label.value)
        if key not in self._by_span:
            eid = f"e{len(self.entities) + 1}"
            self._by_span[key] = eid
            self.entities.append(Entity(id=eid, label=label, start=start, end=end, text=self.text[start:end]))
        return self._by_span[key]

    def relate(self, head: str, tail: str, label: R) -> None:
        key = (head, tail, label.value)
        if key not in self._relation_keys:
            self._relation_keys.add(key)
            self.relations.append(Relation(head=head, tail=tail, label=label))


def _part_bounds(s: str, pos: int) -> tuple[int, int]:
    """The comma-separated part of a clause that contains position pos."""
    start = max(s.rfind(c, 0, pos) for c in _PART_BREAK) + 1
    ends = [i for i in (s.find(c, pos) for c in _PART_BREAK) if i >= 0]
    return start, min(ends) if ends else len(s)


def _classify(s: str, num: NumericMatch) -> _Value | None:
    """Give a number its role from the words around it."""
    part_start, part_end = _part_bounds(s, num.start)
    lead = s[part_start : num.start].rstrip()
    tail = s[num.end : part_end]
    cmp = comparison_op(s[max(0, num.start - 6) : num.start], s[num.end : num.end + 8])
    op, n_before, n_after = cmp if cmp else (None, 0, 0)
    before_word = s[num.start - n_before : num.start].strip() if n_before else ""
    cap_word = any(before_word.endswith(w) for w in _CAP_WORDS)
    span = (num.start - n_before, num.end + n_after)
    part = s[part_start:part_end]
    # `对年营业收入不超过2000万元…的小微企业，` and `连续3年保持正增长的，` state who qualifies.
    stated_as_condition = _CONDITION_PART_START.match(part) and "的" in s[num.end : part_end]
    condition_like = bool(_THRESHOLD_TAIL.match(s[num.end + n_after : part_end])) or bool(
        (stated_as_condition or part.rstrip().endswith("的")) and not _BENEFIT_TRIGGER.search(part)
    )

    def threshold() -> _Value:
        return _Value(num, "threshold", *span, op_given=True)

    if num.kind == "percent":
        if op in (">=", ">", "<") or (op == "<=" and (not cap_word or condition_like)):
            return threshold()
        if cap_word and condition_like:
            return threshold()
        if _RATE_LEAD.search(lead) or _RATE_TAIL.match(tail):
            return _Value(num, "rate", num.start, num.end)
        return None
    if num.kind == "money":
        unit_lead = lead[: len(lead) - n_before] if n_before else lead
        if num.per or (_per_unit(unit_lead) and not condition_like):
            return _Value(num, "unit_amount", num.start, num.end)
        if op in (">=", ">", "<") or (op == "<=" and (not cap_word or condition_like)):
            return threshold()
        if op == "<=" or _CAP_LEAD.search(lead) or re.match(r"^\s*(?:封顶|为上限)", tail):
            return _Value(num, "cap", num.start, num.end)
        if _AMOUNT_LEAD.search(lead) or _AMOUNT_TAIL.match(tail):
            return _Value(num, "range" if num.low is not None else "amount", num.start, num.end)
        return None
    if (
        num.kind == "quantity"
        and num.unit in ("年", "月", "个月", "天", "日")
        and not condition_like
        and _DURATION_LEAD.search(s[part_start : num.start - n_before])
    ):
        return _Value(num, "duration", num.start, num.end)
    if num.kind in ("quantity", "number") and op is not None:
        return threshold()
    return None


def _per_unit(lead: str) -> bool:
    """`每个物理机架最高1000元` prices a unit; `单个企业每年最高100万元` and `每家孵化器每年最高200万元`
    cap a claimant: a yearly limit is a cap, whoever it is counted for."""
    units = [m.group(1) for m in _PER_UNIT.finditer(lead)]
    if not units:
        return False
    per = _CAP_PER.search(lead + "最高")
    yearly = per is not None and ("年" in units or per.group(1).endswith(("每年", "年度")))
    return not (per and (yearly or all(u.endswith(_CLAIMANT_UNITS) for u in units)))


def _cap_scope(s: str, v: _Value) -> int:
    """How binding a cap is: 2 per claimant (`每家企业每年`), 1 unqualified, 0 per item (`单台设备`)."""
    part_start, _ = _part_bounds(s, v.num.start)
    per = _CAP_PER.search(s[part_start : v.start])
    if per is None:
        return 1
    return 2 if per.group(1).endswith((*_CLAIMANT_UNITS, "每年")) else 0


def _second_cap_of_same_award(s: str, benefit: _Benefit, v: _Value) -> bool:
    """`单台设备补助不超过50万元，每家企业每年累计不超过300万元`: one award with two caps.

    The contract holds one cap per benefit; the one counted per claimant is the binding one for an
    applicant, so it is kept. Returns True when `v` was merged (kept or dropped) into `benefit`.
    """
    if v.role != "cap" or "cap" not in benefit.slots():
        return False
    existing = next(u for u in benefit.values if u.role == "cap")
    kinds = {s[k[0] : k[1]] for k in (_kind_span(s, u, len(s)) for u in (existing, v)) if k}
    if len(kinds) > 1:
        return False
    if _cap_scope(s, v) >= _cap_scope(s, existing):
        benefit.values[benefit.values.index(existing)] = v
    return True


def _inherit_list_roles(s: str, nums: list[NumericMatch], values: list[_Value | None]) -> None:
    """`1亿元、5亿元、10亿元` and `20万元、50万元、100万元`: list members take the first member's role."""
    for i in range(1, len(nums)):
        prev = values[i - 1]
        current = values[i]
        if (
            prev is None
            or nums[i].kind != prev.num.kind
            or (current is not None and current.role == prev.role)
        ):
            continue
        if _LIST_JOIN.match(s[nums[i - 1].end + (prev.end - prev.num.end) : nums[i].start]):
            values[i] = _Value(nums[i], prev.role, nums[i].start, nums[i].end)


def _metric_span(s: str, end: int, after: int | None = None) -> tuple[int, int] | None:
    """What a threshold compares: the words before it back to a clause delimiter, parentheses skipped."""
    i, depth = end, 0
    while i > 0:
        c = s[i - 1]
        if c in "）)":
            depth += 1
        elif c in "（(":
            if not depth:
                break
            depth -= 1
        elif not depth and c in "，,、：:；;且或":
            break
        i -= 1
    start = i
    # The metric is the noun phrase after the last 的 outside parentheses (`…用户的云服务收入占比`).
    depth = 0
    for j in range(start, end):
        c = s[j]
        depth += c in "（("
        depth -= c in "）)"
        if c == "的" and not depth and j < end - 1:
            start = j + 1
    m = _METRIC_PREFIX.match(s, start, end)
    if m:
        start = m.end()
    # `规模以上工业企业主营业务收入`: the claimant named before the metric is not part of it.
    claimant = _CLAIMANT_PREFIX.match(s, start, end)
    if claimant and end - claimant.end() >= 2:
        start = claimant.end()
    core = _METRIC_SUFFIX.sub("", s[start:end])
    if core.endswith(_VERB_BEFORE_QUANTITY) and after is not None:
        obj = _OBJECT_AFTER.match(s, after)
        if obj:
            return obj.span()
    end = start + len(core)
    if end - start < 2 or end - start > 24:
        return None
    return start, end


def _object_start(s: str, end: int) -> int:
    """Where the noun after a threshold starts, past `以上`/`以下`: `1年以上|劳动合同`."""
    m = re.match(r"(?:以上|以下|以内)?", s[end:])
    return end + (m.end() if m else 0)


def _kind_span(s: str, value: _Value, benefit_end: int) -> tuple[int, int] | None:
    """The kind word of a benefit: after its value in the same part, else before it in that part."""
    part_start, part_end = _part_bounds(s, value.num.start)
    m = _KIND.search(s, value.end, max(part_end, min(benefit_end, len(s))))
    if m:
        return m.span()
    before = list(_KIND.finditer(s, part_start, value.start))
    return before[-1].span() if before else None


def _condition_parts(s: str, values: list[_Value]) -> Iterable[tuple[int, int]]:
    """Comma parts stated as a condition in words: `对形成商用案例的，`, `获得项目贷款的，`."""
    pos = 0
    for m in re.finditer(r"[，,]", s):
        part = s[pos : m.start()]
        cm = _CONDITION_PART.match(part)
        claimant = _CONDITION_BEFORE_CLAIMANT.match(part)
        if (
            cm is None
            and claimant
            and len(claimant.group(1)) >= 4
            and not claimant.group(1).startswith("符合")
        ):
            cm = claimant
        holds_value = any(pos <= v.start < m.start() for v in values)
        if cm and not holds_value and not re.search(r"按照?|给予", part):
            yield pos + cm.start(1), pos + cm.end(1)
        pos = m.end()


def _beneficiaries(s: str, ann: _Annotations, offset: int) -> list[str]:
    ids: list[str] = []
    for m in _BENEFICIARY_LIST.finditer(s):
        pos = m.start(1)
        for item in m.group(1).split("、"):
            if item:
                ids.append(ann.entity(L.BENEFICIARY, offset + pos, offset + pos + len(item)))
            pos += len(item) + 1
    for part_end in (m.start() for m in re.finditer(r"[，,]", s)):
        part_start = max(s.rfind(c, 0, part_end) for c in _PART_BREAK) + 1
        bm = _BENEFICIARY_AFTER_CONDITION.search(s, part_start, part_end)
        if bm and re.search(r"[0-9０-９]", s[part_start:part_end]):
            ids.append(ann.entity(L.BENEFICIARY, offset + bm.start(1), offset + bm.end(1)))
    return ids


def _tier_conditions(s: str, amounts: list[_Value], ann: _Annotations, offset: int) -> list[str]:
    """`国家级、省级…分别奖励50万元、30万元`: the listed grades, one condition per amount."""
    head = s[: amounts[0].start]
    if "分别" not in head:
        return []
    grades = [g.span() for g in _TIER_ITEM.finditer(head)]
    if len(grades) != len(amounts):
        grades = _listed_items(head)
    if len(grades) != len(amounts):
        return []
    return [ann.entity(L.CONDITION, offset + a, offset + b) for a, b in grades]


def _listed_items(head: str) -> list[tuple[int, int]]:
    """`主导制定国际标准、国家标准、行业标准的企业，分别…`: the items of the last 、 list before 分别."""
    parts = [m for m in re.finditer(r"[^，,：:；;]+", head[: head.rfind("分别")]) if "、" in m.group()]
    if not parts:
        return []
    part = parts[-1]
    text = part.group()
    cut = text.rfind("的")
    if cut > text.rfind("、"):
        text = text[:cut]
    lead = re.match(r"(?:对于|对|凡是|凡)?", text)
    skip = lead.end() if lead else 0
    pos = part.start() + skip
    items = []
    for item in text[skip:].split("、"):
        if item:
            items.append((pos, pos + len(item)))
        pos += len(item) + 1
    return items


def extract_clause(clause: Clause, ann: _Annotations) -> None:
    """Find the entities and relations of one clause."""
    s, offset = clause.text, clause.start
    nums = [n for n in scan_numbers(s) if n.kind != "date"]
    values = [_classify(s, n) for n in nums]
    _inherit_list_roles(s, nums, values)
    found = [v for v in values if v is not None]
    if not any(v.role not in ("threshold", "duration") for v in found):
        return

    # Conditions in words and numeric thresholds, in clause order, each with the id a benefit requires.
    conditions: list[tuple[int, str]] = []
    thresholds_by_metric: dict[tuple[int, int] | None, str] = {}
    threshold_ids: dict[int, str] = {}
    for v in found:
        if v.role != "threshold":
            continue
        tid = ann.entity(L.THRESHOLD, offset + v.start, offset + v.end)
        threshold_ids[id(v)] = tid
        metric = _metric_span(s, v.start, _object_start(s, v.end))
        if metric is None and thresholds_by_metric and _LIST_JOIN.match(s[_last_end(found, v) : v.start]):
            metric = list(thresholds_by_metric)[-1]
        if metric is not None:
            if metric not in thresholds_by_metric:
                thresholds_by_metric[metric] = ann.entity(L.METRIC, offset + metric[0], offset + metric[1])
                conditions.append((metric[0], thresholds_by_metric[metric]))
            ann.relate(thresholds_by_metric[metric], tid, R.HAS_THRESHOLD)
        else:
            conditions.append((v.start, tid))
    for cs, ce in _condition_parts(s, found):
        conditions.append((cs, ann.entity(L.CONDITION, offset + cs, offset + ce)))
    conditions.sort()

    # Benefits: consecutive values until a slot repeats or a new condition starts.
    benefits: list[_Benefit] = []
    for v in (v for v in found if v.role != "threshold"):
        current = benefits[-1] if benefits else None
        new_condition = current is not None and any(
            current.values[-1].end <= pos < v.start for pos, _ in conditions
        )
        if current is None and v.role == "duration":
            continue  # a period with no award before it (`有效期3年`) is not a benefit
        if current is not None and not new_condition and _second_cap_of_same_award(s, current, v):
            continue
        if current is None or new_condition or (v.role != "duration" and v.role in current.slots()):
            current = _Benefit(condition_ids=[cid for pos, cid in conditions if pos < v.start])
            benefits.append(current)
        current.values.append(v)

    tier_amounts = [v for b in benefits for v in b.values if v.role in ("amount", "range", "unit_amount")]
    tier_thresholds = [threshold_ids[id(v)] for v in found if v.role == "threshold"]
    tier_conditions: list[str] = []
    if len(tier_amounts) > 1:
        paired = len(tier_thresholds) == len(tier_amounts)
        tier_conditions = tier_thresholds if paired else _tier_conditions(s, tier_amounts, ann, offset)
    # A condition written beside the tier grades (`对新获评的国家级、省级绿色工厂`) is said by the tiers.
    skip = set(tier_conditions) | _tier_metrics(ann, tier_conditions)
    skip |= _same_part(ann, [t for t in tier_conditions if t not in tier_thresholds], s, offset)
    beneficiaries = _beneficiaries(s, ann, offset)

    for i, benefit in enumerate(benefits):
        end = benefits[i + 1].values[0].start if i + 1 < len(benefits) else len(s)
        kind = next((k for k in (_kind_span(s, v, end) for v in benefit.values) if k), None)
        anchor = (
            ann.entity(L.BENEFIT_KIND, offset + kind[0], offset + kind[1])
            if kind
            else _value_entity(s, benefit.values[0], ann, offset)
        )
        for v in benefit.values:
            vid = _value_entity(s, v, ann, offset)
            if vid != anchor:
                ann.relate(anchor, vid, _VALUE_RELATION[v.role])
            if v in tier_amounts and tier_conditions:
                ann.relate(vid, tier_conditions[tier_amounts.index(v)], R.REQUIRES)
        for cid in benefit.condition_ids:
            if cid not in skip:
                ann.relate(anchor, cid, R.REQUIRES)
        for bid in beneficiaries:
            ann.relate(anchor, bid, R.FOR)


_VALUE_LABEL = {
    "rate": L.RATE,
    "cap": L.CAP,
    "amount": L.AMOUNT,
    "range": L.AMOUNT,
    "unit_amount": L.UNIT_AMOUNT,
    "duration": L.DURATION,
}
_VALUE_RELATION = {
    "rate": R.HAS_RATE,
    "cap": R.HAS_CAP,
    "amount": R.HAS_AMOUNT,
    "range": R.HAS_AMOUNT,
    "unit_amount": R.HAS_UNIT_AMOUNT,
    "duration": R.HAS_DURATION,
}


def _last_end(found: list[_Value], v: _Value) -> int:
    before = [u.end for u in found if u.end <= v.start]
    return max(before) if before else 0


def _tier_metrics(ann: _Annotations, tier_ids: list[str]) -> set[str]:
    return {r.head for r in ann.relations if r.label == R.HAS_THRESHOLD and r.tail in tier_ids}


def _same_part(ann: _Annotations, ids: list[str], s: str, offset: int) -> set[str]:
    """Condition entities in the comma-separated part that holds one of the given entities."""
    parts = [_part_bounds(s, e.start - offset) for e in ann.entities if e.id in ids]
    return {
        e.id
        for e in ann.entities
        if e.label == L.CONDITION
        and e.id not in ids
        and any(offset + a <= e.start and e.end <= offset + b for a, b in parts)
    }


def _value_entity(s: str, v: _Value, ann: _Annotations, offset: int) -> str:
    """The value's entity, with the base of a rate, what a cap counts per and the unit of a per-unit award."""
    vid = ann.entity(_VALUE_LABEL[v.role], offset + v.start, offset + v.end)
    part_start, _ = _part_bounds(s, v.num.start)
    lead = s[part_start : v.start]
    if v.role == "rate":
        base = _base_span(lead)
        if base:
            ann.relate(
                vid,
                ann.entity(L.BASE, offset + part_start + base[0], offset + part_start + base[1]),
                R.HAS_BASE,
            )
    elif v.role == "cap":
        per = _CAP_PER.search(lead)
        if per:
            pid = ann.entity(L.CAP_PER, offset + part_start + per.start(1), offset + part_start + per.end(1))
            ann.relate(vid, pid, R.COUNTED_PER)
    elif v.role == "unit_amount" and not v.num.per:
        for m in _PER_UNIT.finditer(lead):
            uid = ann.entity(L.UNIT, offset + part_start + m.start(1), offset + part_start + m.end(1))
            ann.relate(vid, uid, R.PER_UNIT)
    return vid


def _base_span(lead: str) -> tuple[int, int] | None:
    """`按照不超过项目研发费用的` → 项目研发费用; `不超过研发总投入` → 研发总投入."""
    m = re.search(r"(?:按照?|依|以)(?:不超过|不高于|最高)?(.{2,30}?)的?\s*$", lead) or re.search(
        r"(?:不超过|不高于|最高)(.{2,30}?)的?\s*$", lead
    )
    if not m or re.search(r"[0-9０-９]|最高|给予", m.group(1)):
        return None
    return m.span(1)


class PatternExtractor:
    """Pipeline stage: clause segmentation and rules, writing `entities` and `relations`."""

    name = "patterns"

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        ann = _Annotations(doc.text)
        for clause in segment(doc.text):
            if not clause.is_heading:
                extract_clause(clause, ann)
        exclusions = [ann.entity(L.EXCLUSION, m.start(), m.end()) for m in _EXCLUSION.finditer(doc.text)]
        entities = _without_nesting(_exclusions_win(ann.entities, set(exclusions)))
        kept = {e.id for e in entities}
        doc.entities = sorted(entities, key=lambda e: (e.start, e.end))
        doc.relations = [r for r in ann.relations if r.head in kept and r.tail in kept]
        return doc


def _exclusions_win(entities: list[Entity], exclusions: set[str]) -> list[Entity]:
    """Inside 不重复补贴 the 补贴 is not an award: entities overlapping an exclusion are dropped."""
    spans = [(e.start, e.end) for e in entities if e.id in exclusions]
    return [
        e
        for e in entities
        if e.id in exclusions or not any(e.start < end and start < e.end for start, end in spans)
    ]


def _without_nesting(entities: list[Entity]) -> list[Entity]:
    """Spans never nest (the annotation guide, and what a tagger can express): a span that holds
    another gives way to it, so a list of tier items keeps its items and a condition keeps the
    beneficiary inside it (measured on train and dev: better than keeping the outer span)."""
    by_start = sorted(entities, key=lambda e: e.start)
    starts = [e.start for e in by_start]
    outer = {
        a.id
        for a in entities
        # The spans that start within `a`: few, as spans are short.
        for b in by_start[bisect_left(starts, a.start) : bisect_right(starts, a.end)]
        if b.end <= a.end and (a.start, a.end) != (b.start, b.end)
    }
    return [e for e in entities if e.id not in outer]
