"""jieba tokenizers, built once per dictionary, thread-safe, with their cache in a temp folder.

Two parts of the pipeline segment words: the rules engine with its domain dictionary alone (so
segmentation is predictable, pipeline.rules.synonyms) and the model's decoder with jieba's general
dictionary (pipeline.model.words). Both dictionaries ship inside the package or jieba's wheel.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

_lock = threading.Lock()
_tokenizers: dict[Path | None, Any] = {}


def jieba_tokenizer(dictionary: Path | None = None) -> Any:
    """A jieba `Tokenizer` over `dictionary` (jieba's general dictionary when None), initialised."""
    with _lock:
        if dictionary not in _tokenizers:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # jieba 0.42 imports pkg_resources, which warns
                import jieba

            logging.getLogger("jieba").setLevel(logging.WARNING)
            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer(**({"dictionary": str(dictionary)} if dictionary else {}))
            cache_dir = Path(tempfile.gettempdir()) / "zhengce-jieba"
            cache_dir.mkdir(parents=True, exist_ok=True)
            tokenizer.tmp_dir = str(cache_dir)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tokenizer.initialize()
            _tokenizers[dictionary] = tokenizer
        return _tokenizers[dictionary]
