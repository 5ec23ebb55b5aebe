# 综合行政执法办案系统 — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000
BIN     = $(VENV)/bin

.PHONY: install run test bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: install
	$(BIN)/zhifa db upgrade
	$(BIN)/zhifa demo
	$(BIN)/zhifa run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check engine webapp forms tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n 2 --dist loadfile

bench: install
	$(BIN)/python -m bench.timers

clean:
	rm -rf $(VENV) instance .pytest_cache
