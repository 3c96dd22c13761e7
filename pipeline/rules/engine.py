"""Evaluate compiled decisions against an applicant profile: the `zhengce match` library call.

The Python side only builds each decision's request from the profile (which fact key each profile
fact answers, which tags it holds) and turns the decision's response into `MatchResult`s with
explanations. Comparisons, caps, ranges, years and tier selection all run in the ZEN decision.

Compiled decisions are cached by the document's `source.sha256`, a digest of its measures (two
extractions of one file differ) and the compiler version. The engine hands ZEN the parsed
`ZenDecisionContent` through a loader: `ZenDecision.evaluate` costs about 0.6 ms more per call
than `ZenEngine.evaluate` with a parsed content (it starts threads each time; measured on zen-engine 2.1.3).
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import zen
from pydantic import BaseModel, ConfigDict, Field

from pipeline.document import PolicyDocument
from pipeline.errors import RuleError
from pipeline.profile import ApplicantProfile, parse_profile
from pipeline.rules.compile import (
    COMPILER_VERSION,
    BenefitPlan,
    Check,
    CompiledDocument,
    FactSlot,
    MeasurePlan,
    compile_document,
    measures_digest,
    shared_cap,
)
from pipeline.rules.explain import money, percent, quantity
from pipeline.rules.synonyms import canonical_tag, profile_fact_key

Number = int | float
Tier = Literal["paid", "superseded", "not_reached", "undecided"]


class BenefitResult(BaseModel):
    """One benefit of a measure: its amount, or null with the reason."""

    model_config = ConfigDict(extra="forbid")

    benefit: str = Field(description="b1, b2… in the measure's order")
    kind: str | None
    award: Number | None = Field(description="yuan, in total over its years; null when undecided")
    award_min: Number | None = Field(default=None, description="the low end of a stated range")
    award_per_year: Number | None = None
    years: Number | None = None
    explanation: str


class MatchResult(BaseModel):
    """One measure judged against one profile (`../shared/CONTRACT.md`, `zhengce match` output)."""

    model_config = ConfigDict(extra="forbid")

    document: str
    measure: str
    title: str | None
    eligible: bool | None = Field(description="null when a condition cannot be decided")
    award: Number | None = Field(
        description="yuan to claim: 0 when not eligible, null while something it needs is unknown"
    )
    missing_facts: list[str] = Field(
        description="facts and tags the profile lacks to decide eligibility or award"
    )
    explanation: str
    award_known: Number | None = Field(
        default=None, description="the part of the award already decided, when a benefit is still undecided"
    )
    award_per_year: Number | None = Field(
        default=None, description="when the whole award is paid over `years`"
    )
    years: Number | None = None
    tier_group: str | None = None
    tier: Tier | None = Field(default=None, description="for tiers: paid, superseded by a higher tier, …")
    benefits: list[BenefitResult] = Field(default_factory=list)
    exclusions: list[str] = Field(
        default_factory=list,
        description="the measure's exclusions as written (`同一项目不重复享受`): no fact decides them, the "
        "applicant checks them",
    )


DocumentLike = PolicyDocument | CompiledDocument


class RulesEngine:
    """Compiles documents once and matches profiles against them.

    >>> from pipeline.document import Source
    >>> doc = PolicyDocument(source=Source(name="a.txt", sha256="0" * 64, media_type="text/plain"))
    >>> RulesEngine().match({"facts": {"营业收入": 30000000}}, [doc])
    []
    """

    def __init__(self, *, max_documents: int = 4096) -> None:
        self._max = max_documents
        self._lock = threading.Lock()
        self._compiled: OrderedDict[tuple[str, str, str], CompiledDocument] = OrderedDict()
        self._contents: dict[str, Any] = {}
        self._zen = zen.ZenEngine({"loader": self._load})

    def _load(self, key: str) -> Any:
        return self._contents[key]

    def compile(self, doc: DocumentLike) -> CompiledDocument:
        """The document's compiled decision, from the cache when it was compiled before."""
        if isinstance(doc, CompiledDocument):
            self._register(doc)
            return doc
        cache_key = (doc.source.sha256, measures_digest(doc), COMPILER_VERSION)
        with self._lock:
            found = self._compiled.get(cache_key)
            if found is not None:
                self._compiled.move_to_end(cache_key)
                return found
        compiled = compile_document(doc)
        self._register(compiled)
        return compiled

    def _register(self, compiled: CompiledDocument) -> None:
        cache_key = (compiled.sha256, compiled.digest, COMPILER_VERSION)
        with self._lock:
            if _zen_key(compiled) in self._contents:
                return
            try:
                content = zen.ZenDecisionContent(compiled.jdm_json())
                self._zen.create_decision(content).validate()
            except RuntimeError as exc:
                raise RuleError(
                    f"{compiled.name}: the compiled decision is invalid ({_zen_error(exc)})"
                ) from exc
            self._compiled[cache_key] = compiled
            self._contents[_zen_key(compiled)] = content
            while len(self._compiled) > self._max:
                _, dropped = self._compiled.popitem(last=False)
                self._contents.pop(_zen_key(dropped), None)

    def match(
        self, profile: ApplicantProfile | Mapping[str, Any], documents: Iterable[DocumentLike]
    ) -> list[MatchResult]:
        """Judge every measure of `documents` against `profile`.

        Args:
            profile: an `ApplicantProfile`, or its JSON-like dict (validated here).
            documents: ingested documents, or their `compile()` results to skip the cache lookup.

        Returns:
            One `MatchResult` per measure, in document and measure order.

        Raises:
            RuleError: the profile is invalid (the message names the field) or a decision fails.
        """
        if not isinstance(profile, ApplicantProfile):
            profile = parse_profile(profile)
        index = _ProfileIndex(profile)
        results: list[MatchResult] = []
        for doc in documents:
            compiled = self.compile(doc)
            if not compiled.measures:
                continue
            request, supplied = index.request(compiled)
            try:
                response = self._zen.evaluate(_zen_key(compiled), request)["result"]
            except RuntimeError as exc:
                raise RuleError(f"{compiled.name}: the decision failed ({_zen_error(exc)})") from exc
            results += _Reader(compiled, response, supplied).results()
        return results


