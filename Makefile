# loan401k: `make run` serves the calculator, `make test` runs every test.
# Both install what they need on a fresh machine (Python, apt and the package registries).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= $(or $(LOAN401K_PORT),8401)
STAMP  := $(VENV)/.install-stamp

.PHONY: install run test bench lint system-deps runtime-deps clean docs-shots load

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Debian packages the test suite drives (headless Chromium for the browser tests,
# PostgreSQL for the store tests, fonts and pango for PDF reports). Installed only when missing.
system-deps:
	@bash scripts/system-deps.sh test

runtime-deps:
	@bash scripts/system-deps.sh run

run: install runtime-deps
	$(BIN)/loan401k serve --host 127.0.0.1 --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: install
	$(BIN)/python -m bench

# Bounded loopback load test of the API (60 s on /api/v1/analysis, 15 s each on /limit and a
# scenario save; scripts/load.sh). wrk comes from Debian, installed here only.
load: install
	command -v wrk >/dev/null || { SUDO=""; [ "$$(id -u)" -ne 0 ] && SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk; }
	BIN=$(BIN) bash scripts/load.sh

# The same checks as .pre-commit-config.yaml: ruff, ruff's formatter, mypy (strict on src/).
lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Refresh the README's screenshots and docs/performance.md from the browser tests.
docs-shots: install system-deps
	LOAN401K_WRITE_DOCS=1 $(BIN)/python -m pytest tests/web/test_browser.py -k "screenshot or phone or recompute"
