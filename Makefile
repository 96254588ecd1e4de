# tradeportal — the commands a newcomer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: help install install-dev catalogs translations browser postgresql run serve migrate seed test test-postgresql lint audit bench clean

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(VENV)/.installed: setup.cfg constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed catalogs ## Create .venv and install the portal

install-dev: $(VENV)/.installed-dev catalogs ## Install the portal with the test and lint tools

# The compiled catalogs (.mo) are build output, never committed.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard tradeportal/translations/*/LC_MESSAGES/messages.po))

catalogs: $(CATALOGS) ## Compile the translations of the interface

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

translations: $(VENV)/.installed ## Collect the interface strings and update the French catalog
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ --no-location --sort-output \
		-o tradeportal/translations/messages.pot .
	$(BIN)/pybabel -q update -i tradeportal/translations/messages.pot -d tradeportal/translations \
		--no-fuzzy-matching --ignore-obsolete

migrate: install ## Bring the database schema up to date
	$(FLASK) db upgrade

seed: migrate ## Load the reference data in data/ (skips what did not change)
	$(FLASK) seed

run: seed ## Install, migrate, load the data and serve on http://127.0.0.1:5000
	$(FLASK) search rebuild --if-stale
	$(MAKE) serve

# The worker (scheduled publications, search drain) runs beside the web server and stops
# with it.
serve: ## Serve and run the worker, without installing or loading (after one `make run`)
	$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The browser tests drive Debian's chromium (Playwright's own browser download is not used).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
		chromium fonts-dejavu-core

browser: $(CHROMIUM) ## Install the browser the UI tests drive (Debian chromium)

# The PostgreSQL run of the suite starts its own server from Debian's binaries on a
# temporary data directory, loopback only (tests/pg_server.py).
postgresql: ## Install the PostgreSQL server the production-mode tests start (Debian)
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		-y -q --no-install-recommends postgresql; }

# `make test` runs the whole suite twice: on SQLite (the embedded default), then on a
# private PostgreSQL server the test session starts from the Debian binaries (production).
test: install-dev $(CHROMIUM) postgresql ## Install what the tests need and run every test
	$(BIN)/pytest
	TRADEPORTAL_TEST_DATABASE=postgresql $(BIN)/pytest

test-postgresql: install-dev $(CHROMIUM) postgresql ## Run every test on PostgreSQL only
	TRADEPORTAL_TEST_DATABASE=postgresql $(BIN)/pytest

lint: install-dev ## Check style and common mistakes with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# pip-audit asks PyPI's JSON API (or osv.dev) about every pinned version, so it needs the
# internet: it cannot run in this project's sandboxed CI. Run it where those hosts answer
# (a release machine, a networked CI) before each deployment; docs/deployment.md.
AUDIT_VENV := .venv-audit

audit: ## Check every pinned dependency for known vulnerabilities (needs the internet)
	test -x $(AUDIT_VENV)/bin/pip-audit || { $(PYTHON) -m venv $(AUDIT_VENV) && \
		$(AUDIT_VENV)/bin/python -m pip install --quiet pip-audit==2.10.1; }
	$(AUDIT_VENV)/bin/pip-audit --strict --no-deps --disable-pip --requirement constraints.txt

bench: install-dev ## Measure speed against raw baselines; reports in instance/bench/
	$(BIN)/python bench/hs_lookup.py
	$(BIN)/python bench/product_page.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/alerts.py
	$(BIN)/python bench/load.py

clean: ## Remove the virtualenv, caches and the local instance folder
	rm -rf $(VENV) $(AUDIT_VENV) instance .pytest_cache .ruff_cache .hypothesis *.egg-info
