# Quick start:  make run  (set up .venv, run the baseline ensemble)   |   make test  (set up, run the test suite)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

# A Python >= 3.12 (Mesa >= 3.4 needs it): python3.13, python3.12, python3, then any pyenv-installed 3.12+.
FIND_PYTHON := for c in python3.13 python3.12 python3; do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    command -v $$c; exit 0; fi; \
	done; \
	if command -v pyenv >/dev/null 2>&1; then \
	  for v in $$(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])' | sort -rV); do \
	    p="$$(pyenv root)/versions/$$v/bin/python3"; \
	    if [ -x "$$p" ]; then echo "$$p"; exit 0; fi; \
	  done; \
	fi; exit 1

.PHONY: run test bench lint setup clean calibrate docs dashboard lessons

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  py="$$( $(FIND_PYTHON) )" || { echo "error: no Python >= 3.12 found; install python3.12 or newer (e.g. 'pyenv install 3.12')" >&2; exit 1; }; \
	  echo "creating $(VENV) with $$py"; \
	  "$$py" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(PY) -m sim

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m sim.bench

dashboard: $(STAMP)
	$(PY) -m sim.dashboard

lessons: $(STAMP)
	$(PY) experiments/lessons/make_lessons.py

calibrate: $(STAMP)
	$(PY) -m sim.calibrate

# Regenerate every generated document and figure from the current model (after `make calibrate` if the fit changed):
# validation, scenario report, README figures, lessons, dashboard screenshots. Sensitivity: python -m sim.sensitivity.
docs: $(STAMP)
	$(PY) -m sim.validate
	$(PY) -m sim.scenario_report
	$(PY) -m sim.docs_figures
	$(PY) experiments/lessons/make_lessons.py
	SIM_SCREENSHOTS=docs $(PY) -m pytest -q -p no:cacheprovider tests/test_dashboard_browser.py

lint: $(STAMP)
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
