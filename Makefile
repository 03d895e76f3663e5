# adoptsim: `make run` simulates the baseline scenario, `make test` runs the tests.
# Both create .venv on first use with a Python >= 3.12 (see tools/find-python).

PYTHON ?= $(shell tools/find-python)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= results/baseline

EXPERIMENTS := $(basename $(notdir $(wildcard experiments/*.toml)))

.PHONY: run test lint bench app findings clean help

help:
	@echo "make run    simulate scenarios/baseline.toml, write $(OUT)/"
	@echo "make test   run the test suite"
	@echo "make lint   ruff check"
	@echo "make bench  performance benchmarks (writes benchmarks/results.json)"
	@echo "make app    start the interactive app on http://127.0.0.1:8765"
	@echo "make findings  run every experiment and its report (results/<name>/report.html)"

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "No Python >= 3.12 found (see above)."; exit 1; }
	@echo "Installing adoptsim and its dependencies into .venv (first time only, a few minutes)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/adoptsim run scenarios/baseline.toml --out $(OUT)

# The browser tests need Debian's Chromium: tools/ensure-chromium installs it when it can
# and otherwise prints why not, which pytest reports at the start and end of the run
# (the browser tests are then skipped; the rest of the suite still decides the exit code).
test: $(STAMP)
	ADOPTSIM_CHROMIUM_MISSING="$$(tools/ensure-chromium)" $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

app: $(STAMP)
	$(BIN)/adoptsim app

findings: $(STAMP)
	@for e in $(EXPERIMENTS); do \
	  $(BIN)/adoptsim sweep experiments/$$e.toml --out results/$$e || exit 1; \
	  $(BIN)/adoptsim report results/$$e || exit 1; \
	done

clean:
	rm -rf $(VENV) results .pytest_cache
