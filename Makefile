# onestop — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NODE   := node_modules/.installed
# The fast tests: in-process, no browser, no PostgreSQL/Redis, no real server processes.
FAST   := -m "not browser and not services and not slow"

.PHONY: run test check lint bench clean translations

$(STAMP): pyproject.toml
	@sh scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@# setuptools warns of every editable install; quiet means the demo's links stay on screen.
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# ESLint for the page scripts, pinned by package-lock.json (from the npm registry).
$(NODE): package.json package-lock.json
	@sh scripts/system-deps.sh lint
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE)

## Set up, load the demo (with four months of made-up history for the reports) and serve it
## at http://127.0.0.1:5000 (Ctrl-C stops).
run: $(STAMP)
	$(BIN)/onestop init --demo
	$(BIN)/onestop history --if-empty
	$(BIN)/onestop serve

## Set up and run every check: lint, types, import rules, the whole suite with coverage.
test: lint
	@sh scripts/system-deps.sh test
	@rm -f .coverage .coverage.*
	$(BIN)/pytest --cov --cov-report=
	@$(BIN)/python scripts/coverage_summary.py

## Lint plus the fast tests (no browser, no services, no server processes): before a commit.
check: lint
	$(BIN)/pytest -q $(FAST)

lint: $(STAMP) $(NODE)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	node_modules/.bin/eslint --max-warnings=0 onestop/static

## Every benchmark, each beside its floor (PostgreSQL and Redis rows when reachable): tables,
## and JSON under bench/results/. About 20 minutes on two cores.
bench: $(STAMP)
	cd bench && ../$(BIN)/python ticket_bench.py
	cd bench && ../$(BIN)/python call_bench.py
	cd bench && ../$(BIN)/python screens_bench.py
	cd bench && ../$(BIN)/python recovery_bench.py
	cd bench && ../$(BIN)/python print_bench.py
	$(BIN)/python bench/queue_bench.py

clean:
	rm -rf $(VENV) node_modules test-output .pytest_cache .mypy_cache .coverage .coverage.*

## Refresh the Vietnamese catalogs after changing visible strings (then translate the new ones).
translations: $(STAMP)
	BIN=$(BIN) sh scripts/translations.sh
