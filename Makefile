# gemini-ref: `make serve` runs the fake, `make test` runs every test. Both bootstrap .venv.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8080
PYTEST_ARGS ?=
MUTANTS_ARGS ?=

.PHONY: serve test test-h11 conformance compat-matrix mutants lint bench install clean

serve: $(VENV)/.installed
	$(BIN)/gemini-fake serve --host $(HOST) --port $(PORT)

# Measures line coverage; a full run (no PYTEST_ARGS) fails below a package's floor
# ([tool.gemini-ref.coverage-floors] in pyproject.toml).
LANGUAGES := tests/js/node_modules/.package-lock.json .cache/java/target/classpath.txt \
	.cache/go/downloaded

test: $(VENV)/.installed-test $(LANGUAGES)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest $(PYTEST_ARGS)
	$(BIN)/coverage combine --quiet
	$(if $(PYTEST_ARGS),@echo "coverage floors: not checked on a partial run",$(BIN)/python tests/coverage_floors.py)

# Every test again on the pure-Python HTTP stack (h11 on asyncio; `make test` runs the fast
# one, httptools on uvloop): docs/protocol.md#http-stacks.
test-h11: $(VENV)/.installed-test $(LANGUAGES)
	GEMINI_FAKE_HTTP=h11 $(BIN)/python -m pytest $(PYTEST_ARGS)

# The conformance suite alone; GEMINI_CONFORMANCE_TARGET picks the target (conformance/README.md).
conformance: $(VENV)/.installed-test
	$(BIN)/python -m pytest conformance $(PYTEST_ARGS)

# The SDK-driving tests against the newest official SDKs too (tests/compat_matrix.py).
compat-matrix: $(VENV)/.installed-test $(LANGUAGES)
	$(BIN)/python tests/compat_matrix.py

# The protocol mutants of the fake (conformance/mutants/): fails when the conformance suite
# kills fewer than 95 % of them (conformance/README.md#mutants). Not part of `make test`.
mutants: $(VENV)/.installed-test
	$(BIN)/python -m conformance.mutants.run $(MUTANTS_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check gemini_ref fake_server tests bench conformance docs
	$(BIN)/ruff format --check gemini_ref fake_server tests bench conformance docs
	$(BIN)/mypy
	$(BIN)/gemini-fake lint fake_server/fixtures/data

bench: $(VENV)/.installed-test
	$(BIN)/python bench/replay_throughput.py
	$(BIN)/python bench/sse_throughput.py
	$(BIN)/python bench/http_stacks.py
	$(BIN)/python bench/sse_decoder.py
	$(BIN)/python bench/upload_throughput.py
	$(BIN)/python bench/schema_limits.py
	$(BIN)/python bench/memory_limits.py
	$(BIN)/python bench/fuzz_routes.py
	$(BIN)/python bench/plugin_cost.py
	$(BIN)/python bench/client_overhead.py

install: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

# The official JS SDK, pinned by tests/js/package-lock.json. Without npm the JS tests skip,
# saying what to install (CI makes that a failure: tests/kit/toolchains.py).
tests/js/node_modules/.package-lock.json: tests/js/package-lock.json tests/js/package.json
	@if command -v npm >/dev/null; then \
		cd tests/js && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the JS tests will skip (install Node.js 20 or newer)"; fi

# The official Java SDK, pinned by tests/java/pom.xml, into .cache/m2; writes its classpath.
.cache/java/target/classpath.txt: tests/java/pom.xml
	@if command -v mvn >/dev/null; then \
		mvn -q -B -Dstyle.color=never -Dmaven.repo.local=$(CURDIR)/.cache/m2 -f tests/java/pom.xml generate-resources; \
	else echo "mvn not found: the Java tests will skip (install a JDK 17 and Maven)"; fi

# The official Go SDK, pinned by tests/go/go.mod, into .cache/go (the tests build offline).
.cache/go/downloaded: tests/go/go.mod tests/go/go.sum
	@if command -v go >/dev/null; then \
		GOTOOLCHAIN=local GOMODCACHE=$(CURDIR)/.cache/go/mod GOCACHE=$(CURDIR)/.cache/go/build \
		GOFLAGS=-modcacherw go mod download -C tests/go && touch $@; \
	else echo "go not found: the Go tests will skip (install Go 1.26)"; fi

clean:
	rm -rf $(VENV) .cache tests/js/node_modules .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
