"""The models shipped in models/ner (the default) and models/ner-fast (6 layers, for throughput):
small, load without torch, deterministic, and quiet on text that is not a policy."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.run import Pipeline, default_model_dir

SHIPPED = [
    pytest.param(
        folder,
        id=folder.name,
        marks=pytest.mark.skipif(not (folder / "encoder.onnx").exists(), reason=f"no model in {folder}"),
    )
    for folder in (default_model_dir(), default_model_dir().parent / "ner-fast")
]

NOTICE = "对上一年度营业收入超过500万元的企业，按照上一年度营业收入的1%给予奖励，最高不超过200万元。"


@pytest.fixture(scope="module", params=SHIPPED)
def pipeline(request: pytest.FixtureRequest) -> Iterator[Pipeline]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ZHENGCE_MODEL_DIR", str(request.param))
        yield Pipeline(extractor="model")


@pytest.mark.parametrize("folder", SHIPPED)
def test_shipped_model_is_tens_of_megabytes_at_most(folder: Path) -> None:
    size = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    assert size < 50 * 1024 * 1024, f"{folder} is {size / 1e6:.1f} MB"
    assert (folder / "README.md").exists(), "the model card"


@pytest.mark.parametrize("folder", SHIPPED)
def test_shipped_model_loads_without_torch(folder: Path) -> None:
    script = (
        "import sys; sys.modules['torch'] = None; sys.modules['transformers'] = None\n"
        "from pipeline.run import Pipeline\n"
        f"doc = Pipeline(extractor='model').process_text({NOTICE!r})\n"
        "print(doc.measures[0].benefits[0].cap)\n"
    )
    env = {**os.environ, "ZHENGCE_MODEL_DIR": str(folder)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2000000.0"


@pytest.mark.parametrize(
    "text",
    [
        "The committee shall award grants of up to 20% of eligible costs, capped at USD 1 million per project.",
        "Preheat the oven to 200 degrees, add 50 g of sugar and bake for 20 minutes; serve with 10% cream.",
        "将鸡蛋打散，加入50克白糖和百分之十的淡奶油，搅拌3分钟后放入烤箱，以180度烘烤20分钟。",
        "2024年全省地区生产总值增长5.2%，规模以上工业增加值增长6%，社会消费品零售总额达到1.2万亿元。",
    ],
)
def test_shipped_model_invents_no_measures(pipeline: Pipeline, text: str) -> None:
    assert pipeline.process_text(text).measures == []


# A notice's opening and closing words around one award, as one paragraph several windows long
# (windows of 190 characters, stride 142).
_OPENING = (
    "为深入贯彻落实党中央、国务院关于促进民营经济发展壮大的决策部署，进一步优化营商环境，激发市场主体活力，"
    "结合我市实际，制定本措施。各区县要加强组织领导，细化工作举措，明确责任分工，确保各项政策落地见效。"
    "市财政局会同市发展改革委、市工业和信息化局等部门做好资金保障和绩效管理，对资金使用情况开展跟踪评价。"
    "各有关部门要简化申报流程，推行“免申即享”，提高政策兑现效率。"
)
_CLOSING = (
    "企业应当对申报材料的真实性负责，对弄虚作假、骗取财政资金的，依法追回资金并纳入信用记录。"
    "本措施由市工业和信息化局会同市财政局负责解释，自印发之日起施行，有效期三年。"
    "各区县可结合实际制定配套政策，形成市区联动、上下协同的工作格局。"
)


_REPEATED = "各地要加强组织领导，细化工作措施，确保政策落地见效。" * 12


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        (_OPENING[-100:], _CLOSING),
        (_OPENING[-160:], _CLOSING),  # the award straddles a window edge
        (_OPENING, _CLOSING),
        (_REPEATED, _REPEATED),  # one sentence over and over: no cue but position
    ],
)
def test_shipped_model_is_deterministic_and_reads_long_paragraphs(
    pipeline: Pipeline, opening: str, closing: str
) -> None:
    text = opening + NOTICE + closing
    first, second = pipeline.process_text(text), pipeline.process_text(text)
    assert first.model_dump() == second.model_dump()
    (measure,) = first.measures
    assert (measure.benefits[0].rate, measure.benefits[0].cap) == (0.01, 2_000_000)


@pytest.mark.parametrize(
    ("text", "served", "runs"),
    [
        (
            "对新引进的博士研究生，在本市连续缴纳社会保险满6个月的，按每人每月2000元给予生活补贴，补贴期限不超过3年。",
            (6, "月"),
            3,
        ),
        ("引进的高层次人才在我区缴纳社会保险满1年的，每人每年给予3万元住房补贴，连续补贴3年。", (1, "年"), 3),
    ],
)
def test_a_time_already_served_is_a_condition_not_the_benefits_duration(
    pipeline: Pipeline, text: str, served: tuple[int, str], runs: int
) -> None:
    (measure,) = pipeline.process_text(text).measures
    assert [b.duration_years for b in measure.benefits] == [runs]
    assert [(c.op, c.value, c.unit) for c in measure.conditions if c.value is not None] == [(">=", *served)]


def test_a_band_of_revenue_is_two_conditions_on_one_metric(pipeline: Pipeline) -> None:
    text = (
        "对年营业收入5000万元（含）至1亿元（不含）的企业，给予20万元奖励；"
        "年营业收入1亿元（含）以上的，给予50万元奖励。"
    )
    band, top = pipeline.process_text(text).measures
    assert [(c.op, c.value) for c in band.conditions if c.value] == [(">=", 50_000_000), ("<", 100_000_000)]
    assert [(c.op, c.value) for c in top.conditions if c.value] == [(">=", 100_000_000)]
    assert [b.amount for m in (band, top) for b in m.benefits] == [200_000, 500_000]


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        (
            "对获评省级以上专精特新中小企业的，给予20万元一次性奖励。研发投入占营业收入比重不低于5%的，优先予以推荐。",
            "获评省级以上专精特新中小企业",
        ),
        (
            "对新建5G基站的企业，按每个基站2000元给予补贴；其中年度建设数量超过100个的，在用地审批方面予以优先保障。",
            "新建5G基站",
        ),
    ],
)
def test_what_earns_priority_is_not_a_condition_of_the_award(
    pipeline: Pipeline, text: str, condition: str
) -> None:
    (measure,) = pipeline.process_text(text).measures
    assert [c.text for c in measure.conditions] == [condition]


@pytest.mark.parametrize("folder", SHIPPED)
def test_shipped_model_reads_the_same_on_any_number_of_threads(folder: Path) -> None:
    """Windows read in parallel, one per thread, give what one thread reading them in turn gives."""
    from pipeline.corpus import documents
    from pipeline.corpus.build import load_split
    from pipeline.corpus.convert import records_to_document
    from pipeline.model.extractor import ModelExtractor

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    texts = [records_to_document(d, rs).text for d, rs in documents(load_split(corpus, "dev"))][:4]
    one, three = ModelExtractor(folder, threads=1), ModelExtractor(folder, threads=3)
    assert three._readers is not None
    for text in texts:
        assert one._predict_one(text) == three._predict_one(text)
