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

test: lint
	$(PY) -m pytest --cov=sagemaker_stop --cov-branch --cov-report=term --cov-fail-under=90 -q

demo: $(STAMP)
	$(PY) -m sagemaker_stop.demo

# The API reference from the docstrings (pdoc, in the test and docs extras): site/api/.
docs: $(STAMP)
	$(PY) docs/build_api.py site/api

# Side-by-side with boto3 and aiobotocore (the `bench` extra); see bench/README.md.
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench --json bench/results.json --chart bench/bench.png --readme README.md

bench-quick: $(STAMP)
	$(PY) -m bench --quick

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov site dist build
