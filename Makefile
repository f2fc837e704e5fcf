# The two commands of the quick start: `make run` and `make test` (both set everything up first).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install run test test-postgres fuzz lint clean screenshots

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@scripts/need.sh python3 python3
	@python3 -m venv $(VENV) 2>/dev/null || { scripts/need.sh true python3-venv; rm -rf $(VENV); \
	  apt-get install -y -qq python3-venv >/dev/null 2>&1 || true; python3 -m venv $(VENV); }
	@$(VENV)/bin/pip install -q --disable-pip-version-check --upgrade pip
	@$(VENV)/bin/pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@
	@echo "virtualenv ready in $(VENV)"

run: install
	@scripts/run.sh

# The suite, then the API fuzz (FUZZ=0 skips it; FUZZ_MAX_EXAMPLES sets its budget per operation).
test: install
	@scripts/test.sh
	@if [ "$${FUZZ:-1}" != 0 ]; then scripts/fuzz.sh; fi

# Schemathesis --checks all against /api/v1/openapi.json as a supervisor and an admin (scripts/fuzz.py).
fuzz: install
	@scripts/fuzz.sh

# Screenshots of the pages from the browser tests (the public pages at 390 px) in var/screenshots/.
screenshots: install
	@mkdir -p var/screenshots
	@WEB_SHOTS_DIR=$(CURDIR)/var/screenshots scripts/test.sh tests/browser -q
	@echo "screenshots in var/screenshots/"

# The whole suite on the machine's PostgreSQL: one throw-away database, created and dropped by the run.
test-postgres: install
	@TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres} scripts/test.sh

lint: install
	@$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var instance
