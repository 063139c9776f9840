# costwise: two commands on a fresh Debian 12 machine.
#   make run    installs what is missing, builds in Release and the web UI, serves both on
#               http://localhost:8080
#   make test   installs what is missing, builds, runs every test (the web UI's type check,
#               Vitest suite and end-to-end test in Chromium; unit tests also under ASan+UBSan,
#               both database backends, golden files, the fuzzers for a minute)
# Other targets: build, web, web-test, web-e2e, coverage, fuzz, bench, bench-api, bench-incremental, clean.

JOBS        ?= $(shell nproc)
PORT        ?= 8080
DB          ?= sqlite:var/costwise.db
FUZZ_SECONDS ?= 12
BUILD       := build
ASAN_BUILD  := build-asan
COV_BUILD   := build-coverage
# Warnings are errors in CI (CI=true) and wherever WERROR=ON is given.
WERROR      ?= $(if $(filter true,$(CI)),ON,OFF)
CMAKE_FLAGS := -G Ninja -DCOSTWISE_WERROR=$(WERROR)

.PHONY: all deps build web web-test web-e2e run test unit-test asan-test fuzz coverage bench bench-api bench-incremental clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# The web UI (web/, React + Vite): npm ci when package-lock.json changed, then a production
# build into web/dist, which `serve --web` serves.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts web/tsconfig.json \
                 -type f -not -name 'schema.d.ts' 2>/dev/null) src/api/openapi.json

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npm run build

web: deps web/dist/index.html

run: build web
	@mkdir -p var
	$(BUILD)/apps/costwise/costwise --db $(DB) serve --port $(PORT) --web web/dist

# The web UI's type check and Vitest suite.
web-test: deps web/node_modules/.package-lock.json
	cd web && npm run typecheck && npm test

# The end-to-end test in Debian's Chromium against `costwise serve` with the built UI
# (web/e2e/app.e2e.mjs); screenshots in web/test-results/screenshots/.
web-e2e: build web
	cd web && COSTWISE_BIN=../$(BUILD)/apps/costwise/costwise npm run e2e

# Every test: the Release build's suite, the same unit tests under sanitizers, then the fuzzers.
test: build
	$(MAKE) --no-print-directory web-test
	scripts/with-postgres.sh ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory web-e2e
	$(MAKE) --no-print-directory asan-test
	scripts/fuzz.sh $(FUZZ_SECONDS)
	@echo "make test: all suites passed"

asan-test: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DCOSTWISE_SANITIZE=ON \
	  -DCOSTWISE_BUILD_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  scripts/with-postgres.sh ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) \
	  -L unit

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

coverage: deps
	cmake -S . -B $(COV_BUILD) $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DCOSTWISE_COVERAGE=ON \
	  -DCOSTWISE_BUILD_BENCH=OFF
	cmake --build $(COV_BUILD) -j $(JOBS)
	find $(COV_BUILD) -name '*.gcda' -delete
	scripts/with-postgres.sh ctest --test-dir $(COV_BUILD) --output-on-failure -j $(JOBS)
	@mkdir -p coverage
	gcovr --root . --filter 'src/' --object-directory $(COV_BUILD) --json coverage/coverage.json
	gcovr --add-tracefile coverage/coverage.json --html-details coverage/index.html
	gcovr --add-tracefile coverage/coverage.json --txt coverage/lines.txt
	gcovr --add-tracefile coverage/coverage.json --branches --txt coverage/branches.txt
	@echo "line coverage of src/:";   tail -n 2 coverage/lines.txt
	@echo "branch coverage of src/:"; tail -n 2 coverage/branches.txt
	@echo "per-file reports: coverage/lines.txt, coverage/branches.txt, coverage/index.html"

bench: build
	COSTWISE_BUILD_DIR=$(BUILD) bench/ingest_bench.sh

# The API throughput benchmark (bench/api/wrk_bench.py; wrk from Debian).
bench-api: build
	@command -v wrk >/dev/null || apt-get install -y wrk
	COSTWISE_BIN=$(BUILD)/apps/costwise/costwise GEN_BIN=$(BUILD)/bench/costwise_gen_billing \
	  /usr/bin/python3 bench/api/wrk_bench.py

# Anomaly detection continued from the saved detector state vs a full rescan, day by day
# (bench/cost_anomalies/incremental_bench.py).
bench-incremental: build
	COSTWISE_BIN=$(BUILD)/apps/costwise/costwise GEN_BILLING=$(BUILD)/bench/costwise_gen_billing \
	  /usr/bin/python3 bench/cost_anomalies/incremental_bench.py

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(COV_BUILD) build-fuzz coverage web/dist
