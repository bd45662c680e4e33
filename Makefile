# Every target that needs Python sets up .venv itself: a fresh clone needs nothing but python3 and pip.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-16)
HOST ?= 127.0.0.1
PORT ?= 8000
DATE := $(shell date +%F)

.PHONY: install system-deps run run-cluster test lint fmt unit integration eval bench soak capacity profile console clean

install: $(STAMP)

# One resolver pass for the project and every extra (pip check proves they fit together).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,llm,postgres]'
	$(BIN)/python -m pip check
	@rm -f $(VENV)/.installed-*
	@touch $@

# Debian's Chromium drives the browser tests (Playwright cannot download browsers here).
system-deps:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
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
run-cluster: install
	$(BIN)/assist flows check knowledge/flows
	$(BIN)/assist cluster --workers $(WORKERS) --port $(PORT)

test: install system-deps lint
	$(BIN)/python -m pip check
	$(BIN)/python -m pytest -m "not slow" -q

unit: install
	$(BIN)/python -m pytest -m "not integration and not slow" -q

integration: install
	$(BIN)/python -m pytest -m "integration and not slow" -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot ingest
	$(BIN)/lint-imports

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

console: install
	$(BIN)/streamlit run ui/console/app.py --server.address 127.0.0.1

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
