"""Assembly: entities and relations into measures, values read through the normalisers.

Whatever found the entities (the pattern extractor or the model), a measure is built the same way:
each benefit is an anchor (its kind word, or its value when no kind is written) with the values it
points to; a clause's benefits form one measure; conditions every benefit requires belong to the
measure, a condition only some benefits require belongs to those benefits; tiers (values that each
require their own threshold) become one measure per tier. A clause that states only a cap, for no
claimant and on no condition (`上述各项支持每家企业每年累计不超过500万元`), limits measures stated
elsewhere: it is no measure of its own, and the measures it speaks of carry it as an exclusion does.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.document import Benefit, Condition, Entity, Exclusion, Measure, PolicyDocument, Relation
from pipeline.extract.segment import ENUMERATION, Clause, segment
from pipeline.labels import EntityLabel as L
from pipeline.labels import RelationLabel as R
from pipeline.normalize.cap_per import normalize_cap_per
from pipeline.normalize.numbers import (
    NumericMatch,
    comparison_op,
    edge_comparison,
    parse_percent,
    range_bounds,
    scan_numbers,
)

_VALUE_RELATIONS = {R.HAS_RATE, R.HAS_CAP, R.HAS_AMOUNT, R.HAS_UNIT_AMOUNT, R.HAS_DURATION}
_VALUE_LABELS = {L.RATE, L.CAP, L.AMOUNT, L.UNIT_AMOUNT, L.DURATION}
_SLOT = {
    L.RATE: "rate",
    L.CAP: "cap",
    L.AMOUNT: "amount",
    L.UNIT_AMOUNT: "unit_amount",
    L.DURATION: "duration",
}
_PARENTHETICAL = re.compile(r"[（(][^）)]*[)）]")
# What may stand between two conditions that are alternatives: 或 with at most a 的 or a comma
# around it (`…1兆瓦以上或储能容量…`, `…5000头以上，或年度供应种禽…`). Anything longer may join
# claimants or objects (`的高校、科研院所或龙头企业`) rather than the two conditions.
_ALTERNATIVE = re.compile(r"^[的，,、\s]*(或者|或是|或)[，,\s]*$")
_LISTED = re.compile(r"^\s*、\s*$")
_TITLE_MAX = 40
# A worked example (政策解读: `举个例子：某牧场新增存栏奶牛1800头，按每头2000元计算，可获得补贴360万元`)
# starts a sentence with one of these; it and the rest of its paragraph grant nothing (corpus rule 10).
_WORKED_EXAMPLE = re.compile(
    r"(?:^|(?<=[。！？!?；;]))[ \t　]*(?:答[:：][ \t　]*)?"
    r"(?:例如|比如|譬如|举例|举个例子|打个比方|假设|假如|以[^，。；\n]{1,24}为例"
    r"|[^。！？!?；;\n]{0,30}?算了?一?笔账)",  # `算一笔账`, `企业负责人给记者算了一笔账`
    re.MULTILINE,
)


class _Graph:
    def __init__(self, doc: PolicyDocument) -> None:
        self.entities = {e.id: e for e in doc.entities}
        self._by_start = sorted(doc.entities, key=lambda e: e.start)
        self._starts = [e.start for e in self._by_start]
        self.out: dict[str, list[Relation]] = defaultdict(list)
        self.into: dict[str, list[Relation]] = defaultdict(list)
        for r in doc.relations:
            self.out[r.head].append(r)
            self.into[r.tail].append(r)

    def within(self, start: int, end: int) -> list[Entity]:
        """Entities that start inside [start, end), in text order."""
        return self._by_start[bisect_left(self._starts, start) : bisect_left(self._starts, end)]

    def tails(self, eid: str, *labels: R) -> list[Entity]:
        return [self.entities[r.tail] for r in self.out[eid] if r.label in labels]

    def heads(self, eid: str, *labels: R) -> list[Entity]:
        return [self.entities[r.head] for r in self.into[eid] if r.label in labels]


def _number(text: str) -> tuple[NumericMatch | None, str | None]:
    """The number in an entity's text and the comparison around it."""
    nums = [n for n in scan_numbers(text) if n.kind != "date"]
    if not nums:
        return None, None
    n = nums[0]
    cmp = comparison_op(text[: n.start], text[n.end :])
    return n, cmp[0] if cmp else None


