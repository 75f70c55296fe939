# hipnerve developer commands. Every target installs what it needs through uv and uv.lock.
# uv is used as a Python module so that it works wherever pip put it (no PATH or shim needed).
UV ?= python3 -m uv
PY := $(UV) run --frozen

.PHONY: install system-deps run assess test check lint typecheck kb-check evaluate baseline bench clean

install:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen

run: install
	$(PY) hipnerve serve

assess: install
	$(PY) hipnerve assess

check: install
	$(PY) ruff check src tests bench scripts
	$(PY) ruff format --check src tests bench scripts
	$(PY) mypy src/hipnerve
	$(PY) hipnerve kb check

system-deps:
	bash scripts/system-deps.sh

test: check system-deps
	$(PY) pytest -q

evaluate: install
	$(PY) hipnerve evaluate tests/cases/dev.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout2.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout3.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout4.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout5.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout6.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout7.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout8.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout9.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout10.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout11.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout12.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout13.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout14.jsonl --ask-all
	$(PY) hipnerve evaluate tests/cases/holdout15.jsonl --ask-all

baseline: install
	$(PY) python scripts/make_baseline.py

bench: install
	$(PY) python bench/engine_bench.py
	$(PY) python bench/report_bench.py
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || echo "install wrk for the API bench")
	$(PY) python bench/api_bench.py

clean:
	rm -rf .venv .mypy_cache .pytest_cache .ruff_cache
