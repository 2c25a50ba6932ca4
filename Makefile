# gazette - the two commands of the README, and a few for developers.
#
#   make demo    install what is missing, build, serve a sample newsroom
#                at http://127.0.0.1:8080
#   make check   build and run every test; ends with "N passed, N failed"
#
# Meson does the building; this file only sequences it.

BUILD      ?= build
ASAN_BUILD ?= build-asan
LISTEN     ?= 127.0.0.1:8080

.PHONY: all build deps demo check format lint clean

all: build

deps:
	@scripts/install-deps.sh build

build: deps
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) --buildtype=release --werror
	ninja -C $(BUILD)

# Only the binary: the demo need not wait for the tests to compile.
demo: deps
	@test -f $(BUILD)/build.ninja || meson setup $(BUILD) --buildtype=release --werror
	ninja -C $(BUILD) gazette
	./$(BUILD)/gazette demo --listen $(LISTEN)

check:
	@scripts/check.sh

# libFuzzer on every parser of outside input (fuzz/, docs/fuzzing.md),
# FUZZ_SECONDS per target; needs clang, which `make check` does not.
FUZZ_SECONDS ?= 60
.PHONY: fuzz
fuzz:
	@scripts/install-deps.sh fuzz
	@FUZZ_SECONDS="$(FUZZ_SECONDS)" fuzz/run.sh

# gazette against nginx serving the same page, and the other figures of
# docs/benchmarks.md. BIG=1: 100,000 articles; QUICK=1: a short run that
# only proves every step works (make check runs it).
.PHONY: bench
bench:
	@QUICK="$(QUICK)" BIG="$(BIG)" PG="$(PG)" bench/bench.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tools/*.c')

lint: build
	cppcheck --quiet --enable=warning,performance,portability --inline-suppr \
	  --suppress=missingIncludeSystem -I src src tools
	clang-tidy -p $(BUILD) $$(git ls-files 'src/*.c') -- -Isrc

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz test-results
