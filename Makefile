# Two commands on a fresh machine: `make run` (local stack) and `make test` (everything).
# Each target bootstraps what it needs: the Python 3.12 virtualenv (same version as the Lambda
# runtime), DynamoDB Local (npm), and aws-sam-cli in its own virtualenv so its pins stay apart.

SHELL := /bin/bash
PY_VERSION := 3.12.1
PYTHON_312 := $(or $(wildcard $(HOME)/.pyenv/versions/$(PY_VERSION)/bin/python3.12),$(shell command -v python3.12))
VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin
SAM := $(SAM_VENV)/bin/sam
SAM_ENV := SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=$${AWS_DEFAULT_REGION:-us-east-1} \
	PATH=$(dir $(PYTHON_312)):$$PATH
PORT ?= 3000

.PHONY: help run test lint format unit integration e2e template-check build clean

help:
	@echo "make run    - local stack on http://127.0.0.1:$(PORT) (DynamoDB Local + API emulator)"
	@echo "make test   - lint, template checks and every test"
	@echo "make lint / format / unit / integration / e2e / build / template-check"

$(BIN)/.installed: pyproject.toml layers/shared/pyproject.toml
	@test -n "$(PYTHON_312)" || { echo "Python $(PY_VERSION) not found (pyenv install $(PY_VERSION))"; exit 1; }
	$(PYTHON_312) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e layers/shared -e '.[dev]'
	touch $@

$(SAM_VENV)/.installed:
	$(PYTHON_312) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet aws-sam-cli
	touch $@

devstack/node_modules/.installed: devstack/package.json devstack/package-lock.json
	cd devstack && npm ci --no-audit --no-fund --loglevel=error
	touch $@

venv: $(BIN)/.installed devstack/node_modules/.installed

run: venv
	$(BIN)/python -m warehouse_devstack --port $(PORT) $(ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

template-check: $(SAM_VENV)/.installed
	$(SAM_ENV) $(SAM) validate --lint
	$(SAM_ENV) $(SAM) build --parallel

build: template-check

unit: venv
	$(BIN)/pytest tests/unit

integration: venv
	$(BIN)/pytest tests/integration

e2e: venv
	$(BIN)/pytest tests/e2e

test: venv lint template-check
	$(BIN)/pytest

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam devstack/node_modules .mypy_cache .pytest_cache .ruff_cache