_default: RulesEngine | None = None
_default_lock = threading.Lock()


def match(
    profile: ApplicantProfile | Mapping[str, Any], documents: Iterable[DocumentLike]
) -> list[MatchResult]:
    """Judge every measure of `documents` against `profile` with a shared, caching engine.

    >>> from pipeline.run import Pipeline
    >>> text = "对上一年度营业收入超过500万元的企业，按营业收入的1%给予最高200万元奖励。"
    >>> doc = Pipeline(extractor="patterns").process_text(text)
    >>> [(r.eligible, r.award) for r in match({"facts": {"营业收入": 30000000}}, [doc])]
    [(True, 300000)]
    """
    global _default
    with _default_lock:
        if _default is None:
            _default = RulesEngine()
        engine = _default
    return engine.match(profile, documents)


def _zen_key(compiled: CompiledDocument) -> str:
    return f"{compiled.sha256}:{compiled.digest}:{COMPILER_VERSION}"


def _zen_error(exc: RuntimeError) -> str:
    """ZEN's JSON error message without the Rust backtrace that follows it."""
    first = str(exc).split("\n", 1)[0]
    try:
        data = json.loads(first)
    except json.JSONDecodeError:
        return first
    if isinstance(data, dict):
        return ", ".join(f"{k}: {v}" for k, v in data.items())
    return first


# ---------------------------------------------------------------- profile → request


