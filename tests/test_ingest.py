"""`zhengce ingest` as a new user meets it: good and bad inputs, manifests, exit codes, reruns."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.document import PolicyDocument
from pipeline.run import PipelineOptions, producer_id
from tests.readers.pdf_factory import make_notice_pdf

NOTICE = "对上一年度营业收入超过500万元的企业，按照上一年度营业收入的1%给予奖励，最高不超过200万元。"


def _ingest(*args: str) -> tuple[int, str, str]:
    # The batch mechanics are under test here, with the deterministic pattern extractor.
    result = CliRunner().invoke(main, ["ingest", "--extractor", "patterns", *args])
    return result.exit_code, result.stdout, result.stderr


def _manifest(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    return {Path(str(r["input"])).name: r for r in records}


@pytest.fixture
def bad_inputs(tmp_path: Path) -> Path:
    """One of every broken input a user sends, beside two good ones."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "gbk.txt").write_bytes(NOTICE.encode("gbk"))
    make_notice_pdf(folder / "good.pdf", [NOTICE] * 3, title="通知")
    make_notice_pdf(folder / "encrypted.pdf", [NOTICE], encrypt="secret")
    data = (folder / "good.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(data[: len(data) // 2])
    (folder / "empty.txt").write_bytes(b"")
    (folder / "noise.txt").write_bytes(random.Random(7).randbytes(4096))
    (folder / "report.pdf").write_text("这其实是一个文本文件。", encoding="utf-8")
    (folder / "renamed.docx").write_bytes(data)
    empty = pdfium.PdfDocument.new()
    empty.save(folder / "zero-pages.pdf")
    empty.close()
    return folder


def test_ingest_bad_inputs_are_recorded_and_the_batch_goes_on(bad_inputs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = _ingest(str(bad_inputs), "-o", str(out))
    assert code == 1
    records = _manifest(out)
    assert len(records) == 10
    assert {name for name, r in records.items() if r["status"] == "ok"} == {"good.txt", "gbk.txt", "good.pdf"}
    expected_errors = {
        "encrypted.pdf": "encrypted",
        "truncated.pdf": "corrupt",
        "empty.txt": "empty",
        "noise.txt": "not text",
        "report.pdf": "not PDF",
        "renamed.docx": "not",
        "zero-pages.pdf": "no pages",
    }
    for name, phrase in expected_errors.items():
        error = str(records[name]["error"])
        assert name in error and phrase in error, error
        assert records[name]["output"] is None
    assert "Traceback" not in stderr
    gbk = PolicyDocument.model_validate_json((out / "gbk.txt.json").read_text(encoding="utf-8"))
    assert gbk.measures[0].benefits[0].cap == 2_000_000
    assert not list(out.rglob("*.tmp")), "no temporary files left behind"


def test_ingest_one_file_prints_the_document(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text(NOTICE, encoding="utf-8")
    code, stdout, _ = _ingest(str(path))
    assert code == 0
    doc = PolicyDocument.model_validate_json(stdout)
    assert doc.source.name == "notice.txt" and doc.source.media_type == "text/plain"
    assert doc.measures[0].conditions[0].op == ">"


def test_ingest_one_bad_file_exits_1_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    code, stdout, stderr = _ingest(str(path))
    assert (code, stdout) == (1, "")
    assert "empty.txt" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize(
    "args",
    [["does-not-exist.pdf"], ["--jobs", "0", "x"], ["--no-such-flag"]],
)
def test_ingest_usage_errors_exit_2(args: list[str]) -> None:
    assert _ingest(*args)[0] == 2


def test_ingest_folder_without_output_is_a_usage_error(tmp_path: Path) -> None:
    assert _ingest(str(tmp_path))[0] == 2


def test_ingest_rerun_skips_done_inputs_unless_forced(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "b.txt").write_text(NOTICE.replace("500万元", "800万元"), encoding="utf-8")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    first = (out / "a.txt.json").stat().st_mtime_ns
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    assert all(r["skipped"] for r in _manifest(out).values())
    assert (out / "a.txt.json").stat().st_mtime_ns == first
    (folder / "b.txt").write_text(NOTICE.replace("500万元", "900万元"), encoding="utf-8")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    records = _manifest(out)
    assert records["a.txt"]["skipped"] and not records["b.txt"]["skipped"]
    assert _ingest(str(folder), "-o", str(out), "--force")[0] == 0
    assert not any(r["skipped"] for r in _manifest(out).values())


def test_ingest_rerun_redoes_outputs_of_another_producer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upgrade (new version, model or options) must not leave the old results in place."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTICE, encoding="utf-8")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    first = _manifest(out)["a.txt"]["producer"]
    assert isinstance(first, str) and first.startswith("zhengce ")
    monkeypatch.setattr("pipeline.ingest.producer_id", lambda options: "zhengce 9.9.9 another-model")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    record = _manifest(out)["a.txt"]
    assert not record["skipped"] and record["producer"] == "zhengce 9.9.9 another-model"
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    assert _manifest(out)["a.txt"]["skipped"]


def test_ingest_rerun_redoes_outputs_no_manifest_vouches_for(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    (folder / "a.txt").write_text(NOTICE, encoding="utf-8")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    (out / "manifest.jsonl").write_text("not json\n", encoding="utf-8")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    assert not _manifest(out)["a.txt"]["skipped"]


def test_producer_names_the_options_and_the_model_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "encoder.onnx").write_bytes(b"one")
    monkeypatch.setenv("ZHENGCE_MODEL_DIR", str(model))
    producer_id.cache_clear()
    first = producer_id(PipelineOptions())
    assert producer_id(PipelineOptions(precision="fp32")) != first
    (model / "encoder.onnx").write_bytes(b"two")
    producer_id.cache_clear()
    assert producer_id(PipelineOptions()) != first
    assert producer_id(PipelineOptions(extractor="patterns")) == producer_id(
        PipelineOptions(extractor="patterns")
    )
    producer_id.cache_clear()


def test_ingest_same_names_in_subfolders_do_not_collide(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    for sub in ("taiyuan", "datong"):
        (folder / sub).mkdir(parents=True)
        (folder / sub / "notice.txt").write_text(NOTICE, encoding="utf-8")
    assert _ingest(str(folder), "-o", str(out))[0] == 0
    assert (out / "taiyuan" / "notice.txt.json").exists() and (out / "datong" / "notice.txt.json").exists()


def test_ingest_thousand_files_ten_broken_with_two_workers(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    broken = set(range(0, 1000, 100))
    for i in range(1000):
        path = folder / f"n{i:04d}.txt"
        if i in broken:
            path.write_bytes(os.urandom(256) if i % 200 else b"")
        else:
            path.write_text(NOTICE.replace("500万元", f"{i + 1}万元"), encoding="utf-8")
    code, _, _ = _ingest(str(folder), "-o", str(out), "--jobs", "2")
    assert code == 1
    records = _manifest(out)
    assert len(records) == 1000
    failed = sorted(name for name, r in records.items() if r["status"] == "error")
    assert failed == [f"n{i:04d}.txt" for i in sorted(broken)]
    doc = PolicyDocument.model_validate_json((out / "n0042.txt.json").read_text(encoding="utf-8"))
    assert doc.measures[0].conditions[0].value == 430_000


def test_show_prints_the_measures_table(tmp_path: Path) -> None:
    path, out = tmp_path / "notice.txt", tmp_path / "out"
    path.write_text(NOTICE, encoding="utf-8")
    assert _ingest(str(path), "-o", str(out))[0] == 0
    result = CliRunner().invoke(main, ["show", str(out / "notice.txt.json")])
    assert result.exit_code == 0
    assert "200万元" in result.stdout and "1% × 上一年度营业收入" in result.stdout


def test_show_rejects_a_file_that_is_not_a_result(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["show", str(path)])
    assert result.exit_code == 1 and "not a zhengce document" in result.stderr


def test_ingest_with_a_bad_thread_count_exits_2_naming_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = tmp_path / "n.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    monkeypatch.setenv("ZHENGCE_THREADS", "abc")
    for args in ([str(notice)], [str(tmp_path), "-o", str(tmp_path / "out"), "--jobs", "2"]):
        code, _, err = _ingest(*args)
        assert code == 2
        assert "ZHENGCE_THREADS='abc'" in err
