# Two commands for a new machine: `make run` (the app) and `make test` (the whole suite).
# Each creates .venv and installs the pinned versions from constraints.txt on first use.
# `make serve` runs it on a shared server, with sign-in (README: Running on a shared server).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
ADDRESS ?= 0.0.0.0
STAMP := $(VENV)/.installed
OIDC := tests/oidc
AXE := tests/axe
STREAMLIT_FLAGS = --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

.PHONY: run serve test install system-deps test-deps bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# This computer only (127.0.0.1): no sign-in; saves are recorded under your operating-system account.
run: $(STAMP)
	$(BIN)/carbon db init
	$(BIN)/streamlit run app.py --server.address 127.0.0.1 $(STREAMLIT_FLAGS)

# A shared server: listens on ADDRESS (every interface unless set) and signs everyone in through
# .streamlit/secrets.toml's [auth]; roles from .streamlit/roles.toml (or $$CARBON_ROLES). It refuses
# to start while either is missing or incomplete.
serve: $(STAMP)
	$(BIN)/python -m carbon.auth check
	$(BIN)/carbon db init
	$(BIN)/streamlit run app.py --server.address $(ADDRESS) $(STREAMLIT_FLAGS)

# Browser tests need Debian's chromium, the board-pack test pdftoppm (poppler-utils), the sign-in
# test Node.js and npm (it runs a real OpenID Connect provider); the PDF board pack (WeasyPrint)
# Pango, HarfBuzz's font subsetter and fonts (PDF_DEPS). Installed when missing (as root, or with
# sudo, on Debian/Ubuntu).
PDF_DEPS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation fonts-dejavu-core
system-deps:
	@MISSING_PDF="$$(for p in $(PDF_DEPS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done)"; \
	command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
	  && command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [ -z "$$MISSING_PDF" ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  PKGS="$$(command -v chromium >/dev/null 2>&1 || echo chromium) \
	        $$(command -v pdftoppm >/dev/null 2>&1 || echo poppler-utils) \
	        $$(command -v node >/dev/null 2>&1 || echo nodejs) $$(command -v npm >/dev/null 2>&1 || echo npm) \
	        $$MISSING_PDF"; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq $$PKGS >/dev/null; }

# The sign-in test's OpenID Connect provider (npm package oidc-provider, pinned in package-lock.json).
$(OIDC)/node_modules/.package-lock.json: $(OIDC)/package.json $(OIDC)/package-lock.json
	cd $(OIDC) && npm ci --no-audit --no-fund --silent

# axe-core, the accessibility rules the every-page browser test runs in Chromium (pinned in package-lock.json).
$(AXE)/node_modules/.package-lock.json: $(AXE)/package.json $(AXE)/package-lock.json
	cd $(AXE) && npm ci --no-audit --no-fund --silent

test-deps: system-deps $(OIDC)/node_modules/.package-lock.json $(AXE)/node_modules/.package-lock.json

test: $(STAMP) test-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The benchmark (bench/README.md): its one extra dependency, polars, is a baseline, never the product's.
bench: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(OIDC)/node_modules $(AXE)/node_modules data/*.duckdb data/*.duckdb.wal data/*.duckdb.waiting-*
