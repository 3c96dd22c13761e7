"""Rules-engine throughput: profiles matched per second against 100 measures in 10 documents.

    .venv/bin/python bench/rules_throughput.py                      # 10,000 profiles, median of 3 runs
    .venv/bin/python bench/rules_throughput.py --profiles 500 --repeats 1

Generates documents with a realistic mix of measures (rates with caps, per-unit awards, tiers, ranges,
bands, textual conditions, gated multi-year interest subsidies) and profiles that name their facts by
the policy's words, canonical names or synonyms. Decisions are compiled once and cached; the timed
loop is `RulesEngine.match(profile, compiled_documents)` as the service would run it, explanations
included. Results go to bench/out/rules_throughput.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import random
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.document import Benefit, Condition, Measure, PolicyDocument, Source
from pipeline.profile import ApplicantProfile
from pipeline.rules import COMPILER_VERSION, RulesEngine

OUT = Path(__file__).resolve().parent / "out" / "rules_throughput.json"


def _condition(
    metric: str | None, op: str | None = None, value: float | None = None, **extra: Any
) -> Condition:
    text = extra.pop("text", None) or f"{metric}{op}{value}"
    return Condition(text=text, metric=metric, op=op, value=value, start=0, end=0, **extra)  # type: ignore[arg-type]


def _benefit(**fields: Any) -> Benefit:
    return Benefit(start=0, end=0, **fields)


def _measure(
    id_: str, title: str, conditions: list[Condition], benefits: list[Benefit], **extra: Any
) -> Measure:
    return Measure(
        id=id_, title=title, text=title, start=0, end=0, conditions=conditions, benefits=benefits, **extra
    )


Template = Callable[[random.Random, int], list[Measure]]


def _rate_on_revenue(rng: random.Random, n: int) -> list[Measure]:
    threshold = rng.choice([5e6, 1e7, 2e7])
    return [
        _measure(
            f"m{n}",
            "营业收入奖励",
            [_condition("上一年度营业收入", ">", threshold)],
            [_benefit(kind="奖励", rate=0.01, base="上一年度营业收入", cap=rng.choice([1e6, 2e6]))],
        )
    ]


def _model_rd(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "大模型研发补贴",
            [_condition("参数量", ">=", 1e11), _condition("典型应用场景", ">=", 5, unit="个")],
            [_benefit(kind="补贴", rate=0.2, base="研发总投入", cap=1e7)],
        )
    ]


def _racks(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "云服务机架补贴",
            [_condition("云服务收入占比", ">=", 0.15)],
            [_benefit(kind="补贴", unit_amount=1000, unit="物理机架", cap=3e6, one_time=True)],
        )
    ]


def _tagged_fixed(rng: random.Random, n: int) -> list[Measure]:
    tag = rng.choice(["高新技术企业", "专精特新中小企业", "科技型中小企业"])
    return [
        _measure(
            f"m{n}",
            f"{tag}奖励",
            [_condition(None, text=tag)],
            [_benefit(kind="奖励", amount=rng.choice([1e5, 2e5, 3e5]))],
        )
    ]


def _band(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "成长型企业奖励",
            [_condition("营业收入", ">=", 1e7), _condition("营业收入", "<", 5e7)],
            [_benefit(kind="奖励", amount=2e5)],
        )
    ]


def _range(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "吸纳就业奖励",
            [_condition("员工人数", ">=", 100)],
            [_benefit(kind="奖励", amount_min=1e5, cap=3e5)],
        )
    ]


def _investment_with_loan(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "智算中心建设",
            [_condition("智能算力规模", ">=", 100, unit="PFlops")],
            [
                _benefit(kind="补贴", rate=0.15, base="平台软件和硬件设备实际投资", cap=5e7),
                _benefit(kind="贴息", rate=0.02, duration_years=2, condition_text="获得项目贷款"),
            ],
        )
    ]


def _tiers(rng: random.Random, n: int) -> list[Measure]:
    group = f"t{n}"
    return [
        _measure(
            f"m{n + i}",
            "营业收入突破奖励",
            [_condition("主营业务收入", ">", threshold)],
            [_benefit(kind="奖励", amount=amount)],
            tier_group=group,
        )
        for i, (threshold, amount) in enumerate(((1e8, 2e5), (5e8, 5e5), (1e9, 1e6)))
    ]


def _yearly_interest(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "贷款贴息",
            [_condition(None, text="获得项目贷款")],
            [_benefit(kind="贴息", rate=0.5, base="贷款利息", cap=1e6, cap_per="年度", duration_years=3)],
        )
    ]


def _maximum_only(rng: random.Random, n: int) -> list[Measure]:
    return [
        _measure(
            f"m{n}",
            "国产化数据中心奖励",
            [_condition("基础软硬件实现国产化", ">=", 0.9)],
            [_benefit(kind="奖励", cap=5e6, one_time=True)],
        )
    ]


TEMPLATES: list[Template] = [
    _rate_on_revenue,
    _model_rd,
    _racks,
    _tagged_fixed,
    _band,
    _range,
    _investment_with_loan,
    _tiers,
    _yearly_interest,
    _maximum_only,
]


def make_documents(count: int, measures: int, rng: random.Random) -> list[PolicyDocument]:
    """`count` documents holding `measures` measures in all, templates in turn."""
    per_doc = [measures // count + (1 if i < measures % count else 0) for i in range(count)]
    docs, turn = [], 0
    for d, size in enumerate(per_doc):
        items: list[Measure] = []
        while len(items) < size:
            made = TEMPLATES[turn % len(TEMPLATES)](rng, len(items) + 1)
            turn += 1
            if len(items) + len(made) <= size:
                items += made
        name = f"policy_{d:03d}.txt"
        source = Source(name=name, sha256=hashlib.sha256(name.encode()).hexdigest(), media_type="text/plain")
        docs.append(PolicyDocument(source=source, measures=items))
    return docs


REVENUE_WORDS = ["上一年度营业收入", "营业收入", "主营业务收入", "销售收入", "年销售额"]
FACTS: list[tuple[list[str], Callable[[random.Random], float]]] = [
    (REVENUE_WORDS, lambda r: round(r.uniform(1e6, 2e9), -4)),
    (["研发总投入", "研发投入", "研发费用"], lambda r: round(r.uniform(1e6, 1e8), -4)),
    (["参数量"], lambda r: r.choice([7e9, 7e10, 1e11, 1.2e11, 1e12])),
    (["典型应用场景"], lambda r: r.randint(0, 12)),
    (["云服务收入占比"], lambda r: round(r.uniform(0, 0.6), 3)),
    (["物理机架", "机架数"], lambda r: r.randint(0, 6000)),
    (["员工人数", "从业人员"], lambda r: r.randint(5, 2000)),
    (["智能算力规模"], lambda r: r.randint(10, 400)),
    (["平台软件和硬件设备实际投资"], lambda r: round(r.uniform(1e7, 5e8), -4)),
    (["贷款金额", "贷款额"], lambda r: round(r.uniform(1e6, 2e8), -4)),
    (["贷款利息"], lambda r: round(r.uniform(1e5, 5e6), -2)),
    (["基础软硬件国产化率", "基础软硬件实现国产化"], lambda r: round(r.uniform(0.5, 1), 2)),
]
TAGS = [
    "高新技术企业",
    "国家高新技术企业",
    "专精特新中小企业",
    "科技型中小企业",
    "获得项目贷款",
    "形成商用案例",
]


def make_profiles(count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Profiles holding about 70% of the facts, each under one of its wordings, and a few tags."""
    profiles = []
    for i in range(count):
        facts = {rng.choice(words): value(rng) for words, value in FACTS if rng.random() < 0.7}
        tags = sorted({t for t in TAGS if rng.random() < 0.3})
        profiles.append({"name": f"企业{i:05d}", "facts": facts, "tags": tags})
    return profiles


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--documents", type=int, default=10)
    parser.add_argument("--measures", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    command = "bench/rules_throughput.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    print(f"$ .venv/bin/python {command}".rstrip())

    rng = random.Random(args.seed)
    documents = make_documents(args.documents, args.measures, rng)
    raw = make_profiles(args.profiles, rng)
    start = time.perf_counter()
    profiles = [ApplicantProfile.model_validate(p) for p in raw]
    validate_s = time.perf_counter() - start

    engine = RulesEngine()
    start = time.perf_counter()
    compiled = [engine.compile(doc) for doc in documents]
    compile_s = time.perf_counter() - start
    measures = sum(len(c.measures) for c in compiled)

    for profile in profiles[: min(200, len(profiles))]:  # warm-up: first touches, caches
        engine.match(profile, compiled)
    runs, eligible, awarded = [], 0, 0.0
    for _ in range(args.repeats):
        start = time.perf_counter()
        for profile in profiles:
            results = engine.match(profile, compiled)
        runs.append(time.perf_counter() - start)
    for profile in profiles[: min(1000, len(profiles))]:
        results = engine.match(profile, compiled)
        eligible += sum(1 for r in results if r.eligible)
        awarded += sum(r.award or 0 for r in results)
    sample = profiles[: min(1000, len(profiles))]
    start = time.perf_counter()
    for profile in sample:
        engine.match(profile, documents)  # documents, not compiled: a cache lookup by digest each time
    by_document_s = time.perf_counter() - start

    rates = [len(profiles) / s for s in runs]
    report = {
        "command": command,
        "profiles": len(profiles),
        "documents": len(documents),
        "measures": measures,
        "repeats": args.repeats,
        "profiles_per_s_median": round(statistics.median(rates), 1),
        "profiles_per_s_min": round(min(rates), 1),
        "profiles_per_s_max": round(max(rates), 1),
        "measure_evaluations_per_s_median": round(statistics.median(rates) * measures),
        "ms_per_profile_median": round(1000 / statistics.median(rates), 3),
        "profiles_per_s_from_documents": round(len(sample) / by_document_s, 1),
        "compile_s_all_documents": round(compile_s, 4),
        "profile_validation_per_s": round(len(profiles) / validate_s, 1),
        "eligible_per_profile": round(eligible / len(sample), 2),
        "mean_award_per_profile_yuan": round(awarded / len(sample)),
        "compiler": COMPILER_VERSION,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
    }
    print(
        f"{report['profiles']} profiles × {measures} measures in {len(documents)} documents, "
        f"{args.repeats} runs: {report['profiles_per_s_median']} profiles/s median "
        f"(min {report['profiles_per_s_min']}, max {report['profiles_per_s_max']}; "
        f"{report['measure_evaluations_per_s_median']} measure evaluations/s, "
        f"{report['ms_per_profile_median']} ms/profile)"
    )
    print(
        f"from documents (digest lookup each call): {report['profiles_per_s_from_documents']} profiles/s; "
        f"compile all: {report['compile_s_all_documents']} s; "
        f"validation: {report['profile_validation_per_s']} profiles/s"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results: {args.out}")
    return report


if __name__ == "__main__":
    main()
