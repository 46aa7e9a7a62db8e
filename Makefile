# Sanad — every set-up step is here; see README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SANAD  := $(BIN)/sanad
VAR    ?= var
DB     := $(VAR)/sanad.sqlite3
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The test suite runs on every core (pytest-xdist; each process has its own test
# database). PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --maxprocesses=4)

.PHONY: system-deps demo serve install install-dev test test-postgres test-browser browser-deps lint format bench messages ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# WeasyPrint (household cards, PDFs) needs Pango and HarfBuzz from the system.
system-deps:
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || { \
	  echo "installing Pango for WeasyPrint (Debian packages)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; }

$(VENV)/.installed: pyproject.toml | $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, prepare the embedded database, load the demo data if new, run worker, outbox + site
demo: install
	@mkdir -p $(VAR)
	@if [ -f "$(DB)" ]; then NEW=0; else NEW=1; fi; \
	$(SANAD) migrate --no-input -v 0 && \
	if [ $$NEW = 1 ]; then $(SANAD) seed_demo; else $(SANAD) seed_demo --logins-only; fi
	@$(MAKE) --no-print-directory serve

serve: install
	@echo "Sanad on http://$(HOST):$(PORT)/  (job worker and SMS outbox running beside it; Ctrl-C stops all)"
	@$(SANAD) db_worker --queue-name default --interval 1 >$(VAR)/worker.log 2>&1 & WORKER=$$!; \
	$(SANAD) outbox >$(VAR)/outbox.log 2>&1 & OUTBOX=$$!; \
	trap "kill $$WORKER $$OUTBOX 2>/dev/null" EXIT INT TERM; \
	$(SANAD) runserver $(HOST):$(PORT)

## make test: install and run the test suite (SQLite; PostgreSQL with DATABASE_URL set)
test: install-dev
	$(BIN)/python -m pytest -m "not browser" -q $(PARALLEL)

test-postgres: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/sanad} $(BIN)/python -m pytest -m "not browser" -q $(PARALLEL)

browser-deps:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

test-browser: install-dev browser-deps
	$(BIN)/python -m pytest -m browser -q $(PARALLEL) tests/browser

lint: install-dev
	$(BIN)/ruff check sanad tests benchmarks
	$(BIN)/ruff format --check sanad tests benchmarks
	$(BIN)/lint-imports
	$(SANAD) makemigrations --check --dry-run
	$(BIN)/python scripts/check_translations.py
	$(BIN)/mypy sanad

format: install-dev
	$(BIN)/ruff format sanad tests benchmarks
	$(BIN)/ruff check --fix sanad tests benchmarks

bench: install-dev
	$(BIN)/python benchmarks/run.py

## make messages: refresh the translation catalogues from the code, then compile them
messages: install-dev
	cd sanad && ../$(SANAD) makemessages -l ar -l ckb --no-obsolete --ignore 'static/*'
	$(BIN)/python scripts/compile_messages.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .ruff_cache