def _value_unit(n: NumericMatch) -> str | None:
    """A condition's unit; money per unit is a price (`不高于35元/公斤` -> 元/公斤), not a sum."""
    if n.kind == "money" and n.per:
        return f"{n.unit or '元'}/{n.per}"
    return n.unit if n.kind in ("quantity", "money") else None


_CHANGE_WORD = re.compile(r"(下降|降低|减少|增长|提高|增加)")
_CHANGE_NAME = {
    "下降": "降幅",
    "降低": "降幅",
    "减少": "降幅",
    "增长": "增幅",
    "提高": "增幅",
    "增加": "增幅",
}


def _threshold_conditions(graph: _Graph, threshold: Entity) -> list[Condition]:
    """The condition a threshold sets on its metric; two when it states a range (`5000万元至1亿元`)."""
    metrics = graph.heads(threshold.id, R.HAS_THRESHOLD)
    metric = metrics[0] if metrics else None
    start = min(threshold.start, metric.start) if metric else threshold.start

    name = _PARENTHETICAL.sub("", metric.text) if metric else None
    # `单位产品综合能耗下降10%以上` bounds the fall, not the quantity: the metric is its change.
    if name and (change := _CHANGE_WORD.match(threshold.text)):
        name += _CHANGE_NAME[change.group(1)]

    def condition(op: str | None, n: NumericMatch) -> Condition:
        return Condition(
            text=(metric.text if metric else "") + threshold.text if metric else threshold.text,
            metric=name,
            op=op,
            value=n.value,
            unit=_value_unit(n),
            start=start,
            end=threshold.end,
        )

    if bounds := range_bounds(threshold.text):
        return [condition(op, n) for op, n in bounds]
    n, op = _number(threshold.text)
    if n is None:
        return []
    op = op or edge_comparison(threshold.text)
    if op is None and metric:
        siblings = graph.tails(metric.id, R.HAS_THRESHOLD)
        op = next((o for o in (_number(t.text)[1] for t in siblings) if o), None)
    return [condition(op, n)]


def _conditions(graph: _Graph, ids: list[str], tier_ids: set[str]) -> list[Condition]:
    """The conditions of the required entities; a threshold required both directly and through
    its metric is one condition."""
    out: list[Condition] = []
    seen: set[str] = set()
    for eid in ids:
        e = graph.entities[eid]
        thresholds = []
        if e.label == L.METRIC:
            thresholds = [t for t in graph.tails(eid, R.HAS_THRESHOLD) if t.id not in tier_ids]
        elif e.label == L.THRESHOLD:
            thresholds = [e]
        for t in thresholds:
            if t.id not in seen:
                seen.add(t.id)
                out += _threshold_conditions(graph, t)
        if e.label == L.CONDITION:
            out.append(Condition(text=e.text, start=e.start, end=e.end))
    return out


def with_alternatives(conditions: list[Condition], text: str) -> list[Condition]:
    """Conditions joined by 或 get one `any_of` id: meeting one of them is enough.

    The corpus marks 或 in no other way (README rule 4), so the words between two conditions decide.
    The two bounds of a band share their span and so their group. The order is kept.
    """
    spans = sorted({(c.start, c.end) for c in conditions})
    worded = {(c.start, c.end): c.value is None for c in conditions}
    group_of: dict[tuple[int, int], int] = {}
    for n, span in enumerate(spans):
        before = spans[n - 1] if n else None
        joined = (
            before is not None
            and before[1] <= span[0]
            and _ALTERNATIVE.match(text[before[1] : span[0]]) is not None
        )
        group_of[span] = group_of[before] if joined and before is not None else n
        # A list of titles that ends in 或 (`取得[FDA上市许可]、[CE认证]或[WHO预认证]`) offers every
        # item as an alternative; a numeric condition before it stays required
        # (`[参保满1年]、[上年度未裁员]或[裁员率不高于5.5%]`).
        if joined and before is not None:
            k = n - 1
            while (
                k > 0
                and spans[k - 1][1] <= spans[k][0]
                and _LISTED.match(text[spans[k - 1][1] : spans[k][0]])
                and worded[spans[k - 1]]
                and worded[spans[k]]
            ):
                group_of[spans[k - 1]] = group_of[span]
                k -= 1
    sizes = Counter(group_of.values())
    names = {g: f"a{i}" for i, g in enumerate(sorted(g for g, size in sizes.items() if size > 1), start=1)}
    return [c.model_copy(update={"any_of": names.get(group_of[(c.start, c.end)])}) for c in conditions]


