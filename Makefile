# 综合行政执法办案系统 — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
BIN     = $(VENV)/bin
VENDOR  = webapp/static/vendor

.PHONY: install run test bench clean browser translations

install: $(VENV)/.installed $(VENDOR)/bpmn-js/VERSION $(VENDOR)/echarts/VERSION

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Front-end assets come from npm at set-up time and are served by the app itself (offline intranets: no CDN):
# `npm ci` when node_modules is missing or older than package-lock.json, then a copy into $(VENDOR)/.
$(VENDOR)/%/VERSION: package.json package-lock.json webapp/assets.py | $(VENV)/.installed
	$(BIN)/zhifa-assets

run: install
	$(BIN)/zhifa db upgrade
	$(BIN)/zhifa demo
	$(BIN)/zhifa run --host $(HOST) --port $(PORT)

# Browser tests drive Debian's Chromium (Playwright never downloads a browser of its own here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test: install browser
	$(BIN)/ruff check engine webapp forms tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n 2 --dist loadfile

# After changing UI text: refresh the catalog template and the English catalog, then translate the new entries.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _ -k gettext -k lazy_gettext -k N_ --no-location --sort-output \
		-o webapp/translations/messages.pot .
	$(BIN)/pybabel update -i webapp/translations/messages.pot -d webapp/translations -l en --no-fuzzy-matching

# Benchmarks against the PostgreSQL of ZHIFA_BENCH_POSTGRES_URL (default: the local test database); results and
# how to read them in bench/RESULTS.md. `make bench BENCH=timers` runs one.
bench: install
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules $(VENDOR)
