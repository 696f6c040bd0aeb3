# onestop — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench clean translations

$(STAMP): pyproject.toml
	@sh scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Set up, load the demo and serve it at http://127.0.0.1:5000 (Ctrl-C stops).
run: $(STAMP)
	$(BIN)/onestop init --demo
	$(BIN)/onestop serve

## Set up and run every check: lint, import rules, the whole test suite.
test: $(STAMP)
	@sh scripts/system-deps.sh test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## Queue throughput (SQLite, and PostgreSQL when reachable) and printing figures; print tables.
bench: $(STAMP)
	$(BIN)/python bench/queue_bench.py
	$(BIN)/python bench/print_bench.py

clean:
	rm -rf $(VENV) test-output .pytest_cache

## Refresh the Vietnamese catalogs after changing visible strings (then translate the new ones).
translations: $(STAMP)
	BIN=$(BIN) sh scripts/translations.sh
