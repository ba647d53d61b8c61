# Postamt developer entry points. Every target installs what it needs first.
.PHONY: all deps build test asan fuzz run bench deb format clean

JOBS ?= $(shell nproc)

all: build

deps:
	@scripts/install-deps

build: deps
	@[ -f build/build.ninja ] || cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

test: build
	@ctest --preset release -j $(JOBS)

# clang-16 debug build with AddressSanitizer + UndefinedBehaviorSanitizer, running the
# same tests, plus every libFuzzer target over its seed corpus.
asan: deps
	@[ -f build-asan/build.ninja ] || cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan -j $(JOBS)

run: deps
	@[ -f build/build.ninja ] || cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target postamt
	@scripts/run-demo

# Postamt side by side with a private Dovecot and Postfix's smtp-source on loopback; writes
# bench/RESULTS.md. Not part of `make test`. `make bench BENCH_ARGS=--quick`: under 2 minutes
# on a quiet machine, prints its table without touching bench/RESULTS.md; BENCH_ARGS="--dovecot-performance" tunes Dovecot's login processes.
# See bench/README.md.
bench: deps
	@scripts/bench-deps
	@[ -f build/build.ninja ] || cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target postamt
	@bench/run $(BENCH_ARGS)

# The Debian package build/postamt_VERSION_amd64.deb (cmake/packaging.cmake): builds the
# server and its manual pages, then CPack installs them with prefix /usr and packs them.
deb: deps
	@[ -f build/build.ninja ] || cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS) --target postamt postamt_man
	@cd build && cpack -G DEB

format:
	@git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-asan