class _ProfileIndex:
    """A profile's facts by the policy's words and by canonical name; its tags in canonical form."""

    def __init__(self, profile: ApplicantProfile) -> None:
        self.facts = profile.facts
        self.by_key: dict[str, dict[str, Number]] = {}
        for name, value in profile.facts.items():
            self.by_key.setdefault(profile_fact_key(name), {})[name] = value
        self.tags = {canonical_tag(t) for t in profile.tags}

    def lookup(self, slot: FactSlot) -> tuple[Number | None, str | None, str | None]:
        """(value, the profile key it came from, a conflict note) for one fact the decision reads."""
        for name in (*slot.words, slot.key):
            if name in self.facts:
                return self.facts[name], name, None
        found = self.by_key.get(slot.key)
        if not found:
            return None, None, None
        if len(set(found.values())) == 1:
            name = sorted(found)[0]
            return found[name], name, None
        values = ", ".join(f"{k} {quantity(v, kind=slot.kind)}" for k, v in sorted(found.items()))
        return None, None, f"{slot.label}: the profile gives different values ({values}), none used"

    def request(
        self, compiled: CompiledDocument
    ) -> tuple[dict[str, Any], dict[str, tuple[str | None, str | None]]]:
        facts: dict[str, Number] = {}
        supplied: dict[str, tuple[str | None, str | None]] = {}
        for key, slot in compiled.facts.items():
            value, name, conflict = self.lookup(slot)
            if value is not None:
                facts[key] = value
            supplied[key] = (name, conflict)
        tags = {tag: True for tag in compiled.tags if tag in self.tags}
        return {"facts": facts, "tags": tags}, supplied


# ---------------------------------------------------------------- response → results


def _number(value: Any) -> Number | None:
    """ZEN's decimal as int when whole, else rounded to the fen."""
    if type(value) is int:
        return value
    if type(value) is not float:
        return None
    rounded = round(value, 2)
    return int(rounded) if rounded.is_integer() else rounded


