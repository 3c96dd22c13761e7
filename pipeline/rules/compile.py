"""Measures of one document compiled into one GoRules ZEN decision (JDM): pure and deterministic.

The graph, left to right::

    request ─┬─ m1 conditions ── m1 eligibility ── m1 award ─┬─ tier t1 table ── tier t1 award ── response
             └─ m2 conditions ── m2 eligibility ── m2 award ─┘

- *conditions* (expression node): each condition is a three-valued check over the request:
  `facts['参数量'] == null ? null : facts['参数量'] >= 100000000000`; a band on one fact is a range,
  `facts['营业收入'] in [10000000..50000000)`; a textual condition is
  `tags['形成商用案例'] == true ? true : null`; conditions joined by 或 (`any_of`) are one check,
  true when one alternative is true, false when all are false.
- *eligibility* (decision table, hit policy `first`): a failed check makes the measure not eligible,
  all checks true make it eligible, anything else leaves it undecided (null).
- *award* (expression node): per benefit `rate × base`, `unit_amount × units`, a fixed amount, a range
  or a stated maximum, bounded with `min([…, cap])`, times the years; gated by the benefit's own
  condition; summed for the measure when eligible.
- *tier* (decision table, hit policy `first`, then an expression node): measures sharing a
  `tier_group` pay only the highest tier reached.

Every node passes its input through, so the response holds the request and every intermediate value
under `measures.<slot>`, which the engine turns into explanations. The request is
`{"facts": {fact key: number}, "tags": {canonical tag: true}}`, built by `engine.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from pipeline.document import Benefit, Condition, Measure, PolicyDocument
from pipeline.rules.synonyms import (
    CURRENCIES,
    FactKind,
    canonical_tag,
    clean,
    currency_key,
    fact_key,
    fact_kind,
)

COMPILER_VERSION = "zhengce.rules.compile.v1"
CONTENT_TYPE = "application/vnd.gorules.decision"

BenefitMode = Literal["rate", "per_unit", "fixed", "range", "maximum", "none"]

_SAFE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# `最高2%`, `不超过研发总投入20%`, `按照不超过项目研发费用的10%`: the rate is a maximum.
_RATE_IS_MAXIMUM = re.compile(r"(最高|不超过|不高于|上限)[^，。；、,;]{0,14}?\d+(\.\d+)?\s*[%％]")
# 贴息 without a base: a few percent is percentage points on the loan; more is a share of the interest.
_LOAN_RATE_LIMIT = 0.1
_LOOK_BACK = 12
_LOWER = (">=", ">")
_UPPER = ("<=", "<")

_X_STEP, _Y_STEP = 320, 180


@dataclass(frozen=True)
class FactSlot:
    """A fact the decision reads as `facts['key']`, with the policy's wordings that resolved to it."""

    key: str
    words: tuple[str, ...]
    kind: FactKind | None

    @property
    def label(self) -> str:
        """How explanations and `missing_facts` name it: the policy's own first wording."""
        return self.words[0] if self.words else self.key


@dataclass(frozen=True)
class Check:
    """One eligibility check: a numeric condition, a band (two on one fact), a textual condition, or
    alternatives (conditions joined by 或, one of which is enough)."""

    id: str
    label: str
    fact: str | None = None
    tag: str | None = None
    bounds: tuple[tuple[str, float], ...] = ()
    unit: str | None = None
    alternatives: tuple[Check, ...] = ()


@dataclass(frozen=True)
class BenefitPlan:
    """How one benefit is computed."""

    id: str
    benefit: Benefit
    mode: BenefitMode
    base: str | None = None
    gate: str | None = None
    years: float | None = None
    cap_scope: Literal["year", "total"] = "total"
    rate_is_maximum: bool = False


@dataclass(frozen=True)
class MeasurePlan:
    slot: str
    measure: Measure
    checks: tuple[Check, ...]
    benefits: tuple[BenefitPlan, ...]


@dataclass(frozen=True)
class TierPlan:
    slot: str
    group: str
    members: tuple[str, ...]
    """measure slots, the highest-paying tier first"""


@dataclass(frozen=True)
class CompiledDocument:
    """A document's decision and what the engine needs to feed it and explain its answers."""

    name: str
    sha256: str
    digest: str
    measures: tuple[MeasurePlan, ...]
    tiers: tuple[TierPlan, ...]
    facts: dict[str, FactSlot]
    tags: tuple[str, ...]
    jdm: dict[str, Any] = field(repr=False)

    def jdm_json(self) -> str:
        """The decision file as written by `zhengce rules compile`: byte-identical for the same input."""
        return json.dumps(self.jdm, ensure_ascii=False, indent=2) + "\n"


