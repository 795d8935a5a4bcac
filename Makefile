# Two commands do all the set-up: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

# uv from PATH, else a private copy installed with pip (PEP 668 systems refuse a global install).
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
# System libraries WeasyPrint needs for invoice PDFs (with a CJK font for Chinese shop names).
PDF_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
TEST_DEBS := chromium

.PHONY: run test install system-deps test-deps apt-missing lint format migrate demo serve worker beat bench bench-scale clean

run: install system-deps migrate demo serve ## install, migrate, demo data, serve on :8000

# Two processes: the suite is independent of order and of the date (see docs/operations.md).
PYTEST_WORKERS ?= 2

test: install system-deps test-deps ## install, then run the whole suite
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

install: $(VENV)/.synced

.tools/bin/uv:
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found $$($(PYTHON) --version))."; exit 1; }
	$(UV) sync --locked --python $(PYTHON)
	@touch $@

# Installs the PDF libraries with apt when they are missing and we are root; otherwise says so.
# Without them the app still runs and the PDF endpoint answers 503 naming what is missing.
system-deps:
	@$(MAKE) --no-print-directory apt-missing DEBS="$(PDF_DEBS)" WHY="invoice PDFs"

test-deps:
	@$(MAKE) --no-print-directory apt-missing DEBS="$(TEST_DEBS)" WHY="browser tests"

apt-missing:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing $$missing for $(WHY)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
			|| echo "Could not install $$missing: $(WHY) will not work."; \
	else \
		echo "Missing for $(WHY): $$missing (install them with apt as root)."; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

demo: install
	$(PY) manage.py seed_demo

serve: install
	$(PY) manage.py runserver 127.0.0.1:8000

worker: install ## a Celery worker (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A agency worker --loglevel=INFO

beat: install ## the Celery beat scheduler (needs CELERY_BROKER_URL)
	$(VENV)/bin/celery -A agency beat --loglevel=INFO --schedule=/tmp/agency-celerybeat

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The benchmarks measure PostgreSQL (docs/performance.md): BENCH_DATABASE_URL, created when
# missing and migrated; the API, ingest and large-agency benches make and drop databases of
# their own beside it. Each prints its figures and its ratio to a hand-written floor.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/agency_bench
BENCH := DATABASE_URL=$(BENCH_DATABASE_URL) $(PY)

bench: install ## billing, payroll, API lists, ingest and large-agency benchmarks on PostgreSQL
	$(BENCH) bench/create_database.py
	$(BENCH) manage.py migrate --noinput
	$(BENCH) bench/billing.py
	$(BENCH) bench/payroll.py
	$(BENCH) bench/api.py
	$(BENCH) bench/ingest.py
	$(BENCH) bench/scale.py

# The large agency alone (PostgreSQL; e.g. make bench-scale BENCH_ARGS="--agents 3000").
bench-scale: install
	$(BENCH) bench/scale.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .tools staticfiles db.sqlite3
