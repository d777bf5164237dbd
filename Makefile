# Thin wrapper over CMake. `make` builds, `make run` serves the seeded demo database,
# `make test` runs every test (normal build and ASan+UBSan build, the API suite again at
# --threads 1, then the browser tests),
# `make test-browser` only the browser tests, `make bench` measures
# (`make bench-live`: the WebSocket live updates).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PY         ?= /usr/bin/python3
DEMO_DB    ?= data/demo.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps build asan run test test-browser bench bench-deps bench-artillery bench-live format clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

$(ASAN_BUILD)/Makefile:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTOURNEYD_SANITIZE=ON >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

asan: deps $(ASAN_BUILD)/Makefile
	cmake --build $(ASAN_BUILD) -j $(JOBS)

run: build
	@mkdir -p $(dir $(DEMO_DB))
	@if [ ! -f $(DEMO_DB) ]; then \
	  echo "creating and seeding $(DEMO_DB) (scale 1)..."; \
	  $(BUILD)/tourneyd seed --scale 1 --rng-seed 42 --db $(DEMO_DB); \
	fi
	@echo "serving $(DEMO_DB) on http://$(LISTEN) (users: admin, organizer, player00001...; password: demo-password)"
	$(BUILD)/tourneyd serve --db $(DEMO_DB) --listen $(LISTEN)

test: build asan
	@echo "== unit tests (release build) =="
	cd $(BUILD) && ctest --output-on-failure
	@echo "== unit tests (AddressSanitizer + UBSan) =="
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure
	@echo "== API tests (release build) =="
	TOURNEYD_BIN=$(CURDIR)/$(BUILD)/tourneyd $(PY) -m pytest -q tests/api
	@echo "== API tests (AddressSanitizer + UBSan) =="
	TOURNEYD_BIN=$(CURDIR)/$(ASAN_BUILD)/tourneyd ASAN_OPTIONS=detect_leaks=1 $(PY) -m pytest -q tests/api
	@echo "== API tests (release build, --threads 1: libmicrohttpd's single-thread poll loop) =="
	TOURNEYD_BIN=$(CURDIR)/$(BUILD)/tourneyd TOURNEYD_TEST_THREADS=1 $(PY) -m pytest -q tests/api
	@$(MAKE) --no-print-directory test-browser

# Headless Chromium (Debian's) driven by playwright-core (pinned in package-lock.json)
# against the release build; screenshots in tests/browser/artifacts/.
test-browser: build
	@echo "== browser tests (headless Chromium, release build) =="
	cd tests/browser && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	  else npm install --no-audit --no-fund; fi
	cd tests/browser && TOURNEYD_BIN=$(CURDIR)/$(BUILD)/tourneyd node --test \
	  --test-reporter=spec pages.test.mjs

# the whole benchmark (bench/README.md): every row, the scale-10 comparison and the original
# load test; BENCH_FULL= leaves those two out, BENCH_ARGS adds options (e.g. --quick)
BENCH_FULL ?= --scale 10 --artillery
bench: build $(if $(findstring --artillery,$(BENCH_FULL) $(BENCH_ARGS)),bench-deps)
	bench/run.sh $(BENCH_FULL) $(BENCH_ARGS)

# artillery (bench/package-lock.json) into bench/node_modules, once; its Playwright
# dependency would download a browser, which the load test does not use
bench-deps: bench/node_modules/.bin/artillery

bench/node_modules/.bin/artillery: bench/package.json bench/package-lock.json
	cd bench && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	@touch $@

bench-artillery: build bench-deps
	bench/artillery.sh $(ARTILLERY_ARGS)

# live updates: 1,000 WebSocket subscribers while results are posted (bench/README.md)
bench-live: build
	$(PY) bench/live_bench.py $(BENCH_LIVE_ARGS)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