_ONE_TIME_REACH = 10


def _benefit(graph: _Graph, anchor: Entity, values: dict[str, Entity], doc_text: str) -> Benefit:
    ents = [anchor, *values.values()]
    start, end = min(e.start for e in ents), max(e.end for e in ents)
    b = Benefit(kind=anchor.text if anchor.label == L.BENEFIT_KIND else None, start=start, end=end)
    if rate := values.get("rate"):
        b.rate = parse_percent(rate.text)
        base = graph.tails(rate.id, R.HAS_BASE)
        b.base = base[0].text if base else None
    if cap := values.get("cap"):
        n, _ = _number(cap.text)
        b.cap = n.value if n else None
        # Tiered caps after one counting word (`单座加氢站分别最高300万元、500万元`) share it.
        per = _own_or_listed(graph, anchor, cap, R.HAS_CAP, R.COUNTED_PER)
        b.cap_per = normalize_cap_per(per[0].text) if per else None
    if amount := values.get("amount"):
        n, _ = _number(amount.text)
        if n is not None and n.low is not None:
            b.amount_min, b.cap = n.low, b.cap if b.cap is not None else n.value
        elif n is not None:
            b.amount = n.value
    if unit_amount := values.get("unit_amount"):
        n, _ = _number(unit_amount.text)
        b.unit_amount = n.value if n else None
        # Tiers listed after one unit (`分别给予每项100万元、50万元`) share it.
        units = _own_or_listed(graph, anchor, unit_amount, R.HAS_UNIT_AMOUNT, R.PER_UNIT)
        b.unit = (n.per if n and n.per else None) or ("·".join(u.text for u in units) or None)
    if duration := values.get("duration"):
        n, _ = _number(duration.text)
        if n is not None and n.value is not None:
            b.duration_years = in_years(n.value, duration.text)
    # 一次性 is written before the award, at most a name's length ahead within its clause
    # (`给予一次性求职创业补贴`), or between it and its kind word.
    lead = re.split(r"[，,；;。：:]", doc_text[max(0, start - _ONE_TIME_REACH) : start])[-1]
    b.one_time = "一次性" in lead + doc_text[start:end]
    return b


def _own_or_listed(graph: _Graph, anchor: Entity, value: Entity, listing: R, relation: R) -> list[Entity]:
    """The value's own tails by `relation`, else those of the first of the award's values (linked by
    `listing`) that has any: tiers written after one unit or counting word share it."""
    return graph.tails(value.id, relation) or next(
        (found for e in graph.tails(anchor.id, listing) if (found := graph.tails(e.id, relation))), []
    )


# Days per unit of a duration written in months, weeks or days; a duration in 年 or 年度 is in years.
_DAYS = (("月", 365 / 12), ("周", 7), ("星期", 7), ("天", 1), ("日", 1))


def in_years(value: float, text: str) -> float:
    """A benefit's duration in years, from its number and the span's words.

    >>> in_years(6, "6个月"), in_years(3, "连续3个年度"), in_years(30, "30天"), in_years(2, "两周")
    (0.5, 3, 0.0822, 0.0384)
    """
    days = next((d for word, d in _DAYS if word in text), None)
    return value if days is None else round(value * days / 365, 4)


