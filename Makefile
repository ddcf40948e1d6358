# dltrends: the two set-up commands are `make run` and `make test` (see README.md; the manual is in docs/).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The tested versions (constraints.txt, docs/development.md); `make run CONSTRAINTS=` installs the newest allowed.
CONSTRAINTS ?= constraints.txt
PIP_CONSTRAINTS := $(if $(CONSTRAINTS),-c $(CONSTRAINTS))

.PHONY: run test test-min setup dev collect dashboard lint pytest browser wheelhouse perf pins check-pins clean

run: setup  ## create .venv, install, collect from the reachable sources, start the dashboard
	@$(BIN)/dltrends collect; rc=$$?; \
	  if [ $$rc -eq 1 ]; then echo "collect finished with some failures or deferrals (see above); starting the dashboard anyway"; \
	  elif [ $$rc -ne 0 ]; then exit $$rc; fi
	$(BIN)/dltrends dashboard

test: dev browser wheelhouse  ## create .venv if missing, install with dev extras, run ruff and pytest
	$(BIN)/ruff check .
	EXPECTED_PINS=$(CONSTRAINTS) $(BIN)/pytest

setup: $(VENV)/.installed
dev: $(VENV)/.installed-dev

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dltrends needs Python >= 3.11; run make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install -q $(PIP_CONSTRAINTS) -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS) | $(BIN)/python
	$(BIN)/python -m pip install -q $(PIP_CONSTRAINTS) -e ".[dev]"
	@touch $@ $(VENV)/.installed

# The floors of pyproject.toml, proven: a fresh venv with every declared dependency at its floor
# (wheels only, on this Python), then the suite without the slow tests. Not part of make test.
VENV_MIN := .venv-min
test-min:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "dltrends needs Python >= 3.11")'
	rm -rf $(VENV_MIN)
	$(PYTHON) -m venv $(VENV_MIN)
	$(VENV_MIN)/bin/python -m pip install -q --upgrade pip
	$(PYTHON) tools/pins.py floors > $(VENV_MIN)/constraints-min.txt
	$(VENV_MIN)/bin/python -m pip install -q --only-binary=:all: -c $(VENV_MIN)/constraints-min.txt -e ".[dev]"
	$(VENV_MIN)/bin/python -m pip check
	EXPECTED_PINS=$(VENV_MIN)/constraints-min.txt $(VENV_MIN)/bin/python -m pytest -m "not slow"

# Refresh constraints.txt: install the newest versions pyproject.toml allows into a scratch venv,
# pin its closure, and check the pins resolve with wheels everywhere; then run make test.
VENV_PINS := .venv-pins
pins:
	rm -rf $(VENV_PINS)
	$(PYTHON) -m venv $(VENV_PINS)
	$(VENV_PINS)/bin/python -m pip install -q --upgrade pip
	$(VENV_PINS)/bin/python -m pip install -q --upgrade -e ".[dev]"
	$(VENV_PINS)/bin/python tools/pins.py freeze > constraints.txt.new
	mv constraints.txt.new constraints.txt
	$(PYTHON) tools/pins.py wheels

check-pins:  ## check that constraints.txt resolves with wheels on every supported Python and platform
	$(PYTHON) tools/pins.py wheels

# The benchmark runner's end-to-end test installs real frameworks offline from this wheelhouse:
# the NumPy reference (the numpy dltrends runs with) and ONNX Runtime with the onnx helper.
WHEELHOUSE := .cache/wheelhouse
BENCH_WHEELS := onnxruntime==1.32.0 onnx==1.23.2

wheelhouse: $(WHEELHOUSE)/.complete

$(WHEELHOUSE)/.complete: Makefile $(VENV)/.installed-dev
	$(BIN)/python -m pip download -q --only-binary=:all: -d $(WHEELHOUSE) $(BENCH_WHEELS) \
	  "numpy==$$($(BIN)/python -c 'import numpy; print(numpy.__version__)')"
	@touch $@

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
	$(BIN)/python perf/bench_report.py
	$(BIN)/python perf/downloads.py
	$(BIN)/python perf/collect_github.py
	$(BIN)/python perf/operations.py
	$(BIN)/python perf/pages.py

clean:
	rm -rf $(VENV) $(VENV_MIN) $(VENV_PINS) .pytest_cache .ruff_cache test-artifacts .cache
