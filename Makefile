# Every target that needs Python sets up .venv itself: a fresh clone needs nothing but python3 and pip.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installs come from the lock files (requirements/*.lock, `make lock` writes them) with the torch CPU
# pin of constraints.txt. `make run` installs what serving needs; `make test` everything else too.
LOCKS := pyproject.toml constraints.txt requirements/serve.lock requirements/dev.lock
KEY := $(shell cat $(LOCKS) | sha256sum | cut -c1-16)
SERVE_STAMP := $(VENV)/.serve-$(KEY)
DEV_STAMP := $(VENV)/.dev-$(KEY)
PIP := $(BIN)/python -m pip
HOST ?= 127.0.0.1
PORT ?= 8000
DATE := $(shell date +%F)

.PHONY: install install-serve lock system-deps run run-cluster test test-slow lint fmt unit integration eval bench soak capacity profile console clean

install: $(DEV_STAMP)

install-serve: $(SERVE_STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Serving only: the API, the widget, ingest and the CLI (no console, evals, LLM or test tools).
$(SERVE_STAMP): $(LOCKS) | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -r requirements/serve.lock
	$(PIP) install --quiet --no-deps -e .
	$(PIP) check
	@rm -f $(VENV)/.serve-*
	@touch $@

# Everything (every extra and the dev tools); serving is a subset of it.
$(DEV_STAMP): $(LOCKS) | $(BIN)/python
	$(PIP) install --quiet -c constraints.txt -r requirements/dev.lock
	$(PIP) install --quiet --no-deps -e .
	$(PIP) check
	@rm -f $(VENV)/.serve-* $(VENV)/.dev-*
	@touch $(SERVE_STAMP) $@

# Re-resolve the locks after changing pyproject.toml (serving is pinned to the dev lock's versions).
lock: | $(BIN)/python
	$(PIP) install --quiet pip-tools
	$(BIN)/pip-compile --quiet --no-header --strip-extras --no-emit-index-url --no-emit-find-links \
	  --all-extras -c constraints.txt -o requirements/dev.lock pyproject.toml
	$(BIN)/pip-compile --quiet --no-header --strip-extras --no-emit-index-url --no-emit-find-links \
	  -c constraints.txt -c requirements/dev.lock -o requirements/serve.lock pyproject.toml

# Debian's Chromium drives the browser tests (Playwright cannot download browsers here).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install-serve
	$(BIN)/assist ingest knowledge/docs
	$(BIN)/assist accounts check knowledge/accounts
	$(BIN)/assist flows check knowledge/flows
	@echo
	@echo "  Customer portal demo + chat widget: http://$(HOST):$(PORT)/   (site code DEMO-1234)"
	@echo "  Embed the widget:  <script src=\"http://$(HOST):$(PORT)/widget.js\" async></script>"
	@echo "  API docs:          http://$(HOST):$(PORT)/docs   health /healthz, readiness /readyz"
	@echo "  Engineer API key:  dev-engineer-key (header X-API-Key; set ASSIST_SERVER__ENGINEER_API_KEYS)"
	@echo "  Engineer workspace (live chat): http://$(HOST):$(PORT)/workspace"
	@echo "      development sign-ins: dana@protelecom.example / dana-dev-password (engineer)"
	@echo "                            alex@protelecom.example / alex-dev-password (admin)"
	@echo "  Engineer console:  make console      Terminal chat: $(BIN)/assist chat --site DEMO-1234"
	@echo "  Handoff notifications: $(BIN)/assist outbox list   (JSONL in var/handoffs.jsonl; webhooks: README)"
	@echo
	$(BIN)/assist serve --host $(HOST) --port $(PORT)

# Scale-out: a `chroma run` server, PostgreSQL on 127.0.0.1:5432 (database "assist", created if
# missing; override with ASSIST_DATABASE_URL) and WORKERS uvicorn workers. See README "Deployment".
WORKERS ?= 2
run-cluster: install-serve
	$(PIP) install --quiet -c constraints.txt -c requirements/dev.lock -e '.[postgres]'
	$(BIN)/assist flows check knowledge/flows
	$(BIN)/assist cluster --workers $(WORKERS) --port $(PORT)

# The unit tier runs on every core (pytest-xdist); the integration tier (servers, browsers, the real
# model, PostgreSQL) runs after it in two processes, a test file per process (each starts its own
# servers on free ports and its own databases). `make test-slow` runs the benchmarks' suites.
test: install system-deps lint
	$(BIN)/python -m pytest -m "not integration and not slow" -q -n auto
	$(BIN)/python -m pytest -m "integration and not slow" -q -n 2 --dist loadfile

test-slow: install system-deps
	$(BIN)/python -m pytest -m slow -q

unit: install
	$(BIN)/python -m pytest -m "not integration and not slow" -q

integration: install
	$(BIN)/python -m pytest -m "integration and not slow" -q -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot ingest
	$(BIN)/lint-imports
	$(BIN)/deptry .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

eval: install
	$(BIN)/assist eval all

bench: install
	$(BIN)/python -m evals.bench --out bench/results

# 5 minutes, 50 users, against chroma run + PostgreSQL + 2 workers (docs/reliability.md)
soak: install
	$(BIN)/python -m evals.soak --minutes 5 --users 50 --workers 2 --out bench/results

capacity: install
	$(BIN)/python -m evals.capacity --workers 2 --step 45 --out bench/results

profile: install
	$(BIN)/python -m evals.profile --users 100 --seconds 60 --out bench/results

console: install-serve
	$(PIP) install --quiet -c constraints.txt -c requirements/dev.lock -e '.[console]'
	$(BIN)/streamlit run ui/console/app.py --server.address 127.0.0.1

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
