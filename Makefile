# Quickstart: `make repro` then `make test` (see README).
VENV ?= .venv
PYTHON ?= python3
export PATH := $(abspath $(VENV))/bin:$(PATH)
REAL_DATA ?= ../shared/data/market

.PHONY: venv repro test lint import real exps review bench results plots-template clean-venv

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

# Put a folder of export files under DVC as data/raw/NAME (validated first; README "Team setup").
NAME ?= market
import: venv
	python -m oneclick.raw_import $(RAW) --name $(NAME)

# The same pipeline on the real files, as an experiment (the committed baseline stays synthetic): the export
# is imported as data/raw/market, so params and dvc.lock hold a relative path.
real: venv
	python -m oneclick.raw_import $(REAL_DATA) --name market
	dvc exp run -S data.raw_dir=data/raw/market

# The experiments table (CV ROC-AUC per model, the selection, test ROC-AUC with its interval), then each
# experiment against the workspace with paired intervals: better, worse or no detectable difference.
exps: venv
	dvc exp show --md --no-pager --drop '.*' \
	  --keep '^(Experiment|Created|roc_auc|roc_auc_ci95_low|roc_auc_ci95_high|metrics/(selection|production).json:(cv_roc_auc|model)|metrics/cv/.*:cv_roc_auc)$$'
	python -m tools.exps

# Code review: params, metrics and plots of the workspace against BASE, as reports/review.md.
BASE ?= main
review: venv
	python -m tools.review --base $(BASE) --output reports/review.md

# The offline page of `dvc plots show/diff` (.dvc/plots_template.html): rebuild after changing vl-convert-python.
plots-template: venv
	python -m tools.plots_template

# The README's results table, from a full run on the real files in a sandbox copy.
results: venv
	python -m tools.results --raw-dir $(REAL_DATA) --output reports/real_results.md

# Speed: full run on the real data, no-op, one grid change, 100k customers (threads and a loopback Dask
# cluster), 1M customers -> benchmarks/results.md; ONLY=million runs one part (real, large, million)
ONLY ?=
bench: venv
	python -m benchmarks.bench --raw-dir $(REAL_DATA) $(foreach part,$(ONLY),--only $(part))

clean-venv:
	rm -rf $(VENV)
