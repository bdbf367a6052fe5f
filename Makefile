# PSP Co-design. `make run` serves the demo; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app psp
STAMP := $(VENV)/.installed

.PHONY: install run test lint browser db assets clean bench

install: $(STAMP) assets db

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

assets:
	bash scripts/build-assets.sh

db: $(STAMP)
	$(FLASK) db upgrade

run: install
	$(FLASK) psp seed-demo
	$(FLASK) psp demo-accounts
	$(FLASK) run --host 127.0.0.1 --port 5000

browser:
	bash scripts/ensure-chromium.sh

test: install browser
	$(BIN)/ruff check .
	$(BIN)/mypy psp
	$(BIN)/pytest -n auto --cov --cov-report=term
	$(BIN)/python scripts/branch-coverage.py

# make bench ARGS="--scale 0.1" or ARGS="--database-url postgresql+psycopg://..."
bench: install
	bash scripts/ensure-wrk.sh
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules static/dist
