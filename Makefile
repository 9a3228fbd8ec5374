# lamin: the two commands for a fresh machine are `make demo` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)

.PHONY: all build deps demo test test-release test-asan bench clean

all: build

# A release build with the tool at build/bin/lamin.
build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLAMIN_WERROR=ON
	cmake --build $(BUILD) -j$(JOBS)

# Installs the Debian packages that are missing (needs root or sudo).
deps:
	bash scripts/install_deps.sh

# Sets everything up and runs the main job in a scratch folder.
demo: deps build
	bash scripts/demo.sh $(BUILD)/bin/lamin

# Sets everything up and runs the whole suite: release build with warnings as errors, then the
# unit, SQLite, core, CLI and S3 tests again under the address and undefined-behaviour
# sanitizers (without the S3 repeats of the fault sweep, the crash loop and the concurrency
# tests: the release pass runs them; under the sanitizers they would double its time).
test: deps test-release test-asan

test-release: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

test-asan:
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLAMIN_WERROR=ON -DLAMIN_SANITIZE=ON \
	      -DLAMIN_BUILD_BENCH=OFF -DLAMIN_BUILD_PYTHON=OFF
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/support/lsan.supp \
	  ctest --output-on-failure -j$(JOBS) -L 'unit|sqlite|core|cli|s3' \
	        -E 'sweep_.*_s3|crash_test_s3'

# Whole-workload benchmarks against plain cp + md5sum and against curl (see README, Performance).
bench: build
	bash bench/save_vs_cp.sh $(BUILD)/bin/lamin
	$(BUILD)/bin/annotate_bench 10000 100000
	$(BUILD)/bin/search_bench 100000 1000000
	bash scripts/with_s3.sh bash bench/s3_upload.sh $(BUILD)/bin/lamin

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
