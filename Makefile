# Two entry points: `make demo` (set up + run the main job) and `make test`
# (set up + run the tests).  Each creates its own virtual environment in .venv.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $@ $(VENV)/.installed

# the demo simulates its own data and writes quick-look PNGs (matplotlib: the "plot" extra)
$(VENV)/.installed-plot: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[plot]"
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed-plot
	$(BIN)/gammabin demo --out demo-output

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
