# Two commands do all the set-up:  `make run`  and  `make test`.
# Each creates the virtual environment in .venv on first use and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run chat test lint catalogs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/equipage run

chat: $(STAMP)
	$(BIN)/equipage chat

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy

catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching

# Measures (never asserts) turn cost, concurrency, memory, scale and pictures; a few minutes.
# Results: benchmarks/results/ (JSON) and a table. `python -m benchmarks --quick` is smaller.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks
