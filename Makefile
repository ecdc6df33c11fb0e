# Two commands: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
REPORTS := reports

.PHONY: run test lint system-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	bash scripts/install-system-deps.sh runtime
	$(BIN)/rarepath assess $$($(BIN)/python -c 'import rarepath.examples as e; print(e.default_case_path())') \
		--html $(REPORTS) --json $(REPORTS)/assessment.json --pdf
	@echo "Reports written to $(abspath $(REPORTS))/"

system-deps:
	bash scripts/install-system-deps.sh

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts

test: system-deps $(STAMP) lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) $(REPORTS) .pytest_cache
