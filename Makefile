# The two commands of the README. Both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench soak clean

$(BIN)/hotline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

run: $(BIN)/hotline
	@# web and worker together; Ctrl-C stops both
	$(BIN)/hotline worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(BIN)/hotline serve

test: $(BIN)/hotline
	$(BIN)/ruff check hotline tests bench
	$(BIN)/hotline flows check flows/
	$(BIN)/python -m pytest -q

lint: $(BIN)/hotline
	$(BIN)/ruff check hotline tests bench

bench: $(BIN)/hotline
	@# engine, webhook (through gunicorn), escalation (with a real worker), Redis memory: bench/RESULTS.md
	$(BIN)/python bench/run.py

soak: $(BIN)/hotline
	@# ten minutes of mixed load on loopback; errors and memory every 30 s (not in CI)
	$(BIN)/python bench/soak.py

clean:
	rm -rf $(VENV) instance
