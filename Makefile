# adoptsim: `make run` simulates the baseline scenario, `make test` runs the tests.
# Both create .venv on first use with a Python >= 3.12 (see tools/find-python).

PYTHON ?= $(shell tools/find-python)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= results/baseline

EXPERIMENTS := $(basename $(notdir $(wildcard experiments/*.toml)))

.PHONY: run test lint bench app findings calibrate-example clean help

help:
	@echo "make run    simulate scenarios/baseline.toml, write $(OUT)/"
	@echo "make test   run the test suite"
	@echo "make lint   ruff check"
	@echo "make bench  performance benchmarks (writes benchmarks/results.json)"
	@echo "make app    start the interactive app on http://127.0.0.1:8765"
	@echo "make findings  every experiment, its report, the robustness checks and the figures of docs/findings.md"
	@echo "make calibrate-example  calibrate the farmers' data (docs/calibration.md)"

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
	$(BIN)/python tools/robustness.py
	$(BIN)/python tools/findings_figures.py

# The worked example of docs/calibration.md: the Brazilian farmers' record, one model step per
# year. Writes results/calibrate-example/ and refreshes the figures in docs/calibration/.
CALIBRATION := results/calibrate-example
calibrate-example: $(STAMP)
	$(BIN)/adoptsim calibrate docs/calibration/farmers_yearly.toml \
	  --observed data/brfarmers/people.csv \
	  --fit awareness.p_external=0.001:0.5:log --fit awareness.q=0.01:5:log \
	  --fit joining.rate=0.01:1:log --out $(CALIBRATION) --seed 1
	$(BIN)/adoptsim forecast $(CALIBRATION) --compare "awareness.p_comms=0.1,comms.promote_step=5" \
	  --compare "awareness.q=0"
	cp $(CALIBRATION)/predictive.png $(CALIBRATION)/marginals.png $(CALIBRATION)/pairs.png \
	  $(CALIBRATION)/forecast.png docs/calibration/

clean:
	rm -rf $(VENV) results .pytest_cache