def _anchors(graph: _Graph, clause: Clause) -> list[Entity]:
    found = []
    for e in graph.within(clause.start, clause.end):
        is_kind_anchor = e.label == L.BENEFIT_KIND and any(
            r.label in _VALUE_RELATIONS for r in graph.out[e.id]
        )
        # A value no award claims is a benefit of its own (`给予10万元`), but a duration alone grants
        # nothing: `项目实施期一般不超过3年` is no measure (the corpus has no duration without its award).
        is_bare_value = (
            e.label in _VALUE_LABELS and e.label != L.DURATION and not graph.heads(e.id, *_VALUE_RELATIONS)
        )
        if is_kind_anchor or is_bare_value:
            found.append(e)
    return sorted(found, key=lambda e: e.start)


def _tiers(graph: _Graph, anchor: Entity) -> list[tuple[dict[str, Entity], list[str]]]:
    """The anchor's values, one tier per value where a slot holds several, each with its own conditions."""
    by_slot: dict[str, list[Entity]] = defaultdict(list)
    members = [anchor] if anchor.label in _VALUE_LABELS else []
    members += [graph.entities[r.tail] for r in graph.out[anchor.id] if r.label in _VALUE_RELATIONS]
    for e in sorted(members, key=lambda e: e.start):
        by_slot[_SLOT[L(e.label)]].append(e)
    count = max((len(v) for v in by_slot.values()), default=0)
    tiers = []
    for i in range(count):
        values = {slot: es[i] if len(es) == count else es[0] for slot, es in by_slot.items()}
        own = [r.tail for e in values.values() for r in graph.out[e.id] if r.label == R.REQUIRES]
        tiers.append((values, own))
    return tiers


# The speaker label of a policy Q&A (`答：对…的，给予…`), which is not the measure's title.
_QA_LABEL = re.compile(r"^\s*[问答][：:]\s*")


_TOPIC_LEAD = re.compile(r"^在?(.{2,20}?)方面$")


def _title(clause: Clause, use_heading: bool) -> str | None:
    if use_heading and clause.heading:
        return clause.heading
    text = _QA_LABEL.sub("", ENUMERATION.sub("", clause.text, count=1))
    lead = re.split(r"[，,：:；;。]", text, maxsplit=1)[0]
    lead = re.sub(r"^(?:对于|对)", "", lead).strip().removesuffix("的")
    # A report's lead names the topic: `在智能化改造方面` → 智能化改造.
    lead = _TOPIC_LEAD.sub(r"\1", lead)
    return lead[:_TITLE_MAX] or clause.heading


@dataclass
class _Draft:
    """A benefit before it is placed in a measure."""

    benefit: Benefit
    cap: str | None  # id of its cap
    needed: list[str]  # ids of the conditions it requires, in order
    tier_ids: set[str]  # conditions that only this tier requires
    beneficiaries: list[str]


def _group(graph: _Graph, drafts: list[_Draft]) -> list[list[_Draft]]:
    """Benefits that share their numeric conditions and claimants form one measure.

    A benefit that needs a numeric condition the others do not (`再给予` once revenue passes a
    threshold) is a measure of its own, as is each tier; so are benefits granted to different claimants
    (`对企业…给予贴息；对评估机构…给予补助`). Benefits that share a claimant or a required condition
    stay together even when one names another claimant as well (`…的新建项目，给予补贴；对获得贷款的，
    给予贷款企业贴息`), and a benefit that names no claimant goes with the others.
    """
    common = set.intersection(*(set(d.needed) for d in drafts))

    def numeric_extra(d: _Draft) -> frozenset[str]:
        numeric = (L.METRIC, L.THRESHOLD)
        return (
            frozenset(i for i in d.needed if i not in common and graph.entities[i].label in numeric)
            | d.tier_ids
        )

    by_numeric: dict[frozenset[str], list[_Draft]] = {}
    for d in drafts:
        by_numeric.setdefault(numeric_extra(d), []).append(d)
    groups = []
    for members in by_numeric.values():
        unnamed = [d for d in members if not d.beneficiaries]
        position = {id(d): n for n, d in enumerate(members)}
        named: list[tuple[set[str], list[_Draft]]] = []  # claimants shared within, disjoint between
        for d in members:
            if not d.beneficiaries:
                continue
            # A benefit that requires another's condition follows up on its claimant (rule 15).
            claimants, drafts_of = set(d.beneficiaries) | {f"requires {i}" for i in d.needed}, [d]
            for other in [g for g in named if g[0] & claimants]:
                named.remove(other)
                claimants |= other[0]
                drafts_of = sorted(other[1] + drafts_of, key=lambda x: position[id(x)])
            named.append((claimants, drafts_of))
        named.sort(key=lambda g: position[id(g[1][0])])
        if named:
            # Benefits stay in reading order when the unnamed ones join the first claimant's.
            first = sorted(unnamed + named[0][1], key=lambda x: position[id(x)])
            groups += [first, *(g[1] for g in named[1:])]
        else:
            groups.append(unnamed)
    return groups


