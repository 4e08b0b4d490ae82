# Two commands do all the set-up:  `make run`  and  `make test`.
# Each creates the virtual environment in .venv on first use and installs what it needs,
# exactly the versions (and file hashes) of requirements/lock.txt: two installs, same code.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements/lock.txt
# The lock tool runs in its own environment, never in the bot's.
LOCK_VENV := .venv-lock
UV_VERSION := 0.13.9

.PHONY: run chat test lint catalogs lock

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(LOCK)
	# Équipage itself, built with the locked setuptools: nothing unpinned is fetched.
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/equipage run

chat: $(STAMP)
	$(BIN)/equipage chat

test: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist worksteal

lint: $(STAMP)
	$(BIN)/ruff check bot tests benchmarks
	$(BIN)/ruff format --check bot tests benchmarks
	$(BIN)/mypy

# Refresh requirements/lock.txt: the newest versions pyproject.toml allows, with hashes, one
# file valid for every Python from 3.11 on (markers pick what differs); production.txt is the
# same without the developers' tools. Then run `make test`.
lock:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet 'uv==$(UV_VERSION)'
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml requirements/build.in --extra dev \
		--universal --python-version 3.11 --generate-hashes --upgrade \
		--custom-compile-command "make lock" --quiet -o $(LOCK)
	# The server's and the container's install: the same pins, without the developers' tools.
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml requirements/build.in \
		--universal --python-version 3.11 --generate-hashes --constraint $(LOCK) \
		--custom-compile-command "make lock" --quiet -o requirements/production.txt

catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --omit-header -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales --no-fuzzy-matching

# Measures (never asserts) turn cost, concurrency, memory, scale and pictures; a few minutes.
# Results: benchmarks/results/ (JSON) and a table. `python -m benchmarks --quick` is smaller.
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m benchmarks
