# Everything a fresh machine with only python3 needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo docs bench bench-quick lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy --strict sagemaker_stop

# In parallel (pytest-xdist: one worker per core, PYTEST_XDIST_AUTO_NUM_WORKERS=N for
# another number; an idle worker takes tests queued for a busy one), coverage combined
# from the workers, the 10 slowest tests listed.  Bytecode is cached even where
# PYTHONDONTWRITEBYTECODE is set: without it every worker and every command the tests
# start compile the package, pytest's rewritten tests and their imports again
# (collection alone: 5.7 s of CPU instead of 1.5 s).
test: lint
	PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -n auto --dist worksteal --durations=10 \
		--cov=sagemaker_stop --cov-branch --cov-report=term --cov-fail-under=90 -q

demo: $(STAMP)
	$(PY) -m sagemaker_stop.demo

# The API reference from the docstrings (pdoc, in the test and docs extras): site/api/.
docs: $(STAMP)
	$(PY) docs/build_api.py site/api

# Side-by-side with boto3 and aiobotocore (the `bench` extra); see bench/README.md.
# In a venv of its own: aiobotocore pins an older botocore than the test suite compares
# against, and installing it into .venv would downgrade botocore there.
BENCH_VENV := .venv-bench
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	test -x $(BENCH_PY) || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install --quiet --upgrade pip
	$(BENCH_PY) -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BENCH_PY) -m bench --json bench/results.json --chart bench/bench.png --readme README.md

bench-quick: $(STAMP)
	$(PY) -m bench --quick

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov site dist build