def assemble(doc: PolicyDocument) -> list[Measure]:
    """Build the measures of a document from its entities and relations."""
    graph = _Graph(doc)
    measures: list[Measure] = []
    used_heading: str | None = None
    # The title of the first measure that required each condition: a follow-up benefit in a later
    # clause (`…；交付船舶属于首制船型的，再给予…`) shares its conditions and keeps its title.
    title_of_condition: dict[str, str | None] = {}
    examples = [m.start() for m in _WORKED_EXAMPLE.finditer(doc.text)]
    limits: list[Clause] = []  # clauses that only cap measures stated elsewhere
    clauses = segment(doc.text)
    for clause in clauses:
        if clause.is_heading or _in_worked_example(clause, examples, doc.text):
            continue
        drafts: list[_Draft] = []
        for anchor in _anchors(graph, clause):
            required = [r.tail for r in graph.out[anchor.id] if r.label == R.REQUIRES]
            claimants = [e.text for e in graph.tails(anchor.id, R.FOR)]
            tiers = [
                (
                    _benefit(graph, anchor, values, doc.text),
                    values["cap"].id if "cap" in values else None,
                    own,
                )
                for values, own in _tiers(graph, anchor)
            ]
            # One award's tiers are all one-time when any is (`分别一次性给予20万元、50万元奖励`).
            one_time = any(benefit.one_time for benefit, _, _ in tiers)
            for benefit, cap, own in tiers:
                benefit.one_time = one_time
                needed = list(dict.fromkeys(required + own))
                drafts.append(_Draft(benefit, cap, needed, set(own) - set(required), claimants))
        if not drafts:
            continue
        if all(_limits_others(d) for d in drafts):
            limits.append(clause)
            continue
        title = _title(clause, use_heading=clause.heading is not None and clause.heading != used_heading)
        used_heading = clause.heading
        all_tier_ids = set().union(*(d.tier_ids for d in drafts))
        tier_group = f"t{len(measures) + 1}" if all_tier_ids else None
        for group in _group(graph, drafts):
            common = set.intersection(*(set(d.needed) for d in group))
            ordered_common = [i for i in group[0].needed if i in common]
            tier_ids = set().union(*(d.tier_ids for d in group))
            conditions = _conditions(graph, ordered_common, all_tier_ids - tier_ids)
            conditions = with_alternatives(conditions, doc.text)
            for d in group:
                extra = [graph.entities[i] for i in d.needed if i not in common]
                d.benefit.condition_text = "；".join(e.text for e in extra if e.label == L.CONDITION) or None
            shared_cap = _shared_cap(group)
            followed = [title_of_condition[i] for i in ordered_common if i in title_of_condition]
            measure_title = followed[0] if followed else title
            for i in ordered_common:
                title_of_condition.setdefault(i, measure_title)
            measures.append(
                Measure(
                    id=f"m{len(measures) + 1}",
                    title=measure_title,
                    text=clause.text,
                    start=clause.start,
                    end=clause.end,
                    beneficiaries=list(dict.fromkeys(b for d in group for b in d.beneficiaries)),
                    conditions=conditions,
                    benefits=[d.benefit for d in group],
                    cap=shared_cap.cap if shared_cap else None,
                    cap_per=shared_cap.cap_per if shared_cap else None,
                    tier_group=tier_group if any(d.tier_ids for d in group) else None,
                    confidence=_confidence(graph, clause),
                )
            )
    attach_exclusions(doc, measures, clauses, limits)
    return measures


