# Two commands on a fresh machine: `make run` (local stack) and `make test` (everything).
# Each target bootstraps what it needs: the Python 3.12 virtualenv (same version as the Lambda
# runtime), DynamoDB Local (npm), aws-sam-cli and cfn-lint in their own virtualenv so their pins
# stay apart, checkov in another, and Debian's Chromium for the browser test.

SHELL := /bin/bash
PY_VERSION := 3.12.1
PYTHON_312 := $(or $(wildcard $(HOME)/.pyenv/versions/$(PY_VERSION)/bin/python3.12),$(shell command -v python3.12))
VENV := .venv
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
BIN := $(VENV)/bin
SAM := $(SAM_VENV)/bin/sam
# The functions' instruction set: the template's Architecture parameter and the layer's wheels.
ARCHITECTURE ?= arm64
BUILD_DIR ?= .aws-sam/build
SWAGGER_UI_VERSION ?= 5.35.0
SWAGGER_UI_DIR := functions/docs/swagger_ui
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} \
	PATH=$(dir $(PYTHON_312)):$$PATH
PORT ?= 3000
# `make start-api`: its own port, next to `make run` (which it needs).
SAM_API_PORT ?= 3001
# `sam local` runs the functions in containers of this machine's architecture, built apart from
# .aws-sam/build (which `sam deploy` uses, built for the deployed architecture); the same
# directory as warehouse_devstack/sam_cli.py's LOCAL_BUILD_DIR.
LOCAL_ARCHITECTURE := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x86_64)
LOCAL_BUILD_DIR := .aws-sam/local-$(LOCAL_ARCHITECTURE)
LOCAL_SOURCES := template.yaml $(shell find functions layers/shared -type f -not -path '*/__pycache__/*' \
	-not -path '*.egg-info/*' -not -name '*.pyc')
# FN=RestockFunction -> events/restock.json
EVENT ?= events/$(shell echo '$(FN)' | sed -E 's/Function$$//; s/([a-z0-9])([A-Z])/\1_\2/g' | tr A-Z a-z).json
# sam with a Docker engine, the build above and samconfig.toml's local settings.
SAM_LOCAL := $(BIN)/python -m warehouse_devstack.sam_cli

.PHONY: rebuild-projections redrive-audit help run test lint format unit integration e2e template-check build clean \
	chromium openapi swagger-ui bench invoke start-api sam-local-build

help:
	@echo "make run    - local stack on http://127.0.0.1:$(PORT) (DynamoDB Local + API emulator)"
	@echo "make test   - lint, template checks and every test"
	@echo "make lint / format / unit / integration / e2e / template-check"
	@echo "make build [ARCHITECTURE=x86_64] - sam build for arm64 (default) or x86_64"
	@echo "make invoke FN=RestockFunction [EVENT=events/restock.json] - sam local invoke (Docker)"
	@echo "make start-api - sam local start-api on http://127.0.0.1:$(SAM_API_PORT) (Docker)"
	@echo "make openapi - write openapi.json (a test fails while it is stale)"
	@echo "make docs   - rewrite the generated sections of README.md and docs/ [BENCH=results.json]"
	@echo "make bench  - cold start, warm overhead, round trips, local stack, layer size (~15 min)"

$(BIN)/.installed: pyproject.toml layers/shared/pyproject.toml
	@test -n "$(PYTHON_312)" || { echo "Python $(PY_VERSION) not found (pyenv install $(PY_VERSION))"; exit 1; }
	$(PYTHON_312) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e layers/shared -e '.[dev]'
	touch $@

# cfn-lint is also a dependency of aws-sam-cli (`sam validate --lint`); named for its own CLI.
$(SAM_VENV)/.installed:
	$(PYTHON_312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli cfn-lint
	touch $@

$(CHECKOV_VENV)/.installed:
	$(PYTHON_312) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/pip install --quiet checkov==$(CHECKOV_VERSION)
	touch $@

# Headless Chromium and its driver for tests/e2e/test_docs_browser.py (Debian packages).
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive \
		$(SUDO) apt-get install -y --no-install-recommends chromium chromium-driver; }

devstack/node_modules/.installed: devstack/package.json devstack/package-lock.json
	cd devstack && npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(BIN)/.installed devstack/node_modules/.installed

run: venv
	$(BIN)/python -m warehouse_devstack --port $(PORT) $(ARGS)

# Recompute the report projections from the stock records (local stack; ARGS="--stack-name X"
# for a deployed stack). Changes nothing when they are already right.
rebuild-projections: $(BIN)/.installed
	$(BIN)/python -m warehouse_ops.rebuild_projections $(ARGS)

