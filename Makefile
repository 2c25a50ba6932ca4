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

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/unit/*.c' 'tools/*.c')

lint: build
	cppcheck --quiet --enable=warning,performance,portability --inline-suppr \
	  --suppress=missingIncludeSystem -I src src tools
	clang-tidy -p $(BUILD) $$(git ls-files 'src/*.c') -- -Isrc

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) test-results
