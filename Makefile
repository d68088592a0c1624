# Two commands: `make run` serves the app, `make test` runs the whole suite.
# Both install what is missing first; running them again changes nothing.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := trainer:create_app
USWDS_DIST := node_modules/@uswds/uswds/dist
USWDS_OUT := trainer/static/uswds
USWDS_STAMP := $(USWDS_OUT)/.installed
TRANSLATIONS := $(patsubst %.po,%.mo,$(wildcard trainer/translations/*/LC_MESSAGES/messages.po))

.PHONY: run test test-fast typecheck setup system-deps venv translations assets messages db content demo lint format bench clean

run: setup db content demo
	@echo
	@echo "Open http://127.0.0.1:5000"
	@echo "Demo sign-ins (password demo-pass-2026): admin@demo.test, auditor@demo.test,"
	@echo "  manager@hotel.demo.test, employee@hotel.demo.test, staff@health.demo.test"
	@echo
	@# Where Redis answers, a job worker runs beside the app (stopped with it); otherwise
	@# jobs run inline in the app, which says so once at start.
	@if $(BIN)/python -c "import os, redis; redis.Redis.from_url(os.environ.get('REDIS_URL', \
	    'redis://127.0.0.1:6379/0'), socket_connect_timeout=1).ping()" 2>/dev/null; then \
	  echo "Redis answers: starting a job worker beside the app"; \
	  $(BIN)/flask jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000; \
	else \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000; \
	fi

test: setup
	@if [ -z "$${TEST_DATABASE_URL:-}" ] && { [ "$${CI:-}" = "true" ] || \
	    pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }; then \
	  export TEST_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/test"; \
	fi; \
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports && \
	$(BIN)/mypy && \
	$(BIN)/flask content check && $(BIN)/flask compliance check && \
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The inner loop: SQLite only, no browser, stop at the first failure. Pass a path or -k
# through PYTEST_ARGS, e.g. `make test-fast PYTEST_ARGS=tests/orgs`.
test-fast: setup
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q -x -p no:cacheprovider \
	  -m "not browser and not postgres" $(PYTEST_ARGS)

setup: system-deps $(STAMP) translations assets

system-deps:
	@needed=(); \
	have_lib() { ldconfig -p 2>/dev/null | grep -q "$$1"; }; \
	have_lib 'libpango-1.0.so' || needed+=(libpango-1.0-0); \
	have_lib 'libpangoft2-1.0.so' || needed+=(libpangoft2-1.0-0); \
	have_lib 'libharfbuzz-subset.so' || needed+=(libharfbuzz-subset0); \
	[ -x /usr/bin/chromium ] || needed+=(chromium); \
	command -v java >/dev/null 2>&1 || needed+=(default-jre-headless); \
	command -v zbarimg >/dev/null 2>&1 || needed+=(zbar-tools); \
	command -v pdftoppm >/dev/null 2>&1 || needed+=(poppler-utils); \
	command -v npm >/dev/null 2>&1 || needed+=(npm); \
	if [ $${#needed[@]} -gt 0 ]; then \
	  if [ "$$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	    echo "Missing system packages: $${needed[*]}" >&2; \
	    echo "Install them (sudo apt-get install --no-install-recommends $${needed[*]}) and run again." >&2; \
	    exit 1; \
	  fi; \
	  echo "Installing system packages: $${needed[*]}"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$${needed[@]}" >/dev/null; \
	fi

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

translations: $(STAMP) $(TRANSLATIONS)

trainer/translations/%/LC_MESSAGES/messages.mo: trainer/translations/%/LC_MESSAGES/messages.po
	$(BIN)/pybabel compile --use-fuzzy -d trainer/translations -l $* >/dev/null

# The U.S. Web Design System, pinned in package.json and package-lock.json: `npm ci` runs
# when node_modules is missing or the lock changed; then its compiled CSS and JS, and the
# fonts and images that CSS refers to, are copied into trainer/static/uswds/ (served by
# the app at /static/uswds/, and packaged with it by `pip install .`).
assets: $(USWDS_STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

$(USWDS_STAMP): node_modules/.package-lock.json
	@rm -rf $(USWDS_OUT) && mkdir -p $(USWDS_OUT)/css $(USWDS_OUT)/js
	cp $(USWDS_DIST)/css/uswds.min.css $(USWDS_OUT)/css/
	cp $(USWDS_DIST)/js/uswds.min.js $(USWDS_DIST)/js/uswds-init.min.js $(USWDS_OUT)/js/
	@grep -o 'url(\.\./[^)]*)' $(USWDS_DIST)/css/uswds.min.css | sed 's|^url(\.\./||; s|)$$||' | \
	  sort -u | while read -r file; do install -D -m 644 "$(USWDS_DIST)/$$file" "$(USWDS_OUT)/$$file"; done
	cp $(USWDS_DIST)/img/usa-icons/close.svg $(USWDS_OUT)/img/usa-icons/
	@mkdir -p $(USWDS_OUT)/fonts/public-sans
	cp $(patsubst %,$(USWDS_DIST)/fonts/public-sans/PublicSans-%.woff2,Regular Italic Bold BoldItalic) \
	  $(USWDS_OUT)/fonts/public-sans/
	cp node_modules/@uswds/uswds/LICENSE.md $(USWDS_OUT)/
	@touch $@

messages: $(STAMP)
	$(BIN)/pybabel extract -F trainer/translations/babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 \
	  -o trainer/translations/messages.pot --no-location --sort-output --project trainer .
	$(BIN)/pybabel update -i trainer/translations/messages.pot -d trainer/translations --no-fuzzy-matching

db: setup
	$(BIN)/flask db upgrade

content: db
	$(BIN)/flask content sync

demo: content
	$(BIN)/flask demo seed

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) instance/trainer.sqlite3 .pytest_cache node_modules $(USWDS_OUT)
