# Klartänkt – run `make` to list the targets.
SHELL := /bin/bash
PORT ?= 8000
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
APT_PACKAGES := gettext
BROWSER_PACKAGES := chromium fonts-dejavu-core

.DEFAULT_GOAL := help
.PHONY: help install run test lint format messages messages-check bench browser clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --ignore-scripts
	@touch $@

system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Please install:$$missing"; exit 1; fi; fi

install: system-packages $(VENV)/.installed node_modules/.installed ## Install Python and npm packages

run: install ## Install, migrate, load the demo content and serve on http://127.0.0.1:8000 (PORT= overrides)
	$(MANAGE) migrate --noinput
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) load_demo
	@echo "Klartänkt: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(MANAGE) runserver 127.0.0.1:$(PORT)

browser: ## Install Debian's Chromium for the browser tests (as root)
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES); \
	  else echo "Browser tests need /usr/bin/chromium: apt-get install chromium"; fi; fi

lint: install ## Check code style (ruff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install ## Update and compile the Swedish message catalogue
	$(MANAGE) makemessages -l sv --no-location --no-obsolete --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

messages-check: install ## Fail when the message catalogue is stale or incomplete
	$(BIN)/python -m lms.messages_check

test: install browser lint ## Install and run the whole suite (lint, checks, pytest incl. browser tests)
	DJANGO_SETTINGS_MODULE=lms.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=lms.settings.test $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory messages-check
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install ## Benchmarks: page and answer throughput, CPU and queries (see docs/benchmarks.md)
	$(BIN)/python bench/run.py

clean: ## Remove the virtualenv, node_modules, collected static files and the SQLite database
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm
