# The two commands of the README: `make up` runs the farm, `make test` runs
# every test. Both install what they need first.
BUILD ?= build
JOBS ?= 2
# Extra CMake settings, e.g. CMAKE_FLAGS=-DCBIT_WERROR=ON (CI); kept in the
# build directory's cache once given.
CMAKE_FLAGS ?=

# Sanitizer and fuzzing builds live in build directories of their own.
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
# Seconds each fuzz target runs in `make fuzz`, and in `make test`.
FUZZ_SECONDS ?= 10
FUZZ_TEST_SECONDS ?= 3
# A sanitizer's first finding fails the test that hit it (child processes,
# e.g. cbit-client under the integration tests, inherit these).
SANITIZER_ENV = ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
# What `make tsan` runs: every unit test, and the integration entries whose
# code runs threads in the test process (HTTP server, outbox, group commit,
# publisher pool and pipeline, the store's pool).
TSAN_TESTS = ^integration\.(api|amqp|amqp_pipeline|store|dispatch_outage)$$

.PHONY: all deps build test up bench format tidy clean asan asan-unit tsan fuzz fuzz-build

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] && [ -z "$(CMAKE_FLAGS)" ] || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

# Unit tests, then integration tests that start their own PostgreSQL cluster
# and RabbitMQ node (and stop them).
# Then each fuzz target for a few seconds on its corpus: a crash fails.
# A failure ends with its assertions (scripts/test-failures.sh), as a long
# log is often read from its end.
test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1500 \
	  || { $(CURDIR)/scripts/test-failures.sh .; exit 1; }
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS)

# The whole suite built with AddressSanitizer and UndefinedBehaviorSanitizer.
asan: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCBIT_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j$(JOBS) --timeout 3000

# The unit tests alone under ASan and UBSan (CI): the parsers, the job state
# machine and the logic behind every seam, in a fraction of `make asan`'s time.
asan-unit: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCBIT_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS) --target cbit_unit_tests
	cd $(ASAN_BUILD) && $(SANITIZER_ENV) ./cbit_unit_tests

# The threaded parts built with ThreadSanitizer (TSAN_TESTS).
tsan: deps
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCBIT_TSAN=ON $(CMAKE_FLAGS)
	cmake --build $(TSAN_BUILD) -j$(JOBS) --target cbit_unit_tests cbit_integration_tests
	cd $(TSAN_BUILD) && $(SANITIZER_ENV) ./cbit_unit_tests
	cd $(TSAN_BUILD) && $(SANITIZER_ENV) ctest --output-on-failure -j$(JOBS) --timeout 3000 -R '$(TSAN_TESTS)'

# libFuzzer targets (fuzz/README.md), built with clang, ASan and UBSan, each
# run FUZZ_SECONDS on its corpus.
fuzz-build: deps
	[ -f $(FUZZ_BUILD)/build.ninja ] || cmake -S . -B $(FUZZ_BUILD) -G Ninja \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DCBIT_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j$(JOBS) --target cbit_fuzz

fuzz: fuzz-build
	$(SANITIZER_ENV) fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

up: build
	scripts/farm-up.sh

bench: build
	$(BUILD)/cbit-bench

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

tidy: build
	run-clang-tidy -p $(BUILD) -quiet src/

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