def measures_digest(doc: PolicyDocument) -> str:
    """sha256 over the measures: two extractions of one source differ here, not in `source.sha256`."""
    payload = json.dumps(
        [m.model_dump(mode="json") for m in doc.measures], ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def compile_document(doc: PolicyDocument) -> CompiledDocument:
    """Compile every measure of `doc` into one ZEN decision.

    Args:
        doc: an ingested document (`zhengce ingest` output).

    Returns:
        The JDM graph (`.jdm`, `.jdm_json()`) and the plan the engine builds requests and explanations from.

    >>> from pipeline.document import Source
    >>> doc = PolicyDocument(source=Source(name="a.txt", sha256="0" * 64, media_type="text/plain"))
    >>> compile_document(doc).jdm["nodes"][0]["type"]
    'inputNode'
    """
    builder = _Builder(doc)
    plans = tuple(builder.plan_measure(i, m) for i, m in enumerate(doc.measures))
    tiers = _tier_plans(plans)
    jdm = _Graph(plans, tiers).build()
    return CompiledDocument(
        name=doc.source.name,
        sha256=doc.source.sha256,
        digest=measures_digest(doc),
        measures=plans,
        tiers=tiers,
        facts=dict(builder.facts),
        tags=tuple(builder.tags),
        jdm=jdm,
    )


# ---------------------------------------------------------------- planning


class _Builder:
    """Resolves wordings to fact keys and tags while planning measures, collecting what the decision reads."""

    def __init__(self, doc: PolicyDocument) -> None:
        self.doc = doc
        self.facts: dict[str, FactSlot] = {}
        self.tags: list[str] = []
        self.slots: set[str] = set()

    def fact(self, words: str, *, unit: str | None = None) -> str:
        key, kind, written = fact_key(words), fact_kind(words), clean(words) or words
        if unit in CURRENCIES:
            # A threshold in a foreign currency is compared with a fact in that currency, never converted.
            key, kind, written = currency_key(key, unit), "money", currency_key(written, unit)
        slot = self.facts.get(key)
        if slot is None:
            self.facts[key] = FactSlot(key=key, words=(written,), kind=kind)
        elif written not in slot.words:
            self.facts[key] = FactSlot(key=key, words=(*slot.words, written), kind=slot.kind or kind)
        return key

    def tag(self, text: str) -> str:
        tag = canonical_tag(text) or text
        if tag not in self.tags:
            self.tags.append(tag)
        return tag

    def slot(self, index: int, measure: Measure) -> str:
        slot = measure.id if _SAFE_ID.match(measure.id) else f"m{index + 1}"
        while slot in self.slots:
            slot = f"{slot}_{index + 1}"
        self.slots.add(slot)
        return slot

    def plan_measure(self, index: int, measure: Measure) -> MeasurePlan:
        return MeasurePlan(
            slot=self.slot(index, measure),
            measure=measure,
            checks=self.checks(measure.conditions),
            benefits=tuple(self.benefit(f"b{j + 1}", b) for j, b in enumerate(measure.benefits)),
        )

    def checks(self, conditions: list[Condition]) -> tuple[Check, ...]:
        """One check per condition, in their order; two bounds on one fact are a band; conditions
        with one `any_of` are one check of alternatives, at the place of the first of them."""
        checks: list[Check] = []
        bands: dict[object, int] = {}
        groups: dict[str, tuple[int, list[Check], dict[object, int]]] = {}
        for condition in conditions:
            if condition.any_of is None:
                self.add_check(checks, bands, condition, band_key=None)
                continue
            if condition.any_of not in groups:
                groups[condition.any_of] = (len(checks), [], {})
                checks.append(Check(id="", label=""))
            at, alternatives, alternative_bands = groups[condition.any_of]
            # Only the two bounds of one stated band join among alternatives: `10人以下或50人以上`
            # are two alternatives on one fact, not a band.
            self.add_check(
                alternatives, alternative_bands, condition, band_key=(condition.start, condition.end)
            )
            checks[at] = Check(
                id="", label="或".join(a.label for a in alternatives), alternatives=tuple(alternatives)
            )
        return tuple(
            replace(
                check,
                id=f"c{n}",
                alternatives=tuple(replace(a, id=f"c{n}_{k}") for k, a in enumerate(check.alternatives, 1)),
            )
            for n, check in enumerate(checks, start=1)
        )

    def add_check(
        self, checks: list[Check], bands: dict[object, int], condition: Condition, band_key: object
    ) -> None:
        """Appends the condition's check, or makes a band of it with an earlier bound on its fact."""
        if not (condition.metric and condition.op and condition.value is not None):
            text = condition.text or condition.metric or ""
            checks.append(Check(id="", label=clean(text), tag=self.tag(text)))
            return
        key = self.fact(condition.metric, unit=condition.unit)
        bound = (condition.op, condition.value)
        at = bands.get((key, band_key))
        if at is not None and _forms_band(checks[at].bounds, bound):
            previous = checks[at]
            lower, upper = sorted((*previous.bounds, bound), key=lambda b: b[0] not in _LOWER)
            checks[at] = replace(previous, label=f"{previous.label}、{condition.text}", bounds=(lower, upper))
            return
        bands[(key, band_key)] = len(checks)
        checks.append(
            Check(
                id="",
                label=condition.text or condition.metric,
                fact=key,
                bounds=(bound,),
                unit=condition.unit,
            )
        )

    def benefit(self, id_: str, b: Benefit) -> BenefitPlan:
        years = b.duration_years if b.duration_years and not b.one_time else None
        scope: Literal["year", "total"] = "year" if years and b.cap_per and "年" in b.cap_per else "total"
        gate = self.tag(b.condition_text) if b.condition_text else None
        common: dict[str, Any] = {"id": id_, "benefit": b, "gate": gate, "years": years, "cap_scope": scope}
        if b.rate is not None:
            base = b.base
            if base is None and b.kind == "贴息":
                base = "贷款金额" if b.rate <= _LOAN_RATE_LIMIT else "贷款利息"
            # `不超过研发总投入20%`: the word that makes the rate a maximum may precede the benefit's span.
            evidence = (
                self.doc.text[max(0, b.start - _LOOK_BACK) : b.end] if b.end <= len(self.doc.text) else ""
            )
            return BenefitPlan(
                mode="rate",
                base=self.fact(base) if base else None,
                rate_is_maximum=bool(_RATE_IS_MAXIMUM.search(evidence)),
                **common,
            )
        if b.unit_amount is not None:
            return BenefitPlan(mode="per_unit", base=self.fact(b.unit) if b.unit else None, **common)
        if b.amount is not None:
            return BenefitPlan(mode="fixed", **common)
        if b.cap is not None:
            return BenefitPlan(mode="range" if b.amount_min is not None else "maximum", **common)
        return BenefitPlan(mode="none", **common)


def _forms_band(bounds: tuple[tuple[str, float], ...], bound: tuple[str, float]) -> bool:
    """A lower and an upper bound on one fact, lower below upper: one range check."""
    if len(bounds) != 1:
        return False
    (op_a, value_a), (op_b, value_b) = bounds[0], bound
    if op_a in _LOWER and op_b in _UPPER:
        return value_a < value_b
    if op_a in _UPPER and op_b in _LOWER:
        return value_b < value_a
    return False


def _nominal(plan: MeasurePlan) -> float:
    """A measure's stated size, to order tiers: amounts, caps, unit amounts or rates, summed."""
    total = 0.0
    for bp in plan.benefits:
        b = bp.benefit
        total += next((v for v in (b.amount, b.cap, b.unit_amount, b.rate) if v is not None), 0.0)
    return total


def _tier_plans(plans: tuple[MeasurePlan, ...]) -> tuple[TierPlan, ...]:
    groups: dict[str, list[tuple[int, MeasurePlan]]] = {}
    for i, plan in enumerate(plans):
        if plan.measure.tier_group is not None:
            groups.setdefault(plan.measure.tier_group, []).append((i, plan))
    tiers = []
    used: set[str] = set()
    for n, (group, members) in enumerate(groups.items(), start=1):
        if len(members) < 2:
            continue
        slot = group if _SAFE_ID.match(group) and group not in used else f"t{n}"
        used.add(slot)
        # Highest stated award first; on a tie the later tier (分别给予20万元、50万元…) ranks higher.
        ordered = sorted(members, key=lambda m: (-_nominal(m[1]), -m[0]))
        tiers.append(TierPlan(slot=slot, group=group, members=tuple(p.slot for _, p in ordered)))
    return tuple(tiers)


# ---------------------------------------------------------------- the graph


def number(value: float) -> str:
    """A number literal for a ZEN expression: plain decimal, no exponent, no float noise."""
    if float(value).is_integer():
        return str(int(value))
    text = format(Decimal(repr(float(value))), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _string(value: str) -> str:
    # Keys are cleaned of quotes and backslashes (synonyms.clean), so single quotes are safe.
    return "'" + value.replace("'", "").replace("\\", "") + "'"


def _fact(key: str) -> str:
    return f"facts[{_string(key)}]"


def _tag_of(tag: str) -> str:
    return f"tags[{_string(tag)}]"


def _tag(tag: str) -> str:
    return f"{_tag_of(tag)} == true ? true : null"


def _compare(subject: str, op: str, value: float) -> str:
    return f"{subject} {op} {number(value)}"


def _band(subject: str, lower: tuple[str, float], upper: tuple[str, float]) -> str:
    left = "[" if lower[0] == ">=" else "("
    right = "]" if upper[0] == "<=" else ")"
    return f"{subject} in {left}{number(lower[1])}..{number(upper[1])}{right}"


def check_expression(check: Check) -> str:
    """The ZEN expression of one check: true, false, or null when the fact or tag is absent.
    Alternatives are true when one is true, false when all are false, null otherwise."""
    if check.alternatives:
        tests = [f"({check_expression(a)})" for a in check.alternatives]
        any_true = " or ".join(f"{t} == true" for t in tests)
        all_false = " and ".join(f"{t} == false" for t in tests)
        return f"{any_true} ? true : ({all_false} ? false : null)"
    if check.tag is not None:
        return _tag(check.tag)
    assert check.fact is not None
    subject = _fact(check.fact)
    if len(check.bounds) == 2:
        test = _band(subject, check.bounds[0], check.bounds[1])
    else:
        op, value = check.bounds[0]
        test = _compare(subject, op, value)
    return f"{subject} == null ? null : {test}"


class _Graph:
    def __init__(self, plans: tuple[MeasurePlan, ...], tiers: tuple[TierPlan, ...]) -> None:
        self.plans = plans
        self.tiers = tiers
        self.nodes: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []

    def build(self) -> dict[str, Any]:
        rows = max(len(self.plans), 1)
        middle = (rows - 1) * _Y_STEP // 2
        self.node("request", "inputNode", "Request", 0, middle, {"schema": ""})
        last: list[str] = []
        for row, plan in enumerate(self.plans):
            last.append(self.measure(plan, row))
        if not self.plans:
            last = ["request"]
        column = 4
        for tier in self.tiers:
            table = self.tier_table(tier, column, middle)
            for source in last:
                self.edge(source, table)
            last = [self.tier_awards(tier, column + 1, middle)]
            self.edge(table, last[0])
            column += 2
        self.node("response", "outputNode", "Response", column * _X_STEP, middle, {"schema": ""})
        for source in last:
            self.edge(source, "response")
        return {"contentType": CONTENT_TYPE, "nodes": self.nodes, "edges": self.edges}

    def node(self, id_: str, type_: str, name: str, x: int, y: int, content: dict[str, Any]) -> str:
        self.nodes.append(
            {"id": id_, "type": type_, "name": name, "position": {"x": x, "y": y}, "content": content}
        )
        return id_

    def edge(self, source: str, target: str) -> None:
        self.edges.append(
            {"id": f"{source}->{target}", "sourceId": source, "targetId": target, "type": "edge"}
        )

    def expressions(self, node_id: str, pairs: list[tuple[str, str]]) -> dict[str, Any]:
        return {
            "expressions": [{"id": f"{node_id}:{key}", "key": key, "value": value} for key, value in pairs],
            "passThrough": True,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
        }

    def measure(self, plan: MeasurePlan, row: int) -> str:
        y = row * _Y_STEP
        title = f"{plan.measure.id} {plan.measure.title or ''}".strip()
        prefix = f"measures.{plan.slot}"
        previous = "request"
        if plan.checks:
            node = f"{plan.slot}-conditions"
            # Each alternative is written out too, for the explanation of which one was met.
            pairs = [
                (f"{prefix}.checks.{a.id}", check_expression(a))
                for c in plan.checks
                for a in (*c.alternatives, c)
            ]
            self.node(
                node, "expressionNode", f"{title} · conditions", _X_STEP, y, self.expressions(node, pairs)
            )
            self.edge(previous, node)
            previous = node
        table = f"{plan.slot}-eligibility"
        self.node(
            table, "decisionTableNode", f"{title} · eligibility", 2 * _X_STEP, y, self.eligibility(plan)
        )
        self.edge(previous, table)
        award = f"{plan.slot}-award"
        pairs = award_expressions(plan)
        self.node(award, "expressionNode", f"{title} · award", 3 * _X_STEP, y, self.expressions(award, pairs))
        self.edge(table, award)
        return award

    def eligibility(self, plan: MeasurePlan) -> dict[str, Any]:
        prefix = f"measures.{plan.slot}"
        inputs = [{"id": c.id, "name": c.label, "field": f"{prefix}.checks.{c.id}"} for c in plan.checks]
        outputs = [
            {"id": "eligible", "name": "eligible", "field": f"{prefix}.eligible"},
            {"id": "failed", "name": "failed check", "field": f"{prefix}.failed"},
        ]
        rules: list[dict[str, str]] = []

        def rule(description: str, cells: dict[str, str], eligible: str, failed: str) -> None:
            row = {"_id": f"{plan.slot}-r{len(rules) + 1}", "_description": description}
            row.update({c.id: cells.get(c.id, "") for c in plan.checks})
            row.update({"eligible": eligible, "failed": failed})
            rules.append(row)

        for c in plan.checks:
            rule(f"{c.label}: not met", {c.id: "false"}, "false", _string(c.id))
        rule("every condition met", {c.id: "true" for c in plan.checks}, "true", "''")
        if plan.checks:
            rule("a condition cannot be decided", {}, "null", "''")
        return {
            "hitPolicy": "first",
            "inputs": inputs,
            "outputs": outputs,
            "rules": rules,
            "passThrough": True,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
        }

    def tier_table(self, tier: TierPlan, column: int, y: int) -> str:
        node = f"tier-{tier.slot}-table"
        inputs = [{"id": s, "name": s, "field": f"measures.{s}.eligible"} for s in tier.members]
        rules: list[dict[str, str]] = []
        for slot in tier.members:
            # First hit: a tier is reached only when every higher tier is known not to be.
            for cell, selected, description in (
                ("true", _string(slot), f"{slot} reached: it pays"),
                ("null", "'?'", f"{slot} undecided: the tier paid is unknown"),
            ):
                row = {"_id": f"{node}-r{len(rules) + 1}", "_description": description}
                row.update({s: (cell if s == slot else "") for s in tier.members})
                row["selected"] = selected
                rules.append(row)
        row = {"_id": f"{node}-r{len(rules) + 1}", "_description": "no tier reached"}
        row.update({s: "" for s in tier.members})
        row["selected"] = "''"
        rules.append(row)
        content = {
            "hitPolicy": "first",
            "inputs": inputs,
            "outputs": [{"id": "selected", "name": "tier paid", "field": f"tiers.{tier.slot}.selected"}],
            "rules": rules,
            "passThrough": True,
            "inputField": None,
            "outputPath": None,
            "executionMode": "single",
        }
        return self.node(
            node, "decisionTableNode", f"tier {tier.group} · highest reached", column * _X_STEP, y, content
        )

    def tier_awards(self, tier: TierPlan, column: int, y: int) -> str:
        node = f"tier-{tier.slot}-award"
        selected = f"tiers.{tier.slot}.selected"
        pairs: list[tuple[str, str]] = []
        for slot in tier.members:
            m = f"measures.{slot}"
            mine, unknown = f"{selected} == {_string(slot)}", f"{selected} == '?'"
            not_eligible = f"{m}.eligible == false"
            pairs += [
                (f"{m}.award", f"{mine} ? {m}.award : ({unknown} and not ({not_eligible}) ? null : 0)"),
                (
                    f"{m}.award_known",
                    f"{mine} ? {m}.award_known : ({unknown} and not ({not_eligible}) ? null : 0)",
                ),
                (
                    f"{m}.tier",
                    f"{mine} ? 'paid' : ({not_eligible} ? 'not_reached' : "
                    f"({unknown} ? 'undecided' : ({m}.eligible == true ? 'superseded' : 'not_reached')))",
                ),
            ]
        return self.node(
            node,
            "expressionNode",
            f"tier {tier.group} · pay one",
            column * _X_STEP,
            y,
            self.expressions(node, pairs),
        )


def award_expressions(plan: MeasurePlan) -> list[tuple[str, str]]:
    """The award node: each benefit's amounts, then the measure's award when eligible."""
    m = f"measures.{plan.slot}"
    pairs: list[tuple[str, str]] = []
    for bp in plan.benefits:
        pairs += _benefit_expressions(f"{m}.benefits.{bp.id}", bp)
    awards = [f"$.{m}.benefits.{bp.id}.award" for bp in plan.benefits]
    eligible, not_eligible = f"{m}.eligible == true", f"{m}.eligible == false"
    if awards:
        known = " and ".join(f"{a} != null" for a in awards)
        total = " + ".join(awards)
        partial = " + ".join(f"({a} ?? 0)" for a in awards)
        if (shared := shared_cap(plan)) is not None:
            total, partial = f"min([{total}, {number(shared)}])", f"min([{partial}, {number(shared)}])"
        pairs.append((f"{m}.award", f"{eligible} ? ({known} ? {total} : null) : ({not_eligible} ? 0 : null)"))
        pairs.append((f"{m}.award_known", f"{eligible} ? {partial} : ({not_eligible} ? 0 : null)"))
    else:
        pairs.append((f"{m}.award", f"{not_eligible} ? 0 : null"))
        pairs.append((f"{m}.award_known", f"{eligible} or {not_eligible} ? 0 : null"))
    return pairs


def shared_cap(plan: MeasurePlan) -> float | None:
    """The bound on the sum of the measure's benefits over all their years: a cap counted per year
    (`同一企业年度…合计不超过`) bounds each year of the longest benefit."""
    m = plan.measure
    if m.cap is None:
        return None
    yearly = m.cap_per is not None and "年" in m.cap_per
    years = max((bp.years or 1 for bp in plan.benefits), default=1) if yearly else 1
    return m.cap * years


def _benefit_expressions(p: str, bp: BenefitPlan) -> list[tuple[str, str]]:
    """`gross` (before any cap), `per_year` for awards over years, `amount` (bounded, all years) when a
    benefit-only condition gates it, and `award`."""
    b = bp.benefit
    ref = f"$.{p}"
    pairs: list[tuple[str, str]] = []
    capped_by_formula = bp.mode in ("rate", "per_unit", "fixed") and b.cap is not None
    factor = b.rate if bp.mode == "rate" else b.unit_amount if bp.mode == "per_unit" else None
    if factor is not None:
        base = _fact(bp.base) if bp.base else "null"
        pairs.append(
            (f"{p}.gross", f"{base} == null ? null : {number(factor)} * {base}" if bp.base else "null")
        )
    elif bp.mode == "fixed" and b.amount is not None:
        pairs.append((f"{p}.gross", number(b.amount)))
    elif bp.mode in ("range", "maximum") and b.cap is not None:
        if bp.mode == "range" and b.amount_min is not None:
            pairs.append((f"{p}.low", number(b.amount_min)))
        pairs.append((f"{p}.gross", number(b.cap)))
    else:
        pairs.append((f"{p}.gross", "null"))
    gross = f"{ref}.gross"
    cap = number(b.cap) if b.cap is not None else None
    if bp.years:
        years = number(bp.years)
        if capped_by_formula and bp.cap_scope == "year":
            pairs.append((f"{p}.per_year", f"{gross} == null ? null : min([{gross}, {cap}])"))
            amount = f"{ref}.per_year == null ? null : {ref}.per_year * {years}"
        elif capped_by_formula or (cap is not None and bp.cap_scope == "total"):
            pairs.append(
                (f"{p}.per_year", f"{gross} == null ? null : min([{gross} * {years}, {cap}]) / {years}")
            )
            amount = f"{gross} == null ? null : min([{gross} * {years}, {cap}])"
        else:
            pairs.append((f"{p}.per_year", gross))
            amount = f"{gross} == null ? null : {gross} * {years}"
    elif capped_by_formula:
        amount = f"{gross} == null ? null : min([{gross}, {cap}])"
    else:
        amount = gross
    if bp.gate is not None:
        pairs.append((f"{p}.amount", amount))
        pairs.append((f"{p}.award", f"{_tag_of(bp.gate)} == true ? {ref}.amount : null"))
    else:
        pairs.append((f"{p}.award", amount))
    return pairs


__all__ = [
    "COMPILER_VERSION",
    "BenefitPlan",
    "Check",
    "CompiledDocument",
    "FactSlot",
    "MeasurePlan",
    "TierPlan",
    "check_expression",
    "compile_document",
    "measures_digest",
    "number",
]
