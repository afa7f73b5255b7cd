# The README's commands. Each installs exactly uv.lock into .venv first (fast when nothing changed);
# `make lock` is the one way the lock changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .venv-tools
UV_VERSION := 0.13.8
UV := $(TOOLS)/bin/uv
# uv uses the machine's Python (never downloads one) and installs into .venv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install install-production run test lint lock bench eval soak faults screenshots clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# --locked: refuses to run when pyproject.toml and uv.lock disagree (run `make lock`).
# --compile-bytecode, and compileall for the hotline's own modules: where PYTHONDONTWRITEBYTECODE
# is set (container images often set it) Python never caches what it compiles, and every
# `hotline` command compiled ~900 modules from source first (set-password 4.5 s instead of 1.9 s,
# #33). Compiled once here (~12 s the first time, a fraction of a second after); Python reads
# bytecode whatever that variable says.
install: $(UV)
	@$(UV) sync --quiet --locked --extra test --python $(PYTHON) --compile-bytecode
	@$(BIN)/python -m compileall -q hotline

# a server's install: the runtime dependencies alone (no test tools, no browser driver), exactly as
# uv.lock pins them, into .venv (README, Deploying)
install-production: $(UV)
	@$(UV) sync --quiet --locked --no-dev --python $(PYTHON)

lock: $(UV)
	@# refresh every pin to the newest release pyproject.toml's ranges allow, on purpose
	$(UV) lock --upgrade --python $(PYTHON)

run: install
	@# the database migrated and the sample staff imported (once), then web and worker together;
	@# Ctrl-C (or a TERM) stops both, and the embedded Redis with them
	$(BIN)/hotline db upgrade
	$(BIN)/hotline worker & trap 'kill $$! 2>/dev/null; wait' EXIT INT TERM; $(BIN)/hotline serve

test: install
	$(BIN)/ruff check hotline tests bench
	$(BIN)/hotline flows check flows/
	$(BIN)/python -m pytest -q

screenshots: install
	@# the README's pictures of the console (phone and desktop), taken by the browser tests themselves
	HOTLINE_README_SHOTS=docs/screenshots $(BIN)/python -m pytest -q -n 0 -p no:cacheprovider tests/test_browser.py

lint: install
	$(BIN)/ruff check hotline tests bench

bench: install
	@# engine, webhook (through gunicorn), escalation (with a real worker), Redis memory: bench/RESULTS.md
	$(BIN)/python bench/run.py

eval: install
	@# understanding on the corpus' REPORT part and on real comments: docs/understanding.md
	@# (the full DravidianCodeMix dev file: HOTLINE_CODEMIX=path; else the sample in eval/codemix/)
	$(BIN)/python bench/eval_understanding.py

soak: install
	@# ten minutes of mixed load on loopback; errors and memory every 30 s (not in CI)
	$(BIN)/python bench/soak.py

faults: install
	@# the fault tests at their full sizes (the suite runs them CI-sized)
	HOTLINE_FAULT_ESCALATIONS=1000 HOTLINE_FAULT_OUTAGE_SECONDS=30 HOTLINE_SCALE_SURVIVORS=300 \
		HOTLINE_STATEFUL_EXAMPLES=300 HOTLINE_STATEFUL_STEPS=40 HOTLINE_RACE_TRIES=20 \
		$(BIN)/python -m pytest -q tests/test_faults.py tests/test_scale.py tests/test_line_invariants.py \
		tests/test_whatsapp_race.py

clean:
	rm -rf $(VENV) $(TOOLS) instance
