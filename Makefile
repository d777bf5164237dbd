# Thin wrapper over CMake. `make` builds, `make run` serves the seeded demo database,
# `make test` runs every test (normal build and ASan+UBSan build), `make bench` measures
# (`make bench-live`: the WebSocket live updates).
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PY         ?= /usr/bin/python3
DEMO_DB    ?= data/demo.db
LISTEN     ?= 127.0.0.1:8080

.PHONY: all deps build asan run test test-unit test-api test-asan bench bench-live format clean

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

bench: build
	bench/run.sh $(BENCH_ARGS)

# live updates: 1,000 WebSocket subscribers while results are posted (bench/README.md)
bench-live: build
	$(PY) bench/live_bench.py $(BENCH_LIVE_ARGS)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
