# The two commands from the README:
#   make run   set everything up (venv, pinned requirements, migrations, catalogue) and start the app
#   make test  run the whole test suite (in parallel; see the test target)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup db clean translations bench lint api-lint load checkers

$(BIN)/activate: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(BIN)/activate

setup: $(BIN)/activate

# A local development instance; production sets MM_SECRET_KEY (see "Deployment" in the README).
export MM_ENV_NAME ?= development

db: setup
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app seed

run: db
	$(BIN)/flask --app app run --host $(HOST) --port $(PORT)

# The suite runs in two parts: everything but the tests marked `serial` on JOBS pytest-xdist
# workers (JOBS=0: in this process), then the serial ones alone. TEST_MARKERS narrows both parts
# with a -m expression, e.g. TEST_MARKERS='not slow'; PYTEST_ARGS goes to both (e.g. -x, -k).
JOBS ?= 2
TEST_MARKERS ?=
and_markers = $(if $(strip $(TEST_MARKERS)), and ($(TEST_MARKERS)))
# The serial part collects only the files that mark a test serial: collecting everything takes seconds.
serial_files = $(shell grep -rl --include='test_*.py' 'mark.serial' tests)
# pytest caches its rewritten test modules as bytecode; PYTHONDONTWRITEBYTECODE (set on some
# machines) would make every process rewrite all of them again, ~10 s of CPU each.
pytest = env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

# The page checkers of the browser tests, pinned (vnu.jar, HTML_CodeSniffer); skipped without npm.
CHECKERS := tests/checkers
$(CHECKERS)/node_modules/.installed: $(CHECKERS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(CHECKERS) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else echo "npm is missing: the browser tests' page checkers will be skipped (.ci/run installs it)"; fi

checkers: $(CHECKERS)/node_modules/.installed

test: setup checkers
	@parallel=0; serial=0; \
	echo "== The tests not marked serial, on $(JOBS) workers =="; \
	$(pytest) -n $(JOBS) -m "not serial$(and_markers)" $(PYTEST_ARGS) || parallel=$$?; \
	echo "== The tests marked serial, alone =="; \
	$(pytest) -n 0 -m "serial$(and_markers)" $(PYTEST_ARGS) $(serial_files) || serial=$$?; \
	if [ $$parallel = 5 ] && [ $$serial = 5 ]; then echo "No tests selected."; exit 5; fi; \
	for status in $$parallel $$serial; do [ $$status = 0 ] || [ $$status = 5 ] || exit $$status; done

clean:
	rm -rf $(VENV) instance .pytest_cache

translations: setup
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot --ignore-dirs=.venv --ignore-dirs=tests --ignore-dirs=static .
	$(BIN)/pybabel update -i translations/messages.pot -d translations
	$(BIN)/pybabel compile -d translations

bench: setup
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

lint: setup api-lint
	$(BIN)/pip install --quiet ruff==0.17.6
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The API document, as the app serves it, against the Dutch API Design Rules (the Logius Spectral
# ruleset in ../shared/standards, next to the project as in CI), Spectral's own OpenAPI rules and
# Redocly: each must report no error. The linters are pinned in tests/api-lint (npm ci).
API_LINT := tests/api-lint
ADR_RULESET ?= ../shared/standards/adr-ruleset.yaml
api-lint: setup
	npm ci --prefix $(API_LINT) --no-audit --no-fund --loglevel=error
	$(BIN)/flask --app app openapi > $(API_LINT)/openapi.json
	$(API_LINT)/node_modules/.bin/spectral lint --fail-severity error -r $(ADR_RULESET) $(API_LINT)/openapi.json
	$(API_LINT)/node_modules/.bin/spectral lint --fail-severity error -r $(API_LINT)/spectral-oas.yaml $(API_LINT)/openapi.json
	$(API_LINT)/node_modules/.bin/redocly lint --format stylish $(API_LINT)/openapi.json

load: setup
	$(BIN)/pip install --quiet -r benchmarks/requirements-load.txt
	$(BIN)/python -m benchmarks.load $(LOAD_ARGS)
