# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Everything is installed into .venv, pinned by constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT := out/demo

.PHONY: demo test lint typecheck install schemas bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==26.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt "setuptools==80.9.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev,train]"
	touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/zhengce ingest pipeline/samples/sample_notice.txt -o $(DEMO_OUT)
	$(BIN)/zhengce show $(DEMO_OUT)/sample_notice.txt.json
	@echo "JSON written to $(DEMO_OUT)/sample_notice.txt.json"

lint: $(STAMP)
	$(BIN)/ruff check pipeline tests bench models
	$(BIN)/ruff format --check pipeline tests bench models

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) lint typecheck
	$(BIN)/pytest -q

schemas: $(STAMP)
	$(BIN)/python -m pipeline.schemas

bench: $(STAMP)
	$(BIN)/python bench/ingest_throughput.py

clean:
	rm -rf $(VENV) out bench/out .pytest_cache .mypy_cache .ruff_cache
