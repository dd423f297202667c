# make run  — set everything up and start web, worker (checks + downloads) and scheduler,
#             each restarted if it exits (scripts/run-stack.sh).
# make test — set everything up (dev tools, redis-server, chromium), check the import layers
#             (lint-imports) and run the whole suite.
# make bench — the benchmarks (not tests): they print figures.
# make soak  — the whole stack for SOAK_MINUTES (10) of steady work: memory, keys, files, CPU.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export REDIS_URL ?= redis://127.0.0.1:6379/0
export MAX_PARALLEL_DOWNLOADS ?= 3
export PORT ?= 3000
export HOST ?= 127.0.0.1

.PHONY: run test bench soak lint migrate htmx system-test

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip

$(VENV)/.runtime: $(VENV)/bin/activate requirements.txt
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	touch $@

htmx:
	scripts/fetch-htmx.sh

migrate: $(VENV)/.runtime
	$(VENV)/bin/flask --app wsgi db upgrade

run: $(VENV)/.runtime
	PY=$(PY) scripts/ensure-redis.sh
	@if [ "$${HTMX_SRC:-cdn}" = local ]; then scripts/fetch-htmx.sh; fi
	$(VENV)/bin/flask --app wsgi db upgrade
	@echo
	@echo "  Watchlist is starting on http://$(HOST):$(PORT)/"
	@echo "  (no account yet? the first page asks you to create the admin)"
	@echo
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH exec scripts/run-stack.sh

system-test:
	scripts/apt-ensure.sh redis-server redis-server
	scripts/apt-ensure.sh chromium chromium
	scripts/apt-ensure.sh ffmpeg ffmpeg
	scripts/fetch-htmx.sh

test: $(VENV)/.dev system-test
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev system-test
	$(VENV)/bin/python -m tests.bench

soak: $(VENV)/.dev system-test
	$(VENV)/bin/python -m tests.bench.soak

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
