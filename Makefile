# loan401k: `make run` serves the calculator, `make test` runs every test.
# Both install what they need on a fresh machine (Python, apt and the package registries).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= $(or $(LOAN401K_PORT),8401)
STAMP  := $(VENV)/.install-stamp
# The one gettext catalogue (docs/i18n.md): a .po per language, committed; its .mo compiled here.
LOCALE := src/loan401k/locale
PO     := $(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po)
MO     := $(PO:.po=.mo)
# What marks a string for the catalogue (src/loan401k/i18n.py); tests/i18n reads this line.
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' src/loan401k/__init__.py)
BABEL_KEYWORDS := --no-default-keywords -k _ -k gettext -k ngettext:1,2 -k pgettext:1c,2 -k npgettext:1c,2,3 -k N_ -k lazy_gettext

.PHONY: install run test bench lint system-deps runtime-deps clean docs-shots load messages

install: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	$(BIN)/pybabel compile -d $(LOCALE) -D messages
	touch $(STAMP)

# A .mo is rebuilt whenever its .po changes (after the install above, which brings pybabel).
$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po | $(STAMP)
	$(BIN)/pybabel compile -D messages -l $* -i $< -o $@

# Extract every marked string (src/loan401k/**.py, the templates: babel.cfg) into the .pot and
# merge it into each .po: new msgids arrive untranslated, changed ones fuzzy, both to translate
# (tests/i18n fails until every msgid has a reviewed Spanish msgstr).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --add-comments=TRANSLATORS: \
	  --add-location=file --sort-output --project=loan401k --version=$(VERSION) --copyright-holder="the loan401k authors" --ignore-dirs=".* ._ var node_modules" \
	  -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) -D messages --ignore-obsolete

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
