# dltrends: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup dev collect dashboard lint pytest browser perf clean

run: setup  ## create .venv, install, collect from the reachable sources, start the dashboard
	@$(BIN)/dltrends collect; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "collect finished with some failures (see above); starting the dashboard anyway"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi
	$(BIN)/dltrends dashboard

test: dev browser  ## create .venv if missing, install with dev extras, run ruff and pytest
	$(BIN)/ruff check .
	$(BIN)/pytest

setup: $(VENV)/.installed
dev: $(VENV)/.installed-dev

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dltrends needs Python >= 3.11; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

browser:  ## Debian's chromium and a CJK font for the real-browser test, where this machine allows it
	@./.ci/install-browser

collect: setup
	$(BIN)/dltrends collect

dashboard: setup
	$(BIN)/dltrends dashboard

lint: dev
	$(BIN)/ruff check .

perf: dev  ## print the performance figures (see perf/README.md)
	$(BIN)/python perf/ingest.py
	$(BIN)/python perf/publish.py
	$(BIN)/python perf/collect_pypi.py
	$(BIN)/python perf/sql_console.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
