# Switchyard: two commands for a newcomer.
#   make demo   set up what is missing, build, and run the main job on the example
#   make test   set up what is missing, build, and run every test and the format lint
SWIFT ?= swift
BIN := .build/debug/switchyard
EXAMPLE := examples/frontier-lab.yaml

# What the export tests check manifests and tasks with (versions the tests were written against).
EXPORT_CHECKERS = skypilot==0.14.1 jsonschema==4.26.0 pyyaml==6.0.4

.PHONY: demo test setup-test test-postgres serve openapi fuzz-api load setup build lint format bench screenshots clean

## setup: install the system libraries Switchyard links (COIN-OR Cbc/Clp) when they are missing.
setup:
	@if pkg-config --exists cbc 2>/dev/null; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing COIN-OR Cbc/Clp (coinor-libcbc-dev)…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq coinor-libcbc-dev pkg-config >/dev/null; \
	else \
	  echo "Switchyard needs COIN-OR Cbc/Clp with pkg-config metadata:"; \
	  echo "  Debian/Ubuntu: apt-get install coinor-libcbc-dev pkg-config"; \
	  echo "  Fedora:        dnf install coin-or-Cbc-devel pkgconf"; \
	  echo "  macOS:         brew install cbc pkg-config"; \
	  exit 1; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is needed: https://www.swift.org/install/"; exit 1; }

build: setup
	$(SWIFT) build

demo: build
	@$(BIN) validate $(EXAMPLE)
	@echo
	@$(BIN) plan $(EXAMPLE)

## setup-test: what the tests need beyond the build: headless Chromium for the dashboard tests,
## and in .venv-test the checkers of exports (jsonschema for Kueue's CRDs, SkyPilot's loader).
setup-test: setup
	@if .venv-test/bin/python -c 'import jsonschema, yaml, sky' 2>/dev/null; then :; \
	else \
	  echo "Installing the export checkers (jsonschema, PyYAML, SkyPilot) in .venv-test…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  python3 -m venv .venv-test 2>/dev/null || { rm -rf .venv-test; \
	    $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq python3-venv >/dev/null && python3 -m venv .venv-test; }; \
	  .venv-test/bin/pip install -q $(EXPORT_CHECKERS) || echo "(no PyPI: the export checks will be skipped)"; \
	fi
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the dashboard tests…"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "(no Chromium: the dashboard's browser tests will be skipped)"; \
	fi

test: setup-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) lint

## test-postgres: the same tests with the store's contract suite on a local PostgreSQL too
## (installed from Debian and started when missing).
test-postgres: setup
	SWITCHYARD_TEST_POSTGRES_URL=$$(scripts/test-postgres.sh) $(MAKE) test

## serve: the API and dashboard on http://127.0.0.1:8080 over ./switchyard.sqlite, with the
## example scenario and its first plan (the admin token is printed on first start).
serve: build
	$(BIN) serve --import $(EXAMPLE)

## fuzz-api: schemathesis (from PyPI) against a live server, from the OpenAPI document.
fuzz-api: setup
	scripts/fuzz-api.sh

## load: wrk against a read endpoint and plan submission on a release build (README's figures).
load: setup
	scripts/load.sh

## openapi: embed docs/openapi.yaml into the server after editing it.
openapi:
	scripts/embed-openapi.sh

## lint: the format, and no function, initialiser or accessor in Sources over 120 lines (the
## Swift parser's own ranges; `scripts/lint-functions.py --report 80` lists the long ones), and
## no line of a command's help wider than the 80 columns it is wrapped at, and no target importing
## a module Package.swift does not declare as its dependency (`scripts/lint-imports.py`).
lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests
	python3 scripts/lint-functions.py
	python3 scripts/lint-help.py
	python3 scripts/lint-imports.py

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests

## bench: planner benchmark over generated scenarios (small, medium, large; N-1 on and off), then
## the allocation benchmark (1k-100k jobs, 3 and 12 models), against cvxpy when it is installed, then
## simulations (1k and 10k jobs; Gavel's paper-scale aware-vs-agnostic comparison).
RISK_SAMPLES ?= 200

bench: setup
	SWITCHYARD_BENCHMARKS=1 $(SWIFT) build -c release --product switchyard
	SWITCHYARD_BENCHMARKS=1 $(SWIFT) build -c release --product switchyard-bench
	.build/release/switchyard-bench plan $(BENCH_ARGS)
	@if python3 -c 'import cvxpy' 2>/dev/null; then \
	  .build/release/switchyard-bench allocate --cvxpy bench/allocate_cvxpy.py; \
	else \
	  echo "(cvxpy not installed: pip install cvxpy to compare against it)"; \
	  .build/release/switchyard-bench allocate; \
	fi
	@if [ -f ../shared/data/gavel/simulation_throughputs.json ]; then \
	  .build/release/switchyard-bench simulate --jobs-per-hour 4; \
	  .build/release/switchyard-bench gavel; \
	else \
	  echo "(no ../shared/data/gavel/simulation_throughputs.json: simulation benchmark skipped)"; \
	fi
	.build/release/switchyard-bench risk --samples $(RISK_SAMPLES)
	.build/release/switchyard-bench risk-queue --samples $(RISK_SAMPLES)

## screenshots: the dashboard's pages at 1440 and 390 px into docs/img/ (needs chromium): a
## server on a fresh record with the example, its plan accepted, a CoreWeave outage re-planned.
screenshots: build
	python3 scripts/screenshots.py .build/debug/switchyard docs/img

clean:
	rm -rf .build
