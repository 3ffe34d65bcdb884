# The two commands of the README: `make up` runs the farm, `make test` runs
# every test. Both install what they need first.
BUILD ?= build
JOBS ?= 2
# Extra CMake settings, e.g. CMAKE_FLAGS=-DCBIT_WERROR=ON (CI); kept in the
# build directory's cache once given.
CMAKE_FLAGS ?=

.PHONY: all deps build test up bench format tidy clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	@[ -f $(BUILD)/build.ninja ] && [ -z "$(CMAKE_FLAGS)" ] || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

# Unit tests, then integration tests that start their own PostgreSQL cluster
# and RabbitMQ node (and stop them).
test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1500

up: build
	scripts/farm-up.sh

bench: build
	$(BUILD)/cbit-bench

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

tidy: build
	run-clang-tidy -p $(BUILD) -quiet src/

clean:
	rm -rf $(BUILD)
