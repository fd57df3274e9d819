# Two commands: `make demo` and `make test`. Each sets up what it needs first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
AS_OF ?= $(shell date -u +%F)
CUSTOMERS ?= 10000
SEED ?= 42

.PHONY: setup setup-dev demo test test-spark test-pythons bench lint clean

# --no-compile: Python compiles the modules it imports when first imported; compiling all
# of pyspark, Great Expectations and dbt at install took half of a fresh install's time.
PIP_INSTALL := $(BIN)/pip install --quiet --no-compile

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(PIP_INSTALL) -e .
	touch $@

# The segment report's browser test drives Debian's chromium (no browser download: Playwright
# only gets its executable path).
$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP_INSTALL) -e ".[dev]"
	command -v chromium >/dev/null || apt-get install -y --no-install-recommends chromium \
		|| sudo apt-get install -y --no-install-recommends chromium
	touch $@

setup: $(VENV)/.installed

setup-dev: $(VENV)/.installed-dev

# The demo keeps its landing files, warehouse and dbt target under data/demo/, apart from
# the defaults a user's own build uses (data/raw, warehouse.duckdb, target/).
DEMO := data/demo
DEMO_ENV := WAREHOUSE_PATH=$(DEMO)/warehouse.duckdb DBT_TARGET_PATH=$(DEMO)/target

## demo: install, generate $(CUSTOMERS) customers into data/demo/raw, build data/demo/warehouse.duckdb
## (served marts, segment report), export one audience, query a metric, write the dbt docs
demo: setup
	$(BIN)/custseg generate --customers $(CUSTOMERS) --seed $(SEED) --out $(DEMO)/raw --as-of $(AS_OF)
	$(DEMO_ENV) $(BIN)/custseg build --raw-path $(DEMO)/raw --as-of $(AS_OF)
	$(DEMO_ENV) $(BIN)/custseg export --segment valuable_at_risk --channel email --format mailchimp \
		--out $(DEMO)/exports
	$(DEMO_ENV) $(BIN)/custseg mf query --saved-query customer_value_overview
	$(DEMO_ENV) $(BIN)/custseg docs --raw-path $(DEMO)/raw --as-of $(AS_OF)

## test: install with dev extras, lint Python, run the test suite (dbt on DuckDB, every gate,
## sqlfluff); the Spark build is `make test-spark`
test: setup-dev
	$(BIN)/ruff check src tests/python benchmarks
	$(BIN)/pytest -n 2 --dist loadgroup --no-loadscope-reorder -m "not spark"

## test-spark: the whole DAG on a local Spark session, every mart equal to DuckDB's (about 4
## minutes on 2 cores; CI runs it after `make test`)
test-spark: setup-dev
	$(BIN)/pytest -m spark

## test-pythons: every supported Python found (pyenv's, else python3.X on PATH) gets its own
## venv (.venv-3.X) with the dev extras and runs the tests that need no 2,000-customer build,
## two end-to-end builds among them; not part of `make test` (installs take minutes)
PYTHONS ?= 3.11 3.12 3.13
PYTHON_TESTS ?= tests/python/test_raw_contract.py tests/python/test_generate.py \
	tests/python/test_cli_vars.py tests/python/test_raw_inputs.py \
	tests/python/test_table_subsets.py
test-pythons:
	@for v in $(PYTHONS); do \
		py=$$(ls -d $$HOME/.pyenv/versions/$$v.*/bin/python 2>/dev/null | tail -n 1); \
		[ -n "$$py" ] || py=$$(command -v python$$v); \
		if [ -z "$$py" ]; then echo "Python $$v: not found, skipped"; continue; fi; \
		echo "Python $$v: $$py"; \
		$$py -m venv .venv-$$v && .venv-$$v/bin/pip install --quiet --no-compile -e ".[dev]" \
			&& .venv-$$v/bin/pytest -q -p no:cacheprovider $(PYTHON_TESTS) || exit 1; \
	done

## bench: the full build, the next daily run and local Spark against a hand-written DuckDB
## baseline at 100,000 and 1,000,000 customers (generated once into benchmarks/data/),
## written to benchmarks/RESULTS.md; not part of `make test` (about an hour on 2 cores)
bench: setup-dev
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf target logs data warehouse.duckdb warehouse.duckdb.wal
