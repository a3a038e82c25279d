# The two commands of the README's Quickstart. Everything they need is installed here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test setup setup-test browser

serve: setup
	$(BIN)/python build.py serve

test: setup-test browser
	$(BIN)/python -m pytest

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here).
browser:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Browser tests need /usr/bin/chromium: run 'sudo apt-get install chromium' once, then 'make test' again." >&2; exit 1; \
	  fi; }
