# Two commands on a fresh machine: `make run` (local stack) and `make test` (everything); `make
# check` is the inner loop (lint, types, unit and moto tests). Each target bootstraps what it needs:
# the Python 3.12 virtualenv (same version as the Lambda runtime), DynamoDB Local (npm), aws-sam-cli
# and cfn-lint in their own virtualenv so their pins stay apart, checkov in another, and Debian's
# Chromium for the browser test. Every virtualenv installs exactly its lock file (`make lock`).

SHELL := /bin/bash
PY_VERSION := 3.12.1
PYTHON_312 := $(or $(wildcard $(HOME)/.pyenv/versions/$(PY_VERSION)/bin/python3.12),$(shell command -v python3.12))
VENV := .venv
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
BIN := $(VENV)/bin
SAM := $(SAM_VENV)/bin/sam
UV := $(BIN)/uv
# One lock file per virtualenv, exact versions with hashes, and the layer's runtime dependencies
# (what layers/shared/Makefile installs for Lambda). `make lock` writes them from their inputs:
# the two pyproject.toml files and requirements/*.in.
DEV_LOCK := requirements/dev.txt
SAM_LOCK := requirements/sam.txt
CHECKOV_LOCK := requirements/checkov.txt
LAYER_LOCK := layers/shared/requirements.txt
# Bytecode at install, as pip does: without it every run compiles its imports again wherever
# PYTHONDONTWRITEBYTECODE is set (as on these machines).
SYNC := $(UV) pip sync --quiet --compile-bytecode --python
LOCK := $(UV) pip compile --quiet --universal --python-version 3.12 --generate-hashes \
	--custom-compile-command "make lock"
# The slower suites run on every core (pytest-xdist, a test file's tests on one worker, so its
# module-scoped mocks and stacks are built once); each worker starts its own DynamoDB Local and
# local stacks. WORKERS=1 runs them in one process.
WORKERS ?= auto
PYTEST := $(BIN)/pytest
PARALLEL := $(if $(filter 1,$(WORKERS)),,-n $(WORKERS) --dist loadfile)
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

.PHONY: rebuild-projections redrive-audit help run test check lint format unit moto dynamodb-local \
	integration e2e sam-local template-check sam-validate checkov template-builds template-build \
	build clean chromium openapi swagger-ui bench invoke start-api sam-local-build venv lock \
	sam-versions deploy

help:
	@echo "make run    - local stack on http://127.0.0.1:$(PORT) (DynamoDB Local + API emulator)"
	@echo "make check  - lint, types, unit and moto tests (the inner loop, about 80 s on 2 cores)"
	@echo "make test   - check, template checks and every test, fastest first (CI runs this)"
	@echo "make lint / format / unit / moto / dynamodb-local / integration / e2e / sam-local"
	@echo "make template-check - sam validate --lint, checkov, sam build"
	@echo "make lock   - refresh the lock files from pyproject.toml and requirements/*.in, keeping"
	@echo "              every pin that still fits (ARGS=--upgrade or ARGS='--upgrade-package X')"
	@echo "make build [ARCHITECTURE=x86_64] - sam build for arm64 (default) or x86_64"
	@echo "make deploy [CONFIG_ENV=dev] [PARAMS=\"SnapStart=true\"] - build, then sam deploy with CodeVersion"
	@echo "make invoke FN=RestockFunction [EVENT=events/restock.json] - sam local invoke (Docker)"
	@echo "make start-api - sam local start-api on http://127.0.0.1:$(SAM_API_PORT) (Docker)"
	@echo "make openapi - write openapi.json (a test fails while it is stale)"
	@echo "make docs   - rewrite the generated sections of README.md and docs/ [BENCH=results.json]"
	@echo "make bench  - cold start, warm overhead, round trips, projector, local stack, layer (under 10 min)"

# uv, which installs the virtualenvs: the version and hashes of the dev lock, by .venv's own pip.
$(UV):
	@test -n "$(PYTHON_312)" || { echo "Python $(PY_VERSION) not found (pyenv install $(PY_VERSION))"; exit 1; }
	$(PYTHON_312) -m venv $(VENV)
	$(BIN)/pip install --quiet --no-deps --require-hashes \
		-r <(awk '/^uv==/ { found = 1 } found { print } found && !/\\$$/ { exit }' $(DEV_LOCK))

# Exactly the lock (what is not in it is removed); the two editable projects are installed again
# so a change to their pyproject.toml (entry points, packages) takes effect.
$(BIN)/.installed: $(DEV_LOCK) pyproject.toml layers/shared/pyproject.toml | $(UV)
	$(SYNC) $(BIN)/python $(DEV_LOCK) --reinstall-package warehouse-devstack \
		--reinstall-package warehouse-inventory
	touch $@

$(SAM_VENV)/.installed: $(SAM_LOCK) | $(UV)
	$(PYTHON_312) -m venv --without-pip $(SAM_VENV)
	$(SYNC) $(SAM_VENV)/bin/python $(SAM_LOCK)
	touch $@

