# Quickstart: `make repro` then `make test` (see README).
VENV ?= .venv
PYTHON ?= python3
export PATH := $(abspath $(VENV))/bin:$(PATH)
REAL_DATA ?= ../shared/data/market

.PHONY: venv repro test lint real clean-venv

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

repro: venv
	dvc repro

test: venv
	python -m pytest

lint: venv
	ruff check .

# The same pipeline on the real files, as an experiment (the committed baseline stays synthetic).
real: venv
	dvc exp run -S data.raw_dir=$(abspath $(REAL_DATA))

clean-venv:
	rm -rf $(VENV)
