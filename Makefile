# Each target creates (once) and reuses the virtual environment in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint schema sandbox clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## open the app on the bundled bank
	$(BIN)/quizzer

test: $(STAMP)  ## the whole test suite (CI runs exactly this)
	$(BIN)/python -m pytest

bench: $(STAMP)  ## every benchmark; each prints a JSON line with its ratio and goal
	@set -e; for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

sandbox: $(STAMP)  ## build the hands-on sandbox's rootfs once (root, debootstrap, ~1 min)
	$(BIN)/quizzer sandbox prepare

lint: $(STAMP)  ## ruff, mypy (strict) and the import contracts
	$(BIN)/ruff check quizzer tests benchmarks
	$(BIN)/ruff format --check quizzer tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

schema: $(STAMP)  ## regenerate questionbank/*.json after changing the bank models
	$(BIN)/quizzer bank schema > questionbank/schema.json
	$(BIN)/quizzer bank schema --exam > questionbank/exam.schema.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
