# Council CRM. `make run` serves the demo council; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format audit install install-test migrate bench bench-case-create bench-visibility bench-motions bench-portal bench-desk bench-member chromium assets clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(VENV)/bin/python
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP) install --quiet -c constraints.txt -e ".[test]"
	touch $@

# Browser tests: Debian's chromium (Playwright's own browser download is not used) and axe-core.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end assets (committed under apps/council_crm/static/council_crm/): one stylesheet per
# sites/<slug>/site.toml, GOV.UK Frontend's JavaScript, Leaflet and Chart.js.
assets: node_modules/.installed
	bin/build-assets

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test node_modules/.installed chromium

migrate: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable

run: migrate
	$(PY) manage.py load_site --demo-users --demo-workload
	CRM_DEBUG=1 bin/serve

PYTEST_ARGS ?= -n 2
test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff, the import contract (.importlinter: the layers, ADR 0015) and mypy (pyproject.toml).
lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy

# Known vulnerabilities in the pinned dependencies: pip-audit over constraints.txt and npm audit
# over package-lock.json (bin/audit; accepted ones in security/audit-allowlist.toml). Exit 1:
# a vulnerability to fix; exit 3: a vulnerability service could not be reached, nothing audited.
audit: install-test
	$(PY) bin/audit

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Benchmarks run against PostgreSQL (BENCH_DATABASE_URL, default ccrm_bench on 127.0.0.1).
bench-case-create: install-test
	$(PY) tests/bench/case_create.py $(BENCH_ARGS)

bench-visibility: install-test
	$(PY) tests/bench/visible_cases.py $(BENCH_ARGS)

# The register of motions has its own database (BENCH_MOTIONS_DATABASE_URL, ccrm_bench_motions).
bench-motions: install-test
	$(PY) tests/bench/motions_search.py $(BENCH_ARGS)

# The resident report journey under load: gunicorn on the bench database, driven by wrk
# (Debian's, installed if missing) and by simulated residents. See tests/bench/portal_load.py.
bench-portal: install-test
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the load benchmark"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) tests/bench/portal_load.py $(BENCH_ARGS)

# The staff desk under load: a case officer of the busiest team signed in through the sign-in
# page, wrk at 2 and 8 connections on the queue, the filtered queue and a case page.
bench-desk: install-test
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the load benchmark"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) tests/bench/desk_load.py $(BENCH_ARGS)

# The member portal under load: a councillor signed in, the division page and the management
# information (their division and the council, a year) after the roll-ups are rebuilt.
bench-member: install-test
	@command -v wrk >/dev/null || { echo "Installing Debian's wrk for the load benchmark"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	$(PY) tests/bench/member_load.py $(BENCH_ARGS)

bench: bench-case-create bench-visibility bench-motions bench-portal bench-desk bench-member

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
