# Stories: everything a developer runs, from a bare machine with Python 3.11+ and make.
#
#   make run     web + Celery workers + beat on embedded defaults (SQLite, filesystem broker)
#   make test    the whole test suite
#   make lint    ruff check + ruff format --check, the apps' layers (import-linter), and ESLint on
#                static/js when node is present
#   make fmt     ruff format + ruff check --fix
#   make bench   bench/run.py
#
# The virtualenv lives in .venv; requirements are (re)installed only when a requirements file is
# newer than the stamp file in .venv, so the second `make run` starts straight away.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
VPY := $(VENV)/bin/python
PIP := $(VPY) -m pip --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
VAR_DIR := $(or $(STORIES_VAR_DIR),var)
# Extra arguments for pytest: make test ARGS="-k feed -x"
ARGS ?=
# Parallel test processes (pytest-xdist); 0 = one process. Two by default: most of the suite's time
# is now spent waiting (servers and workers starting, browsers, outages being sat out), so on 2
# cores two processes took 9 min 46 s for what one process took 12 min 39 s, and under load too.
# worksteal: a process that runs out of tests takes some from the other, so a few minute-long
# browser tests queued late do not leave one process idle at the end.
TEST_WORKERS ?= 2

.PHONY: help run test screenshots lint fmt bench clean

help:
	@echo "make run    start Stories at http://$(HOST):$(PORT)/ (web, Celery workers, beat)"
	@echo "make test   run the test suite      make lint / make fmt   ruff (+ layers, ESLint)"
	@echo "make screenshots   re-take docs/screenshots/ with the browser tests"
	@echo "make bench  run bench/run.py        make clean             remove .venv and var/"

# --- Bootstrap ---------------------------------------------------------------------------------

$(VPY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "Stories needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1 || echo missing)."; \
	  echo "Run e.g. 'make run PYTHON=python3.12'."; exit 1; }
	@echo "Creating $(VENV) with $$($(PYTHON) -V)"
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "'$(PYTHON) -m venv' failed. On Debian/Ubuntu the venv module is a separate package"; \
	  echo "(python3-venv); or use another Python 3.11+: make run PYTHON=/path/to/python3.12"; exit 1; }
	@$(PIP) install -q --upgrade pip

# The stamp records the requirements it was made from: newer requirements -> reinstall.
$(VENV)/.stamp-runtime: requirements.txt | $(VPY)
	@echo "Installing requirements.txt into $(VENV)"
	@$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(VPY)
	@echo "Installing requirements-dev.txt into $(VENV)"
	@$(PIP) install -q -r requirements-dev.txt
	@touch $@ $(VENV)/.stamp-runtime

# --- Run ---------------------------------------------------------------------------------------

# A local, git-ignored .env that settings.py reads when it is present: DEBUG on and a SECRET_KEY
# generated for this checkout, so every manage.py command in the README works here as written.
# Written once and never overwritten; variables you export still win over it.
.env:
	@$(PYTHON) -c 'import secrets; print("# Local development settings, written by make run (git-ignored).\n# Exported variables win over these. Production sets its own and has no .env.\nDEBUG=1\nSECRET_KEY=" + secrets.token_urlsafe(50))' > $@
	@echo "Wrote .env (DEBUG=1 and a generated SECRET_KEY for this checkout)"

# Embedded defaults (from .env): DEBUG on, and DATABASE_URL / REDIS_URL only when you exported them.
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: .env $(VENV)/.stamp-runtime
	@mkdir -p $(VAR_DIR)/broker/queue $(VAR_DIR)/broker/processed $(VAR_DIR)/broker/control \
	  $(VAR_DIR)/celery-results $(VAR_DIR)/media
	@$(VPY) manage.py migrate --noinput
	@$(VPY) manage.py seed_demo
	@url="http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)/"; \
	 echo "Starting Stories (web, Celery default + media workers, beat); Ctrl-C stops everything."; \
	 ( for _ in $$(seq 1 240); do \
	     kill -0 $$PPID 2>/dev/null || exit 0; \
	     if (exec 3<>/dev/tcp/$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST))/$(PORT)) 2>/dev/null; then \
	       printf '\n  Stories is running at %s\n\n' "$$url"; exit 0; fi; \
	     sleep 0.5; \
	   done ) & \
	 PATH="$(abspath $(VENV))/bin:$$PATH" exec $(VENV)/bin/honcho --no-colour -f Procfile.dev start -p $(PORT)

# --- Quality -----------------------------------------------------------------------------------

test: $(VENV)/.stamp-dev
	@$(VPY) -m pytest $(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist worksteal) $(ARGS)

# The browser tests save what they look at; this keeps those pictures as docs/screenshots/.
screenshots: $(VENV)/.stamp-dev
	@STORIES_SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(VPY) -m pytest -m browser $(ARGS)

# ESLint comes from npm, pinned by package-lock.json; `npm ci` (re)installs it into node_modules when
# the lockfile is newer than the install. A bare machine (Python and make only) skips it, and says so.
lint: $(VENV)/.stamp-dev
	@$(VPY) -m ruff check .
	@$(VPY) -m ruff format --check .
	@# The apps' layers contract (pyproject.toml, [tool.importlinter]; docs/architecture.md, "Layers").
	@$(VENV)/bin/lint-imports --no-cache
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  if [ ! -x node_modules/.bin/eslint ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	    echo "Installing ESLint from package-lock.json into node_modules (npm ci)"; \
	    npm ci --no-audit --no-fund --loglevel=error; \
	  fi; \
	  npx --no-install eslint static/js; \
	else \
	  echo "make lint: node/npm not found, ESLint on static/js SKIPPED (install Node.js 18+ to run it; CI does)"; \
	fi

fmt: $(VENV)/.stamp-dev
	@$(VPY) -m ruff format .
	@$(VPY) -m ruff check --fix .

bench: $(VENV)/.stamp-dev
	@test -f bench/run.py || { echo "bench/run.py does not exist yet: nothing to benchmark."; exit 1; }
	@$(VPY) bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) $(VAR_DIR) .env
