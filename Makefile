# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Everything is installed into .venv, pinned by constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := out/demo
# Label Studio (the review loop's labeling tool) lives in its own virtualenv: it pins Django and
# many packages that would clash with ours. The review tests start it on loopback.
LS_VENV := .venv-ls
LS_STAMP := $(LS_VENV)/.installed

.PHONY: demo test lint typecheck install label-studio fonts schemas bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt "setuptools==80.9.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,train,serve,ray,review]"
	touch $@

install: $(STAMP)

$(LS_STAMP): constraints-label-studio.txt
	$(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(LS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -c constraints-label-studio.txt "label-studio==1.23.2"
	touch $@

label-studio: $(LS_STAMP)

demo: $(STAMP)
	$(BIN)/zhengce ingest pipeline/samples/sample_notice.txt -o $(DEMO_OUT)
	$(BIN)/zhengce show $(DEMO_OUT)/sample_notice.txt.json
	@echo "JSON written to $(DEMO_OUT)/sample_notice.txt.json"

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench models
	$(BIN)/ruff format --check pipeline tests bench models

typecheck: $(STAMP)
	$(BIN)/mypy

# Noto CJK (Debian's fonts-noto-cjk) draws the OCR tests' generated newspaper pages.
fonts:
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || (apt-get update && apt-get install -y fonts-noto-cjk)

# The fast suite, then the slow runs that the issues' must-show items rest on: the real Label
# Studio server, full-size scanned pages (about 10 minutes of OCR) and the three engines agreeing.
test: $(STAMP) $(LS_STAMP) fonts lint typecheck
	$(BIN)/pytest -q
	ZHENGCE_LABEL_STUDIO=$(CURDIR)/$(LS_VENV)/bin/label-studio $(BIN)/pytest -q -m slow tests/review tests/ocr tests/test_engines.py

schemas: $(STAMP)
	$(BIN)/python -m pipeline.schemas

bench: $(STAMP)
	$(BIN)/python bench/ingest_throughput.py

clean:
	rm -rf $(VENV) $(LS_VENV) out bench/out .pytest_cache .mypy_cache .ruff_cache