class _Reader:
    """Turns one decision response into results and explanations."""

    def __init__(
        self,
        compiled: CompiledDocument,
        response: dict[str, Any],
        supplied: dict[str, tuple[str | None, str | None]],
    ) -> None:
        self.compiled = compiled
        self.facts: dict[str, Any] = response.get("facts") or {}
        self.measures: dict[str, Any] = response.get("measures") or {}
        self.tags: dict[str, Any] = response.get("tags") or {}
        self.tiers: dict[str, Any] = response.get("tiers") or {}
        self.supplied = supplied
        self.tier_of = {slot: tier for tier in compiled.tiers for slot in tier.members}

    def results(self) -> list[MatchResult]:
        return [self.result(plan) for plan in self.compiled.measures]

    # names and values

    def fact_name(self, key: str) -> str:
        """The fact as the policy names it, and the profile key that answered it when that differs."""
        slot = self.compiled.facts[key]
        source = self.supplied.get(key, (None, None))[0]
        if source is not None and source != slot.label:
            return f"{slot.label} (profile: {source})"
        return slot.label

    def fact_value(self, key: str, unit: str | None = None) -> str:
        return quantity(self.facts[key], kind=self.compiled.facts[key].kind, unit=unit)

    def threshold(self, check: Check, value: float) -> str:
        kind = self.compiled.facts[check.fact].kind if check.fact else None
        return quantity(value, kind=kind, unit=check.unit)

    # one measure

    def result(self, plan: MeasurePlan) -> MatchResult:
        out: dict[str, Any] = self.measures.get(plan.slot) or {}
        checks: dict[str, Any] = out.get("checks") or {}
        eligible = out.get("eligible")
        eligible = eligible if isinstance(eligible, bool) else None
        missing: list[str] = []
        notes: list[str] = []
        parts = [self.explain_check(c, checks, missing, notes) for c in plan.checks]
        if not plan.checks:
            parts = ["no conditions stated"]
        if eligible is False:
            missing = []  # a failed condition decides it; what else is unknown does not matter
        verdict = {True: "eligible", False: "not eligible", None: "undecided"}[eligible]
        tier = out.get("tier") if plan.slot in self.tier_of else None
        benefits: list[dict[str, Any]] = []
        award_parts: list[str] = []
        if eligible is not False and tier != "superseded":
            for bp in plan.benefits:
                result = self.benefit(plan, bp, (out.get("benefits") or {}).get(bp.id) or {}, missing, notes)
                benefits.append(result)
                award_parts.append(result["explanation"])
            if not plan.benefits:
                award_parts.append("no amount stated")
        award = _number(out.get("award"))
        known = _number(out.get("award_known"))
        text = "; ".join(parts) + f": {verdict}"
        if award_parts:
            prefix = "" if eligible else "if eligible, "
            text += "; " + prefix + "; ".join(award_parts)
        if len(benefits) > 1 and award is not None and eligible:
            text += f"; total {money(award)}"
            if (shared := shared_cap(plan)) is not None:
                text += f" (together at most {money(shared)})"
        if tier is not None:
            text += "; " + self.explain_tier(plan, tier)
        if eligible and award is None and known:
            text += f"; {money(known)} of it decided"
        if notes:
            text += "; " + "; ".join(notes)
        per_year, years = _yearly(benefits)
        # Validating a dict runs in pydantic-core: faster than keyword construction or model_construct.
        return MatchResult.model_validate(
            {
                "document": self.compiled.name,
                "measure": plan.measure.id,
                "title": plan.measure.title,
                "eligible": eligible,
                "award": award,
                "missing_facts": list(dict.fromkeys(missing)),
                "explanation": text,
                "award_known": known,
                "award_per_year": per_year if eligible and award is not None else None,
                "years": years,
                "tier_group": plan.measure.tier_group,
                "tier": tier if tier in ("paid", "superseded", "not_reached", "undecided") else None,
                "benefits": benefits,
                "exclusions": [e.text for e in plan.measure.exclusions],
            }
        )

    def explain_check(
        self, check: Check, checks: dict[str, Any], missing: list[str], notes: list[str]
    ) -> str:
        value = checks.get(check.id)
        if check.alternatives:
            undecided: list[str] = []
            parts = [self.explain_check(a, checks, undecided, notes) for a in check.alternatives]
            if value is True:
                met = next(
                    p for a, p in zip(check.alternatives, parts, strict=True) if checks.get(a.id) is True
                )
                return f"{met} (one of {len(parts)} alternatives)"
            if value is None:
                missing.extend(undecided)  # any one of them would decide it
                return "one of: " + " / ".join(parts)
            return "none of: " + " / ".join(parts)
        if check.tag is not None:
            if value is True:
                return f"has {check.tag}"
            missing.append(check.tag)
            return f"{check.tag}: not among the profile's tags"
        assert check.fact is not None
        rule = self.rule_text(check)
        if value is None:
            slot = self.compiled.facts[check.fact]
            missing.append(slot.label)
            conflict = self.supplied.get(check.fact, (None, None))[1]
            if conflict and conflict not in notes:
                notes.append(conflict)
            return f"{slot.label} unknown (needs {rule})"
        stated = f"{self.fact_name(check.fact)} {self.fact_value(check.fact, check.unit)}"
        return f"{stated} {rule}" if value else f"{stated} is not {rule}"

    def rule_text(self, check: Check) -> str:
        if len(check.bounds) == 2:
            (lower_op, lower), (upper_op, upper) = check.bounds
            left = "[" if lower_op == ">=" else "("
            right = "]" if upper_op == "<=" else ")"
            return f"in {left}{self.threshold(check, lower)}, {self.threshold(check, upper)}{right}"
        op, value = check.bounds[0]
        return f"{op} {self.threshold(check, value)}"

    def benefit(
        self, plan: MeasurePlan, bp: BenefitPlan, out: dict[str, Any], missing: list[str], notes: list[str]
    ) -> dict[str, Any]:
        b = bp.benefit
        name = b.kind or "award"
        gross = _number(out.get("gross"))
        award = _number(out.get("award"))
        amount = _number(out.get("amount")) if bp.gate is not None else award
        cap = money(b.cap) if b.cap is not None else None
        text: str
        if bp.mode == "rate" and b.rate is not None:
            rate = ("up to " if bp.rate_is_maximum else "") + percent(b.rate)
            if bp.base is None:
                text = f"{name} {rate} of an unstated base: amount unknown"
                missing.append(f"{name}计算基数")
            elif gross is None:
                label = self.compiled.facts[bp.base].label
                text = f"{name} {rate} × {label}: {label} unknown"
                missing.append(label)
                conflict = self.supplied.get(bp.base, (None, None))[1]
                if conflict and conflict not in notes:
                    notes.append(conflict)
            else:
                text = (
                    f"{name} {rate} × {self.fact_name(bp.base)} {self.fact_value(bp.base)} = {money(gross)}"
                )
        elif bp.mode == "per_unit" and b.unit_amount is not None:
            unit = b.unit or "unit"
            if bp.base is None or gross is None:
                label = self.compiled.facts[bp.base].label if bp.base else unit
                text = f"{name} {money(b.unit_amount)} per {unit}: {label} unknown"
                missing.append(label)
            else:
                count = quantity(self.facts[bp.base], kind="count")
                text = f"{name} {money(b.unit_amount)} × {self.fact_name(bp.base)} {count} = {money(gross)}"
        elif bp.mode == "fixed" and b.amount is not None:
            text = f"{name} {money(b.amount)}"
        elif bp.mode == "range" and b.amount_min is not None and b.cap is not None:
            text = f"{name} {money(b.amount_min)}–{money(b.cap)} (a range: the maximum is reported)"
        elif bp.mode == "maximum" and cap is not None:
            text = f"{name} up to {cap} (only a maximum is stated)"
        else:
            text = f"{name}: no amount stated"
        capped_by_formula = bp.mode in ("rate", "per_unit", "fixed") and cap is not None
        per_year = _number(out.get("per_year"))
        if bp.years and gross is not None and amount is not None:
            years = quantity(bp.years, kind="count")
            if capped_by_formula and bp.cap_scope == "year":
                if per_year is not None and gross > per_year:
                    text += f", capped at {cap} a year"
                text += f"; {money(per_year or 0)} a year × {years} years = {money(amount)}"
            else:
                text += f" a year × {years} years"
                if capped_by_formula and gross * bp.years > amount:
                    text += f" = {money(gross * bp.years)}, capped at {cap}"
                else:
                    text += f" = {money(amount)}"
        elif capped_by_formula and gross is not None and amount is not None:
            text += f", capped at {cap}" if gross > amount else f" (cap {cap} not reached)"
        if bp.gate is not None:
            if self.tags.get(bp.gate) is True:
                text += f" (only with {bp.gate}: has it)"
            else:
                text += f" (only with {bp.gate}: not among the profile's tags, undecided)"
                missing.append(bp.gate)
        low = b.amount_min if bp.mode == "range" else None
        if low is not None and bp.years and bp.cap_scope == "year":
            low *= bp.years
        return {
            "benefit": bp.id,
            "kind": b.kind,
            "award": award,
            "award_min": _number(low) if award is not None else None,
            "award_per_year": per_year if bp.years and award is not None else None,
            "years": _number(bp.years) if bp.years else None,
            "explanation": text,
        }

    def explain_tier(self, plan: MeasurePlan, tier: Any) -> str:
        group = self.tier_of[plan.slot]
        selected = (self.tiers.get(group.slot) or {}).get("selected")
        others = {p.slot: p for p in self.compiled.measures}
        if tier == "paid":
            return f"the highest tier reached in {group.group}: paid"
        if tier == "superseded" and selected in others:
            paid = others[selected]
            amount = _number((self.measures.get(selected) or {}).get("award"))
            shown = f" ({money(amount)})" if amount is not None else ""
            return (
                f"a higher tier of {group.group} is reached: {paid.measure.id}{shown} is paid instead, "
                "tiers are not summed"
            )
        if tier == "undecided":
            return f"which tier of {group.group} pays is undecided"
        return f"tier of {group.group} not reached"


def _yearly(benefits: Sequence[dict[str, Any]]) -> tuple[Number | None, Number | None]:
    """The measure's yearly amount and years, when every decided benefit runs over the same years."""
    spans = {b["years"] for b in benefits if b["award"]}
    if len(spans) != 1 or None in spans:
        years = max((b["years"] for b in benefits if b["years"]), default=None)
        return None, years
    per_year = sum(b["award_per_year"] or 0 for b in benefits if b["award"])
    return _number(float(per_year)), next(iter(spans))