def _limits_others(draft: _Draft) -> bool:
    """A bare cap for no claimant and on no condition (`上述两项补助合计不超过1000万元`): a limit on
    awards stated elsewhere. A cap with a claimant or a condition is an award of up to that much
    (`对新认定的国家级、省级平台，分别给予最高100万元、50万元`)."""
    b = draft.benefit
    only_a_cap = b.cap is not None and b.kind is None and b.amount_min is None
    only_a_cap &= b.rate is None and b.amount is None and b.unit_amount is None
    return only_a_cap and not draft.needed and not draft.beneficiaries


def attach_exclusions(
    doc: PolicyDocument, measures: list[Measure], clauses: Sequence[Clause], limits: list[Clause]
) -> None:
    """Give each measure the sentences (of the document's `clauses`) with an `EXCLUSION`, or the
    `limits` (clauses that cap measures stated elsewhere), that qualify it: those in its own
    clause (`…给予贴息，贷款逾期部分不予贴息`); else those in its paragraph (`…每人每月1000元。
    同一人员同一年度不重复补贴。`); and those that stand apart from every measure, the document's
    general provisions (`同一项目符合本办法多项条款的，按照就高原则支持，不重复享受`,
    `上述各项支持每家企业每年累计不超过500万元`), which qualify them all."""
    if not measures:
        return
    starts = [c.start for c in clauses]
    positions = sorted([e.start for e in doc.entities if e.label == L.EXCLUSION] + [c.start for c in limits])
    seen: set[int] = set()
    for position in positions:
        at = bisect_left(starts, position + 1) - 1
        if at < 0 or position >= clauses[at].end or at in seen:
            continue  # outside every clause (between paragraphs), or its sentence is attached already
        seen.add(at)
        clause = clauses[at]
        paragraph_start = doc.text.rfind("\n", 0, clause.start) + 1
        paragraph_end = doc.text.find("\n", clause.end)
        paragraph_end = len(doc.text) if paragraph_end < 0 else paragraph_end
        own = [m for m in measures if m.start <= clause.start and clause.end <= m.end]
        nearby = [m for m in measures if paragraph_start <= m.start and m.end <= paragraph_end]
        scope, qualified = (
            ("clause", own) if own else ("paragraph", nearby) if nearby else ("document", measures)
        )
        for measure in qualified:
            measure.exclusions.append(
                Exclusion(text=clause.text, start=clause.start, end=clause.end, scope=scope)
            )


def _in_worked_example(clause: Clause, examples: list[int], text: str) -> bool:
    """The clause is at or after the start of a worked example in its paragraph."""
    at = bisect_left(examples, clause.start + 1) - 1
    return at >= 0 and "\n" not in text[examples[at] : clause.start]


def _shared_cap(group: list[_Draft]) -> Benefit | None:
    """The benefit whose cap two or more benefits of the measure hold (`两项补贴合计，同一企业年度不超过
    1500万元`): it bounds their sum, not each alone."""
    held = Counter(d.cap for d in group if d.cap is not None)
    return next((d.benefit for d in group if d.cap is not None and held[d.cap] > 1), None)


def _confidence(graph: _Graph, clause: Clause) -> float:
    scores = [e.score for e in graph.within(clause.start, clause.end)]
    return min(scores, default=1.0)


class Assembler:
    """Pipeline stage: writes `measures` from `entities` and `relations`."""

    name = "assemble"

    def __call__(self, doc: PolicyDocument) -> PolicyDocument:
        doc.measures = assemble(doc)
        return doc
