# The two README commands. Both create .venv and install what they need, so a fresh clone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test build install install-test bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'

build: install
	$(BIN)/hubspoke build

run: build
	@echo "hubspoke: open http://$(HOST):$(PORT)/  (SPARQL endpoint: http://$(HOST):$(PORT)/sparql)"
	$(BIN)/hubspoke serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

bench: install-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench
	$(BIN)/python -m bench.writes
	$(BIN)/python -m bench.fuzz

# 10,000 hostile requests against the real server on loopback (bench/fuzz.py); also part of `make bench`.
fuzz: build install-test
	$(BIN)/python -m bench.writes
	$(BIN)/python -m bench.fuzz

clean:
	rm -rf build/ .pytest_cache
