"""The throughput benchmark runs (tiny sizes here; the real run is `python bench/rules_throughput.py`)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_rules_bench_generates_the_mix_and_reports(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("rules_throughput", ROOT / "bench" / "rules_throughput.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "report.json"
    report = bench.main(["--profiles", "20", "--repeats", "1", "--out", str(out)])
    assert (report["documents"], report["measures"]) == (10, 100)
    assert report["profiles_per_s_median"] > 0 and report["eligible_per_profile"] > 0
    assert json.loads(out.read_text(encoding="utf-8")) == report
