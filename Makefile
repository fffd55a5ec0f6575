# 트랜스포머 학습 노트 — one entry point for set-up, site, figures and tests.
#   make serve   set up, build figures + site, serve on http://127.0.0.1:8000
#   make test    set up (incl. Chromium), lint, run the whole test suite
#   make test-fast  lint, then the tests not marked slow (no site build, no browser), on every core
#   make lint    ruff: lint and format check of the whole repository (config in pyproject.toml)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build figures lint test test-fast bench bench-search bench-web chromium clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation --editable .
	touch $(STAMP)

serve: setup
	$(BIN)/mkdocs serve --strict --dev-addr $(HOST)

build: setup
	$(BIN)/mkdocs build --strict

figures: setup
	$(BIN)/python -m scripts.figure_builder

chromium:
	bash scripts/ensure_chromium.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup chromium lint
	$(BIN)/python -m pytest

# `slow` is set from the fixtures a test uses (tests/conftest.py); a browser test is slow too.
test-fast: setup lint
	$(BIN)/python -m pytest -m "not slow" -n auto

bench: setup
	$(BIN)/python -m scripts.bench

bench-search: setup chromium
	$(BIN)/python -m scripts.bench_search

bench-web: setup chromium
	$(BIN)/python -m scripts.bench_web

clean:
	rm -rf site .cache
