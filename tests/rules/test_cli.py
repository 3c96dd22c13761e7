"""`zhengce match` and `zhengce rules compile`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.document import PolicyDocument
from pipeline.rules import compile_document
from pipeline.run import Pipeline

CONTRACT_KEYS = {"document", "measure", "title", "eligible", "award", "missing_facts", "explanation"}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, seed_gold: PolicyDocument) -> list[Path]:
    folder = tmp_path_factory.mktemp("results")
    tiers = Pipeline(extractor="patterns").process_text(
        "对企业主营业务收入首次突破1亿元、5亿元、10亿元的，分别给予20万元、50万元、100万元奖励。",
        name="tiers.txt",
    )
    paths = []
    for doc, name in ((seed_gold, "seed.txt.json"), (tiers, "tiers.txt.json")):
        path = folder / name
        path.write_text(doc.model_dump_json(), encoding="utf-8")
        paths.append(path)
    return paths


def _profile(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_rules_cli_match_prints_the_contract(tmp_path: Path, results: list[Path]) -> None:
    profile = _profile(
        tmp_path, {"facts": {"参数量": 1.2e11, "典型应用场景": 6, "研发总投入": 8e7, "主营业务收入": 6e8}}
    )
    result = CliRunner().invoke(main, ["match", "--profile", str(profile), *map(str, results)])
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert all(set(r) >= CONTRACT_KEYS for r in out)
    by_measure = {(r["document"], r["measure"]): r for r in out}
    assert (
        by_measure[("000_b219e20ba6852894.txt", "m1")]["award"] == 10_000_000
    )  # 20% × 8000万 capped at 1000万
    assert (
        by_measure[("000_b219e20ba6852894.txt", "m4")]["award"] == 2_000_000
    )  # 1% × 6亿 = 600万 capped at 200万
    assert [by_measure[("tiers.txt", m)]["award"] for m in ("m1", "m2", "m3")] == [0, 500_000, 0]


@pytest.mark.parametrize(
    ("profile", "named"),
    [
        ({"facts": {"营业收入": "很多"}}, "facts.营业收入"),
        ({"facts": {"营业收入": -1}}, "营业收入"),
        ({"facts": {"云服务收入占比": 15}}, "云服务收入占比"),
        ({"facts": {}, "industry": "AI"}, "industry"),
    ],
)
def test_rules_cli_match_rejects_bad_profile(
    tmp_path: Path, results: list[Path], profile: dict[str, object], named: str
) -> None:
    result = CliRunner().invoke(
        main, ["match", "--profile", str(_profile(tmp_path, profile)), str(results[0])]
    )
    assert result.exit_code == 1
    assert named in result.stderr and "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""


def test_rules_cli_match_rejects_a_result_that_is_not_a_document(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"measures": 3}', encoding="utf-8")
    result = CliRunner().invoke(main, ["match", "--profile", str(_profile(tmp_path, {})), str(bad)])
    assert result.exit_code == 1 and "not a zhengce document" in result.stderr


def test_rules_cli_compile_writes_one_file_per_document(tmp_path: Path, results: list[Path]) -> None:
    out = tmp_path / "decisions"
    out.mkdir()
    (out / "seed.txt.jdm.json").write_text("stale", encoding="utf-8")
    result = CliRunner().invoke(main, ["rules", "compile", *map(str, results), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "seed.txt.jdm.json",
        "tiers.txt.jdm.json",
    ]  # no temp files left
    for path in results:
        doc = PolicyDocument.model_validate_json(path.read_text(encoding="utf-8"))
        written = (out / path.name.replace(".json", ".jdm.json")).read_text(encoding="utf-8")
        assert written == compile_document(doc).jdm_json()


def test_rules_cli_compile_one_result_to_stdout(results: list[Path]) -> None:
    result = CliRunner().invoke(main, ["rules", "compile", str(results[1])])
    assert (
        result.exit_code == 0
        and json.loads(result.stdout)["contentType"] == "application/vnd.gorules.decision"
    )
    several = CliRunner().invoke(main, ["rules", "compile", *map(str, results)])
    assert several.exit_code == 2 and "-o OUTDIR" in several.stderr
