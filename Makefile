# edapipe: `make demo` and `make test` work on a fresh machine with nothing installed by hand.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install demo test test-slow test-all bench fuzz clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,dask]'
	$(BIN)/python -m edapipe.warm
	touch $(STAMP)

## install: create .venv, install edapipe with its dev tools, compile the numba kernels once
install: $(STAMP)

## demo: install, then read, optimize and prove the included example through pipes
demo: $(STAMP)
	$(BIN)/edapipe stats examples/adder8.v
	$(BIN)/edapipe read examples/adder8.v | $(BIN)/edapipe opt resyn2 -v | $(BIN)/edapipe stats
	$(BIN)/edapipe read examples/adder8.v | $(BIN)/edapipe opt resyn2 | \
		$(BIN)/edapipe cec examples/adder8.v -

## test: install, then the default test suite (a few minutes)
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-slow: the whole-benchmark-set suites (marked slow)
test-slow: $(STAMP)
	$(BIN)/python -m pytest -m slow $(PYTEST_ARGS)

test-all: test test-slow

## bench: flows over ../shared/benchmarks beside the reference tools (see bench/README.md)
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

## fuzz: mutation fuzzing of every reader, FUZZ_CASES cases each (FUZZ_READERS: some only;
## failing cases go to FUZZ_OUT, default a new temporary folder; see tests/fuzz/harness.py)
FUZZ_CASES ?= 1000
fuzz: $(STAMP)
	$(BIN)/python -m tests.fuzz.harness run --cases $(FUZZ_CASES) \
		$(if $(FUZZ_OUT),--out $(FUZZ_OUT)) $(FUZZ_READERS)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
