# SPDX-License-Identifier: MIT
# Front door for the CMake build.  See README.md for what each target does.

BUILD       ?= build
CHECK_BUILD ?= build-check
DEB_BUILD   ?= build-deb
JOBS        ?= 2
PREFIX      ?= /usr/local
CTEST_ARGS  ?=

.PHONY: all deps deps-build build check checksrc demo bench test format format-check install clean fuzz deb

all: build

# Packages: deps-build for a build, deps (the test set) for the rest.
deps:
	@sh scripts/deps.sh test

deps-build:
	@sh scripts/deps.sh build

build: deps-build
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DS2S_WERROR=ON -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Warnings as errors, ASan+UBSan, every test through CTest.
check: deps format-check checksrc
	cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DS2S_WERROR=ON \
		-DS2S_SANITIZE=address,undefined >/dev/null
	cmake --build $(CHECK_BUILD) -j $(JOBS)
	cd $(CHECK_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# libFuzzer targets (clang, ASan+UBSan) in $(FUZZ_BUILD), each run for
# FUZZ_TIME seconds (one after the other) on a copy of its seed corpus
# in tests/fuzz/corpora; crashes are written to $(FUZZ_BUILD)/fuzz-out.
FUZZ_BUILD ?= build-fuzz
FUZZ_TIME  ?= 60
fuzz:
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DS2S_BUILD_FUZZERS=ON -DS2S_SANITIZE=address,undefined >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@set -e; for f in $(FUZZ_BUILD)/tests/fuzz/fuzz_*; do \
		t=$${f##*/fuzz_}; out=$(FUZZ_BUILD)/fuzz-out/$$t; \
		mkdir -p $$out/corpus; echo "fuzz $$t for $(FUZZ_TIME) s"; \
		$$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=$$out/ $$out/corpus \
			tests/fuzz/corpora/$$t 2>$$out/log || \
			{ tail -40 $$out/log; exit 1; }; \
		grep -E '^stat::number_of_executed_units' $$out/log; \
	done

# A real login against a local SimpleSAMLphp IdP and the STS emulator.
demo: deps build
	@/usr/bin/python3 -B tests/integration/testbed.py run -- \
		sh scripts/demo.sh $(BUILD)/saml2sts

# Benchmarks against peers in one run (docs/benchmarks.md).
bench: deps build
	@/usr/bin/python3 -B bench/run_all.py $(BUILD)

# Tests of an existing build, without reinstalling or reconfiguring.
test:
	cd $(CHECK_BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	@out=$$(for f in $$(git ls-files '*.c' '*.h'); do \
		clang-format --dry-run -Werror "$$f" >/dev/null 2>&1 || echo "$$f"; \
	done); if [ -n "$$out" ]; then \
		echo "not formatted (run make format):"; echo "$$out"; exit 1; fi

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) $(DEB_BUILD)

# A Debian package (dpkg-buildpackage, debian/) built from a copy of the
# sources in $(DEB_BUILD); the .deb files land there too.
deb:
	@sh scripts/deps.sh deb
	@sh scripts/deb.sh $(DEB_BUILD)

checksrc:
	@sh scripts/checksrc.sh
