# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2
# the suite runs in one process per core (pytest-xdist), a test file per process at a time
TEST_PROCESSES ?= auto

.PHONY: install browser-deps run serve test lint test-sqlite test-postgres translations messages clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations browser-deps

## axe-core for the accessibility tests, from the npm registry (skipped where there is no npm)
browser-deps: tests/browser/node_modules/.installed

tests/browser/node_modules/.installed: tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/browser && npm ci --no-audit --no-fund --silent && touch node_modules/.installed; \
	else echo "npm not found: the accessibility tests will skip (CI fails instead)"; fi

translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d translations 2>/dev/null; fi

## make run: create .venv, install, migrate, load the demo data and serve on http://127.0.0.1:5000
run: install
	$(BIN)/registry init
	$(BIN)/registry demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl+C to stop)"
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

## make test: lint, then the whole suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set
test: install lint test-sqlite test-postgres

## make lint: ruff, bandit (no finding of medium severity or higher) and pip-audit (where its index is reachable)
lint: $(STAMP)
	$(BIN)/ruff check registry tests tools migrations bench wsgi.py
	$(BIN)/bandit -q -c pyproject.toml -r registry -ll
	$(BIN)/python tools/audit_dependencies.py

test-sqlite:
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest -n $(TEST_PROCESSES) --dist loadfile -m "not browser and not sqlite" $(PYTEST_ARGS); \
	else echo "== TEST_DATABASE_URL is not set: the suite did not run on PostgreSQL"; fi

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache tests/browser/node_modules

## make messages: refresh translations/en from the sources (then translate the new entries)
messages: $(STAMP)
	$(BIN)/pybabel extract --no-wrap --no-location -F babel.cfg -k N_ -k _l -o translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching -i translations/messages.pot -d translations

## make bench: the national-scale benchmark (synthetic data, gunicorn, wrk) on SQLite and PostgreSQL
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)
