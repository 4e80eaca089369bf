# Two commands for a newcomer: `make run` (chat in the browser) and `make test` (everything CI checks).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.setup-stamp
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export TOKENIZERS_PARALLELISM := false

.PHONY: setup test lint typecheck pytest run index chat eval bench clean

setup: $(STAMP)

# Re-installs only when the dependency files change; otherwise `make setup` is a no-op.
$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# torch first, pinned to the CPU wheel on this machine's disk (an unpinned torch pulls a multi-GB CUDA build)
	$(BIN)/python -m pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[ui,evals,dev]'
	@touch $(STAMP)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

test: lint typecheck pytest

index: setup
	$(BIN)/assistant ingest

chat: index
	$(BIN)/assistant chat

run: setup
	$(BIN)/python -m ui

eval: setup
	$(BIN)/python -m evals --suite all --check

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf .data evals/results test-output .pytest_cache .mypy_cache .ruff_cache
