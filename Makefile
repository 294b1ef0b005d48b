# The two commands of the README's quick start:
#   make demo   set up, then run SHaRON on SQLite with demo data at http://127.0.0.1:5000
#   make test   set up, then run the whole test suite (.ci/run calls this too)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export SHARON_HOST ?= 127.0.0.1
export SHARON_PORT ?= 5000

.PHONY: demo test setup browser lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("SHaRON needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,meaning]'
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi seed-demo
	$(BIN)/python wsgi.py

# Debian's Chromium for the browser tests; Playwright never downloads a browser here.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

# On SQLite the suite runs on both cores; on PostgreSQL it runs in one process, since the
# fault tests time outages and every test database is copied from one template.
PYTEST_ARGS ?= $(if $(SHARON_TEST_DATABASE_URL),,-n 2)

test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check sharon tests bench wsgi.py

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@echo "See README: bench/*.py scripts print their figures."

clean:
	rm -rf $(VENV) instance .pytest_cache
