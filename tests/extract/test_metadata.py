"""Tests for pipeline.extract.metadata: title, 发文字号, issuers and publish date of a policy document."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.document import Metadata
from pipeline.extract.metadata import extract_metadata
from tests.shared_data import SEED_TEXT

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "pipeline" / "samples" / "sample_notice.txt"

PROVINCIAL = """山西省人民政府办公厅关于印发山西省促进先进算力与人工智能融合发展若干措施的通知
晋政办发〔2024〕37号
各市人民政府，省人民政府各委、办、厅、局：
《山西省促进先进算力与人工智能融合发展的若干措施》已经省人民政府同意，现印发给你们，请认真贯彻执行。
山西省人民政府办公厅
2024年6月25日
（此件公开发布）"""

JOINT = """国家发展改革委 财政部 工业和信息化部关于做好2024年算力基础设施建设有关工作的通知
发改高技〔2024〕812号
各省、自治区、直辖市及计划单列市、新疆生产建设兵团发展改革委、财政厅（局）、工业和信息化主管部门：
为贯彻落实党中央、国务院决策部署，现就有关事项通知如下。
一、项目申报截止时间为2024年9月30日，逾期不予受理。
国家发展改革委
财政部
工业和信息化部
2024年7月12日"""

PROVINCIAL_JOINT_ONE_LINE = """关于开展2024年先进算力发展相关政策项目资金申报工作的通知
晋发改数字发〔2024〕215号
各市发展改革委、数据局，有关企业：
根据《山西省促进先进算力与人工智能融合发展的若干措施》（晋政办发〔2024〕37号），现将有关事项通知如下。
申报材料请于2024年9月15日前报送。
省发展改革委 省数据局
2024年8月19日"""

BUREAU_GUIDE = """2025年度明湖市数字经济发展专项资金申报指南
为做好2025年度数字经济发展专项资金申报工作，现将有关事项明确如下。
一、申报时间：2025年3月1日至2025年3月31日。
二、支持方向：智能化改造、工业互联网平台建设。
明湖市工业和信息化局
2025年2月20日"""

IMPLEMENTING_RULES = """明湖市科学技术局关于印发《明湖市科技创新券管理实施细则》的通知
明科发［2024］12号
各区县科技主管部门，各有关单位：
现将《明湖市科技创新券管理实施细则》印发给你们，请遵照执行。
明湖市科学技术局
二〇二四年十月八日
明湖市科技创新券管理实施细则
第一条 为规范科技创新券管理，根据《明湖市财政专项资金管理办法》，制定本细则。
第二十条 本细则自2024年11月1日起施行。"""

SPLIT_TITLE = """山西省人民政府办公厅关于印发山西省促进先进算力与人工智能
融合发展若干措施的通知
晋政办发〔2024〕37号
各市人民政府，省人民政府各委、办、厅、局：
现将《山西省促进先进算力与人工智能融合发展的若干措施》印发给你们，请认真贯彻执行。
山西省人民政府办公厅
2024年6月25日"""

ISSUER_ABOVE_TITLE = """北京市人民政府
关于进一步优化营商环境的若干措施
京政发[2024]5号
各区人民政府，市政府各委、办、局：
为持续优化营商环境，提出如下措施。
北京市人民政府
2024年3月1日"""

WEB_PAGE = """广东省人民政府办公厅关于加快数字化转型的实施意见（粤府办〔2024〕3号）
发布时间：2024-02-05 10:30:00
各地级以上市人民政府，省政府各部门、各直属机构：
经省人民政府同意，现提出以下意见。
本意见自印发之日起实施，有效期至2026年12月31日。"""

LABELLED_TABLE = """索引号：11140000MB0N12345X/2024-00012
发文机关：山西省财政厅 山西省科学技术厅 发文字号：晋财建〔2024〕100号
成文日期：2024年05月10日
发布日期：2024年05月13日
关于下达2024年省级科技创新专项资金的通知
各市财政局、科技局：
现将2024年省级科技创新专项资金预算下达你们，请于2024年6月30日前拨付到项目单位。"""

MINISTRY_PARENS = """财政部关于下达2024年工业转型升级资金预算的通知
财建（2024）100号
各省、自治区、直辖市财政厅（局）：
根据《工业转型升级资金管理办法》（财建〔2023〕12号）有关规定，现下达你省资金预算。
财政部
2024.4.18"""

FULLWIDTH_BRACKETS = """关于支持专精特新中小企业高质量发展的决定
粤府办［2024］3号
各地级以上市人民政府：
为支持专精特新中小企业高质量发展，作出如下决定。
广东省人民政府办公厅
二〇二四年一月三十日"""

ROUND_BRACKETS = """国务院办公厅关于加快构建全国一体化算力网的意见
国办发(2023)12号
各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
经国务院同意，现提出以下意见。
国务院办公厅
2023年12月25日"""

SIGNATURE_ON_ONE_LINE = """明湖市数据局关于开展2024年数据要素应用场景征集的通知
各区县数据主管部门：
请于2024年10月31日前报送场景材料。
明湖市数据局 2024年9月2日"""

PLAN = """明湖市算力基础设施高质量发展行动方案
为加快建设算力基础设施，制定本方案。
一、发展目标
到2026年，全市算力规模超过5000PFlops。
明湖市发展和改革委员会
2024年5月20日"""

ZERO_NUMERAL_DATE = """关于做好2020年稳就业工作的通知
各县（市、区）人民政府：
现就做好稳就业工作通知如下。
明湖市人民政府办公室
二零二零年三月五日"""

RING_NUMERAL_DATE = """明湖市人民政府关于表彰2023年度科技创新先进集体的决定
各区县人民政府：
决定对科技创新先进集体予以表彰。
明湖市人民政府
二○二四年二月二十八日"""

PRINTED_ONLY = """明湖市财政局关于调整市级财政专项资金管理办法的通知
各区县财政局：
本通知自2024年7月1日起施行。
明湖市财政局办公室 2024年6月3日印发"""

WITHOUT_SIGNATURE = """关于组织申报2024年度省级专精特新中小企业的通知
各市工业和信息化局：
请于2024年8月31日前完成推荐工作，逾期不予受理。
联系人：张明，电话：0351-1234567。"""

BODY_DATES_ONLY = """为推动数字经济发展，现将2024年度项目申报有关事项通知如下。
申报截止时间为2024年9月30日。
本措施自2025年1月1日起施行，有效期3年。"""

NEWSPAPER = """我省出台若干措施支持数字经济发展
本报讯（记者 王明）8月19日，省发改委、省数据局联合发出通知，部署先进算力项目资金申报工作。
记者从省发改委获悉，这一政策自6月25日印发以来受到广泛关注。"""

NEWSPAPER_SUBTITLE = """据《明湖日报》
政策含金量高 企业获得感强
——《明湖市促进数字经济高质量发展若干措施》解读
12月20日，记者从市发展改革委获悉，《措施》共12条。
今年以来，我市数字经济持续较快增长。"""

HEADING_ONLY = """数字经济发展专项行动
为加快数字经济发展，现提出如下工作安排。
一、加强组织领导。"""

RED_HEAD_TWO_ISSUERS = """中共明湖市委办公室
明湖市人民政府办公室
关于加强基层治理体系建设的意见
明办发〔2024〕9号
各区县党委和人民政府，市直各单位：
现就加强基层治理体系建设提出如下意见。
中共明湖市委办公室
明湖市人民政府办公室
2024年3月5日"""

WEBSITE_TABLE_WITH_TITLE_LABEL = """发文机关：国务院办公厅
标题：国务院办公厅关于加快构建全国一体化算力网的意见
发文字号：国办发〔2023〕12号
成文日期：2023年12月25日
经国务院同意，现提出以下意见。"""

CLOSING_FORMULA = """特此通知
2024年3月5日"""

INVALID_DATE = """关于开展安全生产检查的通知
各区县应急管理局：
请认真组织实施。
明湖市应急管理局
2024年2月30日"""


CASES = [
    pytest.param(
        PROVINCIAL,
        Metadata(
            title="山西省人民政府办公厅关于印发山西省促进先进算力与人工智能融合发展若干措施的通知",
            doc_number="晋政办发〔2024〕37号",
            issuers=["山西省人民政府办公厅"],
            publish_date="2024-06-25",
        ),
        id="provincial-office-notice",
    ),
    pytest.param(
        JOINT,
        Metadata(
            title="国家发展改革委 财政部 工业和信息化部关于做好2024年算力基础设施建设有关工作的通知",
            doc_number="发改高技〔2024〕812号",
            issuers=["国家发展改革委", "财政部", "工业和信息化部"],
            publish_date="2024-07-12",
        ),
        id="ministries-joint-notice-stacked-signature",
    ),
    pytest.param(
        PROVINCIAL_JOINT_ONE_LINE,
        Metadata(
            title="关于开展2024年先进算力发展相关政策项目资金申报工作的通知",
            doc_number="晋发改数字发〔2024〕215号",
            issuers=["省发展改革委", "省数据局"],
            publish_date="2024-08-19",
        ),
        id="joint-issuers-on-one-line-cited-docno-ignored",
    ),
    pytest.param(
        BUREAU_GUIDE,
        Metadata(
            title="2025年度明湖市数字经济发展专项资金申报指南",
            issuers=["明湖市工业和信息化局"],
            publish_date="2025-02-20",
        ),
        id="bureau-application-guide",
    ),
    pytest.param(
        IMPLEMENTING_RULES,
        Metadata(
            title="明湖市科学技术局关于印发《明湖市科技创新券管理实施细则》的通知",
            doc_number="明科发［2024］12号",
            issuers=["明湖市科学技术局"],
            publish_date="2024-10-08",
        ),
        id="implementing-rules-with-cover",
    ),
    pytest.param(
        SPLIT_TITLE,
        Metadata(
            title="山西省人民政府办公厅关于印发山西省促进先进算力与人工智能融合发展若干措施的通知",
            doc_number="晋政办发〔2024〕37号",
            issuers=["山西省人民政府办公厅"],
            publish_date="2024-06-25",
        ),
        id="title-split-over-two-lines",
    ),
    pytest.param(
        ISSUER_ABOVE_TITLE,
        Metadata(
            title="北京市人民政府关于进一步优化营商环境的若干措施",
            doc_number="京政发[2024]5号",
            issuers=["北京市人民政府"],
            publish_date="2024-03-01",
        ),
        id="issuer-line-above-title-square-brackets",
    ),
    pytest.param(
        WEB_PAGE,
        Metadata(
            title="广东省人民政府办公厅关于加快数字化转型的实施意见",
            doc_number="粤府办〔2024〕3号",
            issuers=["广东省人民政府办公厅"],
            publish_date="2024-02-05",
        ),
        id="web-page-docno-after-title-iso-date",
    ),
    pytest.param(
        LABELLED_TABLE,
        Metadata(
            title="关于下达2024年省级科技创新专项资金的通知",
            doc_number="晋财建〔2024〕100号",
            issuers=["山西省财政厅", "山西省科学技术厅"],
            publish_date="2024-05-13",
        ),
        id="labelled-metadata-table-prefers-publish-date",
    ),
    pytest.param(
        MINISTRY_PARENS,
        Metadata(
            title="财政部关于下达2024年工业转型升级资金预算的通知",
            doc_number="财建（2024）100号",
            issuers=["财政部"],
            publish_date="2024-04-18",
        ),
        id="parenthesised-docno-dotted-date",
    ),
    pytest.param(
        FULLWIDTH_BRACKETS,
        Metadata(
            title="关于支持专精特新中小企业高质量发展的决定",
            doc_number="粤府办［2024］3号",
            issuers=["广东省人民政府办公厅"],
            publish_date="2024-01-30",
        ),
        id="fullwidth-square-brackets-chinese-date",
    ),
    pytest.param(
        ROUND_BRACKETS,
        Metadata(
            title="国务院办公厅关于加快构建全国一体化算力网的意见",
            doc_number="国办发(2023)12号",
            issuers=["国务院办公厅"],
            publish_date="2023-12-25",
        ),
        id="ascii-round-brackets",
    ),
    pytest.param(
        SIGNATURE_ON_ONE_LINE,
        Metadata(
            title="明湖市数据局关于开展2024年数据要素应用场景征集的通知",
            issuers=["明湖市数据局"],
            publish_date="2024-09-02",
        ),
        id="issuer-and-date-on-one-line",
    ),
    pytest.param(
        PLAN,
        Metadata(
            title="明湖市算力基础设施高质量发展行动方案",
            issuers=["明湖市发展和改革委员会"],
            publish_date="2024-05-20",
        ),
        id="plan-without-cover",
    ),
    pytest.param(
        ZERO_NUMERAL_DATE,
        Metadata(
            title="关于做好2020年稳就业工作的通知",
            issuers=["明湖市人民政府办公室"],
            publish_date="2020-03-05",
        ),
        id="chinese-numeral-date-with-ling",
    ),
    pytest.param(
        RING_NUMERAL_DATE,
        Metadata(
            title="明湖市人民政府关于表彰2023年度科技创新先进集体的决定",
            issuers=["明湖市人民政府"],
            publish_date="2024-02-28",
        ),
        id="chinese-numeral-date-with-ring-zero",
    ),
    pytest.param(
        PRINTED_ONLY,
        Metadata(
            title="明湖市财政局关于调整市级财政专项资金管理办法的通知",
            issuers=["明湖市财政局"],
            publish_date="2024-06-03",
        ),
        id="printed-date-only-issuer-from-title",
    ),
    pytest.param(
        WITHOUT_SIGNATURE,
        Metadata(title="关于组织申报2024年度省级专精特新中小企业的通知"),
        id="no-signature-deadline-not-a-publish-date",
    ),
    pytest.param(BODY_DATES_ONLY, Metadata(), id="body-sentences-only"),
    pytest.param(
        NEWSPAPER,
        Metadata(title="我省出台若干措施支持数字经济发展"),
        id="newspaper-report-without-year",
    ),
    pytest.param(
        NEWSPAPER_SUBTITLE,
        Metadata(title="政策含金量高 企业获得感强——《明湖市促进数字经济高质量发展若干措施》解读"),
        id="newspaper-headline-with-subtitle",
    ),
    pytest.param(
        HEADING_ONLY,
        Metadata(title="数字经济发展专项行动"),
        id="heading-before-body",
    ),
    pytest.param(
        INVALID_DATE,
        Metadata(title="关于开展安全生产检查的通知", issuers=["明湖市应急管理局"]),
        id="impossible-date-is-none",
    ),
    pytest.param(
        RED_HEAD_TWO_ISSUERS,
        Metadata(
            title="明湖市人民政府办公室关于加强基层治理体系建设的意见",
            doc_number="明办发〔2024〕9号",
            issuers=["中共明湖市委办公室", "明湖市人民政府办公室"],
            publish_date="2024-03-05",
        ),
        id="red-head-two-issuer-lines",
    ),
    pytest.param(
        WEBSITE_TABLE_WITH_TITLE_LABEL,
        Metadata(
            title="国务院办公厅关于加快构建全国一体化算力网的意见",
            doc_number="国办发〔2023〕12号",
            issuers=["国务院办公厅"],
            publish_date="2023-12-25",
        ),
        id="website-table-with-title-label",
    ),
    pytest.param(CLOSING_FORMULA, Metadata(publish_date="2024-03-05"), id="closing-formula-is-not-a-title"),
    pytest.param("", Metadata(), id="empty-text"),
    pytest.param("\n\n  \n", Metadata(), id="blank-lines"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_metadata_reads_heads_and_signatures(text: str, expected: Metadata) -> None:
    assert extract_metadata(text) == expected


@pytest.mark.parametrize(
    ("docno_line", "expected"),
    [
        ("晋政办发〔2024〕37号", "晋政办发〔2024〕37号"),
        ("京政发[2024]5号", "京政发[2024]5号"),
        ("粤府办［2024］3号", "粤府办［2024］3号"),
        ("财建（2024）100号", "财建（2024）100号"),
        ("国办发(2023)12号", "国办发(2023)12号"),
        ("（京政字〔2024〕第5号）", "京政字〔2024〕第5号"),
        ("晋政发〔２０２４〕７号", "晋政发〔２０２４〕７号"),
        ("发文字号：财建〔2024〕100号", "财建〔2024〕100号"),
    ],
)
def test_metadata_doc_number_kept_as_written(docno_line: str, expected: str) -> None:
    text = f"关于下达2024年专项资金的通知\n{docno_line}\n各市财政局：\n现将资金下达你们。"
    assert extract_metadata(text).doc_number == expected


@pytest.mark.parametrize(
    ("date_line", "expected"),
    [
        ("2024年6月25日", "2024-06-25"),
        ("2024 年 06 月 05 日", "2024-06-05"),
        ("２０２４年１２月１日", "2024-12-01"),
        ("2024-06-25", "2024-06-25"),
        ("2024.6.25", "2024-06-25"),
        ("2024/6/25", "2024-06-25"),
        ("二〇二四年六月二十五日", "2024-06-25"),
        ("二〇二四年十二月三十一日", "2024-12-31"),
        ("二〇二四年十月十日", "2024-10-10"),
        ("（2024年6月25日）", "2024-06-25"),
    ],
)
def test_metadata_signature_date_formats(date_line: str, expected: str) -> None:
    text = f"关于做好项目申报工作的通知\n各有关单位：\n请按要求申报。\n山西省发展和改革委员会\n{date_line}"
    result = extract_metadata(text)
    assert result.publish_date == expected
    assert result.issuers == ["山西省发展和改革委员会"]


@pytest.mark.parametrize(
    "body",
    [
        "申报截止时间2024年9月30日。",
        "本措施自2025年1月1日起施行，有效期3年。",
        "根据《关于加快构建全国一体化算力网的意见》（国办发〔2023〕12号），2023年12月25日以来各地积极推进。",
        "项目建设期为2024-01-01至2025-12-31。",
    ],
)
def test_metadata_body_dates_and_citations_are_not_metadata(body: str) -> None:
    result = extract_metadata(f"关于组织项目申报的通知\n各有关单位：\n{body}\n请认真组织。")
    assert result.publish_date is None
    assert result.doc_number is None
    assert result.title == "关于组织项目申报的通知"


def test_metadata_cover_title_preferred_over_inner_title() -> None:
    result = extract_metadata(IMPLEMENTING_RULES)
    assert result.title is not None
    assert result.title.startswith("明湖市科学技术局关于印发《")


def test_metadata_sample_notice() -> None:
    result = extract_metadata(SAMPLE.read_text(encoding="utf-8"))
    assert result == Metadata(
        title="明湖市人民政府办公室关于印发《明湖市促进数字经济高质量发展若干措施》的通知",
        doc_number="明政办发〔2024〕58号",
        issuers=["明湖市人民政府办公室"],
        publish_date="2024-12-16",
    )


@pytest.mark.skipif(not SEED_TEXT.exists(), reason="shared seed document not present")
def test_metadata_seed_newspaper_page() -> None:
    result = extract_metadata(SEED_TEXT.read_text(encoding="utf-8"))
    # A newspaper page: no 文号, no signature, and its only dates ("8月 19日", "6月 25日") have no year.
    assert result.doc_number is None
    assert result.publish_date is None
    assert result.issuers == []
    # The headline and its subtitle, not an OCR column fragment such as "人工智能大模型是指".
    assert result.title is not None
    assert result.title.startswith("资源禀赋独特 政策指向明确 要素保障有力")
    assert "《山西省促进先进算力与人工智能融合发展的若干措施》" in result.title
