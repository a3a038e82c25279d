# The two commands of the README's Quickstart. Everything they need is installed here.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: serve test setup setup-test system-tools

serve: setup
	$(BIN)/python build.py serve

test: setup-test system-tools
	$(BIN)/python -m pytest

# The project's own code compiled to bytecode, as pip compiles the packages it installs: Python does not
# write it itself where PYTHONDONTWRITEBYTECODE is set, and each build would compile every module again.
setup: $(VENV)/.installed
	@$(BIN)/python -m compileall -q editio build.py >/dev/null
setup-test: $(VENV)/.installed-test
	@$(BIN)/python -m compileall -q editio build.py >/dev/null

$(VENV)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium (Playwright cannot download browsers here); the TEI export is
# validated with Debian's jing (lxml cannot compile the tei_all schema in reasonable time); the pages with
# the current Nu HTML checker (npm's vnu-jar, run with Java); the PDF reader reads articles typeset by
# Debian's groff (its PDF driver, gropdf, is in the groff package, not in groff-base).
VNU := .tools/node_modules/vnu-jar/build/dist/vnu.jar

system-tools: $(VNU)
	@missing=""; test -x /usr/bin/chromium || missing="chromium"; command -v jing >/dev/null || missing="$$missing jing"; \
	command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	command -v gropdf >/dev/null || missing="$$missing groff"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "The tests need Debian's$$missing: run 'sudo apt-get install$$missing' once, then 'make test' again." >&2; exit 1; \
	  fi; \
	fi

$(VNU):
	npm install --silent --no-fund --no-audit -E --prefix .tools vnu-jar@26.9.27
