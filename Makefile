# The two entry points of the README: `make demo` (build the example course into dist/)
# and `make test` (install everything the tests need, then run them). Both are idempotent.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DEBIAN_FRONTEND := noninteractive
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Debian packages: the browser the tests drive, `zip` for the benchmark baseline.
DEBIAN_PACKAGES := chromium zip

.PHONY: demo test install install-test system-deps node-deps lint bench-scale

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -e '.[book]'

demo: install
	$(BIN)/lcmodules validate .
	$(BIN)/lcmodules list .
	$(BIN)/lcmodules build . --out dist --html

system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

node-deps:
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; fi

install-test: $(BIN)/python system-deps node-deps
	$(BIN)/pip install -q -e '.[test]'

lint: install-test
	$(BIN)/ruff check lcmodules tests benchmarks
	$(BIN)/mypy

# The benchmark test measures time: it runs alone, once the rest of the suite is done.
test: install-test lint
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider -m 'not benchmark'
	$(BIN)/python -m pytest -p no:cacheprovider -m benchmark

# Only the 1,000-module cold build and the 0.5 × nbconvert ratio (issue 20); fails on a miss.
bench-scale: install-test
	$(BIN)/python -m pytest -p no:cacheprovider -m scale