# Replay the stream records the relay dead-lettered into the audit queue, once their cause is fixed
# (local stack; ARGS="--stack-name X" for a deployed stack). See docs/operations.md.
redrive-audit: $(BIN)/.installed
	$(BIN)/python -m warehouse_ops.redrive_audit $(ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(MAKE) --no-print-directory openapi-lint

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# SAM's validation (with its cfn-lint rules), cfn-lint itself, checkov (every skip is justified
# in template.yaml) and a build into a scratch folder.
template-check: $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	$(SAM_ENV) $(SAM) validate --lint
	$(SAM_VENV)/bin/cfn-lint template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --skip-download \
		--compact --quiet
	$(MAKE) --no-print-directory build BUILD_DIR=.aws-sam/template-check

# sam build cannot tell the layer's Makefile the architecture: both get it from ARCHITECTURE.
build: $(SAM_VENV)/.installed
	ARCHITECTURE=$(ARCHITECTURE) $(SAM_ENV) $(SAM) build --parallel --build-dir $(BUILD_DIR) \
		--parameter-overrides Architecture=$(ARCHITECTURE)

# sam local invoke / start-api against the local stack of `make run` (see docs/sam-local.md),
# with this machine's Docker engine, else samlocal.sh's (warehouse_devstack/sam_cli.py).
sam-local-build: $(LOCAL_BUILD_DIR)/template.yaml

$(LOCAL_BUILD_DIR)/template.yaml: $(SAM_VENV)/.installed $(LOCAL_SOURCES)
	$(MAKE) --no-print-directory build ARCHITECTURE=$(LOCAL_ARCHITECTURE) BUILD_DIR=$(LOCAL_BUILD_DIR)
	touch $@

invoke: $(BIN)/.installed $(LOCAL_BUILD_DIR)/template.yaml
	@test -n "$(FN)" || { echo "usage: make invoke FN=RestockFunction [EVENT=events/restock.json]" >&2; exit 2; }
	$(SAM_LOCAL) local invoke $(FN) --event $(EVENT)

start-api: $(BIN)/.installed $(LOCAL_BUILD_DIR)/template.yaml
	$(SAM_LOCAL) local start-api --port $(SAM_API_PORT)

openapi: $(BIN)/.installed
	$(BIN)/python -m warehouse_devstack.openapi_file

# Redocly CLI (npm, devstack/package.json) with its recommended rules, warnings counted as errors.
.PHONY: openapi-lint docs
openapi-lint: devstack/node_modules/.installed
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true devstack/node_modules/.bin/redocly \
		lint --extends=recommended-strict --format=summary openapi.json

# The generated sections of README.md and docs/*.md (tests/unit/test_docs.py fails while one is
# stale); BENCH=bench/results/<timestamp>.json makes that `make bench` run the one they show.
docs: $(BIN)/.installed
	$(BIN)/python -m warehouse_devstack.docs $(if $(BENCH),--bench $(BENCH))

# Swagger UI's script and stylesheet, served by the docs function: from npm's swagger-ui-dist.
swagger-ui:
	tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent swagger-ui-dist@$(SWAGGER_UI_VERSION) \
		>/dev/null && tar xzf swagger-ui-dist-*.tgz) && \
	cp $$tmp/package/{LICENSE,NOTICE,swagger-ui-bundle.js.LICENSE.txt} $(SWAGGER_UI_DIR)/ && \
	sed '/^\/\/# sourceMappingURL=/d' $$tmp/package/swagger-ui-bundle.js \
		> $(SWAGGER_UI_DIR)/swagger-ui-bundle.js && \
	sed '/^\/\*# sourceMappingURL=.*\*\/$$/d' $$tmp/package/swagger-ui.css \
		> $(SWAGGER_UI_DIR)/swagger-ui.css && \
	sed -i '1s/^swagger-ui-dist [^ ]*/swagger-ui-dist $(SWAGGER_UI_VERSION)/' $(SWAGGER_UI_DIR)/SOURCE && \
	rm -rf $$tmp

# Not a test: measures, prints a table and writes bench/results/<timestamp>.json and a chart
# (ARGS="--runs 20", "--skip-build", ...; see bench/run.py). Builds for this machine's architecture.
bench: venv $(SAM_VENV)/.installed
	$(SAM_ENV) BENCH_COMMAND="make bench $(ARGS)" $(BIN)/python -m bench.run $(ARGS)

unit: venv
	$(BIN)/pytest tests/unit

integration: venv
	$(BIN)/pytest tests/integration

e2e: venv
	$(BIN)/pytest tests/e2e

test: venv lint template-check chromium
	$(BIN)/pytest

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam devstack/node_modules .mypy_cache .pytest_cache .ruff_cache
