# Quickstart: `make repro` then `make test` (see README).
VENV ?= .venv
PYTHON ?= python3
export PATH := $(abspath $(VENV))/bin:$(PATH)
REAL_DATA ?= ../shared/data/market

.PHONY: venv repro test test-fast lint import real undo exps review bench results plots-template clean-venv

venv: $(VENV)/.installed $(VENV)/.on-path

# pip is quiet while it installs: say what takes the time (measured 2026-12-03: 1 min 44 s from a local package
# mirror, 1.3 GB installed; downloading from PyPI adds what the network takes)
$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	@echo "Installing the pinned packages of requirements.txt into $(VENV): about 1.3 GB, 2 minutes or more" \
	  "depending on the network; pip prints nothing until it is done."
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# The venv's python imports this checkout's package from any directory (`python -m oneclick.predict` elsewhere),
# as an editable install would; in the checkout, the working directory comes first.
$(VENV)/.on-path: $(VENV)/.installed
	$(VENV)/bin/python -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_path('purelib'), 'oneclick.pth').write_text('$(CURDIR)\n')"
	touch $@

# every section of params.yaml checked first (each stage checks its own again), then the pipeline
repro: venv
	python -m tools.check_params
	dvc repro

# The whole suite, test files spread over the cores (pytest-xdist; a file's tests stay together, as the end-to-end
# modules share one sandbox run); test-fast: the unit tests, for the inner loop.
test: venv
	python -m pytest -n auto --dist loadfile --no-loadscope-reorder

test-fast: venv
	python -m pytest -n auto -m "not e2e and not slow"

lint: venv
	ruff check .

# Put a folder of export files under DVC as data/raw/NAME, validated first
# (docs/team.md "The store's export, versioned").
NAME ?= market
import: venv
	python -m oneclick.raw_import $(RAW) --name $(NAME)

# The same pipeline on the real files, as an experiment (the committed baseline stays synthetic): the export
# is imported as data/raw/market, so params and dvc.lock hold a relative path; the synthetic store's demo
# campaign and months are left out, so nothing simulated informs the real plan or report.
REAL_RUN = dvc exp run -S data.raw_dir=data/raw/market -S '~readout.campaigns.demo' \
  -S '~monitor.exports.m2026-10' -S '~monitor.exports.m2026-11'
real: venv
	python -m oneclick.raw_import $(REAL_DATA) --name market --no-next-step
	@echo "run on it: $(REAL_RUN)"
	@$(REAL_RUN)
	@python -m tools.stale_outputs --remove  # the synthetic demo's read-out, which no stage of this run writes
	@dvc repro --quiet  # the stages whose folder-wide deps held it: the same outputs

# Undo an experiment (README "The daily loop"): the last commit's params and outputs, and none of the outputs of
# a stage the experiment added (a read-out, an export, a model), which DVC leaves behind.
undo: venv
	git checkout -- .
	python -m tools.stale_outputs --remove
	dvc checkout --quiet

# The experiments table (`dvc exp show` cut to the CV ROC-AUC per model, the selection, the test ROC-AUC with its
# interval, the plan's expected profit and expected maximum profit per 1000 test customers: tools/exps.py COLUMNS),
# then each experiment against its baseline, the commit it ran from, with paired intervals: better, worse or no
# detectable difference (or other assumptions, for the plan's profit when the campaign's economics differ).
exps: venv
	python -m tools.exps

# Code review: params, metrics and plots of the workspace against BASE, as reports/review.md.
BASE ?= main
review: venv
	python -m tools.review --base $(BASE) --output reports/review.md

# The offline page of `dvc plots show/diff` (.dvc/plots_template.html): rebuild after changing vl-convert-python.
plots-template: venv
	python -m tools.plots_template

# The results table of docs/results.md, from a full run on the real files in a sandbox copy.
results: venv
	python -m tools.results --raw-dir $(REAL_DATA) --output reports/real_results.md

# Speed: full run on the real data, no-op, one grid change, 100k customers (threads and a loopback Dask
# cluster), 1M customers -> benchmarks/results.md; ONLY=million runs one part (real, large, million)
ONLY ?=
bench: venv
	python -m benchmarks.bench --raw-dir $(REAL_DATA) $(foreach part,$(ONLY),--only $(part))

clean-venv:
	rm -rf $(VENV)