$(CHECKOV_VENV)/.installed: $(CHECKOV_LOCK) | $(UV)
	$(PYTHON_312) -m venv --without-pip $(CHECKOV_VENV)
	$(SYNC) $(CHECKOV_VENV)/bin/python $(CHECKOV_LOCK)
	touch $@

# The layer's lock first: the dev lock takes its pins, so the tests run what the layer ships.
lock: $(UV)
	$(LOCK) layers/shared/pyproject.toml -o $(LAYER_LOCK) $(ARGS)
	$(LOCK) requirements/dev.in -c $(LAYER_LOCK) -o $(DEV_LOCK) $(ARGS)
	$(LOCK) requirements/sam.in -o $(SAM_LOCK) $(ARGS)
	$(LOCK) requirements/checkov.in -o $(CHECKOV_LOCK) $(ARGS)

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

# Side by side: SAM's validation with cfn-lint's rules (`sam validate --lint` runs cfn-lint: its
# own command would only repeat them), checkov (every skip is justified in template.yaml) and the
# builds: the deployed architecture's into a scratch folder, then the sam local test's.
template-check:
	$(MAKE) --no-print-directory --jobs=3 --output-sync=target sam-validate checkov template-builds
	$(MAKE) --no-print-directory sam-versions

# SAM's own translator (in .venv-sam) on the versions the API functions publish: a parameter-only
# change must publish them again (docs/operations.md, "SnapStart").
sam-versions: $(SAM_VENV)/.installed $(BIN)/.installed
	$(PYTEST) tests/unit/test_snapstart_versions.py

# One after the other: builds in .aws-sam share its build.toml and cache, and each build prunes
# the cache of what it does not build itself.
template-builds: $(SAM_VENV)/.installed
	$(MAKE) --no-print-directory template-build
	$(MAKE) --no-print-directory sam-local-build

sam-validate: $(SAM_VENV)/.installed
	$(SAM_ENV) $(SAM) validate --lint

checkov: $(CHECKOV_VENV)/.installed
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --framework cloudformation --skip-download \
		--compact --quiet

template-build: $(SAM_VENV)/.installed
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

# sam deploy of the build with CodeVersion, a hash of the build output and every parameter value
# (warehouse_ops/deploy_parameters.py): the API functions' `live` alias then moves to new versions
# exactly when something changed. CONFIG_ENV picks samconfig.toml's environment; PARAMS adds
# overrides (PARAMS="SnapStart=true LogLevel=DEBUG"). See docs/operations.md, "SnapStart".
CONFIG_ENV ?= default
deploy: $(BIN)/.installed build
	overrides=$$($(BIN)/python -m warehouse_ops.deploy_parameters --config-env $(CONFIG_ENV) \
		--build-dir $(BUILD_DIR) Architecture=$(ARCHITECTURE) $(PARAMS)) && \
	$(SAM_ENV) $(SAM) deploy --config-env $(CONFIG_ENV) --template-file $(BUILD_DIR)/template.yaml \
		--parameter-overrides $$overrides

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
# (ARGS="--runs 15", "--skip-build", ...; see bench/run.py). Builds for this machine's architecture.
bench: venv $(SAM_VENV)/.installed
	$(SAM_ENV) BENCH_COMMAND="make bench $(ARGS)" $(BIN)/python -m bench.run $(ARGS)

# One suite per target, fastest first in `make check` and `make test`; each stops at the first
# suite that fails. (A bare `pytest` runs every suite in the same order: tests/conftest.py.)
unit: $(BIN)/.installed
	$(PYTEST) tests/unit

moto: $(BIN)/.installed
	$(PYTEST) $(PARALLEL) tests/integration/moto

dynamodb-local: venv
	$(PYTEST) $(PARALLEL) tests/integration/dynamodb_local

integration: venv
	$(PYTEST) $(PARALLEL) tests/integration

e2e: venv chromium
	$(PYTEST) $(PARALLEL) -m "not sam_local" tests/e2e

# The real SAM CLI in Docker containers (minutes): last, on its own.
sam-local: venv
	$(PYTEST) -m sam_local tests/e2e

# A phase of `make check` / `make test`, with its wall time in the log (bash's `time`).
TIMED = TIMEFORMAT="--- make $(1): %0R s"; time

# The unit tests and lint side by side (each mostly one core), each's output whole when it ends;
# npm's packages installed first (`venv`), not by lint's openapi-lint while the tests run.
check: venv
	@$(call TIMED,unit and lint) $(MAKE) --no-print-directory --jobs=2 --output-sync=target unit lint
	@$(call TIMED,moto) $(MAKE) --no-print-directory moto

test: check
	@$(call TIMED,template-check) $(MAKE) --no-print-directory template-check
	@$(call TIMED,dynamodb-local) $(MAKE) --no-print-directory dynamodb-local
	@$(call TIMED,e2e) $(MAKE) --no-print-directory e2e
	@$(call TIMED,sam-local) $(MAKE) --no-print-directory sam-local

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam devstack/node_modules .mypy_cache .pytest_cache .ruff_cache
