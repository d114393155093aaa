# eeops — the two quick-start commands are `make demo` and `make test`; both set up what they need.
SWIFT ?= swift
EEOPS := .build/debug/eeops

.PHONY: demo test build setup setup-test test-conformance test-tsan test-asan release bench bench-smoke soak clean
.PHONY: shipped stage install uninstall setup-packaging deb dist check-package

## Build and run eeops on the embedded emulator (no account needed).
demo: setup build
	$(EEOPS) demo

## The binary the end-to-end suites run is the one users install: the release build, stripped of its symbol
## table (`make shipped`; make install, the Debian package and the tarball ship it). The CLI in processes, the TUI
## in tmux and the official client's conformance run against it.
E2E_BINARY := $(CURDIR)/.build/shipped/eeops

## The test build: the release configuration with the address sanitizer in its Swift code (ours and the
## packages'), and the test suites. It shares the release build's folder, where only the Swift modules are
## compiled again: the C libraries (BoringSSL twice over, the bulk of a build) are compiled as the release build
## compiles them, and reused. The eeops it builds, copied to ASAN_BINARY, runs the CLI's suites a second time.
TEST_BUILD := -c release -Xswiftc -sanitize=address -Xswiftc -enable-testing
ASAN_BINARY := $(CURDIR)/.build/asan/eeops
## Memory errors, not leaks: the optimiser inlines the frames that Tests/lsan-suppressions.txt names (leaks in
## other packages' code), and the CLI's processes exit with work in flight. `make test-asan` looks for leaks.
IN_PROCESS_ASAN := ASAN_OPTIONS=detect_leaks=0
CLI_ASAN := ASAN_OPTIONS=detect_leaks=0:abort_on_error=0

## Run the whole test suite: unit and emulator integration (in process, under the address sanitizer), the CLI and
## the TUI end to end on the release binary, the CLI's suites (bulk cancels, interrupted ones, hostile answers
## among them) again on the release binary built with the address sanitizer, and the official Python client's
## conformance. The suites that wait on the clock run after the others, one test at a time (see CLOCK_SUITES).
test: setup-test shipped
	$(SWIFT) build $(TEST_BUILD) --build-tests
	mkdir -p $(dir $(ASAN_BINARY)) && cp .build/release/eeops $(ASAN_BINARY)
	$(IN_PROCESS_ASAN) EEOPS_BINARY=$(E2E_BINARY) $(SWIFT) test $(TEST_BUILD) --skip-build --skip "$(CLOCK_SUITES)"
	$(IN_PROCESS_ASAN) EEOPS_BINARY=$(E2E_BINARY) $(SWIFT) test $(TEST_BUILD) --skip-build --no-parallel --filter "$(CLOCK_SUITES)" --skip "$(TIMING_ONLY)"
	$(CLI_ASAN) EEOPS_BINARY=$(ASAN_BINARY) $(SWIFT) test $(TEST_BUILD) --skip-build --filter "$(CLI_SUITES)"
	EEOPS_BINARY=$(E2E_BINARY) .venv/bin/python -m pytest -q Tests/Conformance

build:
	$(SWIFT) build

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --with-python

test-conformance: setup-test shipped
	EEOPS_BINARY=$(E2E_BINARY) .venv/bin/python -m pytest -q Tests/Conformance

## The suites that start the eeops binary in processes or in tmux: they run in `make test` only.
OUT_OF_PROCESS := TmuxEndToEndTests|CLITests|AuthCommandTests
## The CLI's suites in processes: the CLITests module (CLITests, AuthCommandTests, BulkAccountingTests,
## HostileAnswerTests, VersionTests).
CLI_SUITES := CLITests
## The suites that wait on the clock (the poller's windows, the limiter's pacing, the metadata-server probe, 1,000
## cancels against the in-process emulator's quota). Run in parallel with the other suites, which keep both cores
## busy for seconds at a time, these missed their windows (and the starved in-process emulator saw the cancels
## arrive in bunches); so they run after the rest, one test at a time.
CLOCK_SUITES := PollerTests|ClockSkewTests|ResilienceTests|AuthTests|ClientPolicyTests

## Tests of timing as a server sees it, which a sanitizer slows too much: the in-process emulator saw 1,000 cancels
## arrive bunched under TSan, and 6 of them answered 429 under the token bucket in make test's release build with the
## address sanitizer (a fresh clone's CI). They run in a plain `swift test`; in CI, `make soak` checks the same
## promise end to end on the release binary (500 cancels, 0 answers 429).
TIMING_ONLY := aThousandCancelsMeetNo429UnderEitherQuotaModel

## The in-process test suites under the thread sanitizer (a separate build in .build-tsan).
test-tsan:
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --skip "$(OUT_OF_PROCESS)|$(CLOCK_SUITES)"
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --no-parallel --filter "$(CLOCK_SUITES)" --skip "$(OUT_OF_PROCESS)|$(TIMING_ONLY)"

## The in-process test suites under the address sanitizer (a separate build in .build-asan). Leaks that
## LeakSanitizer finds in other packages' code are listed in Tests/lsan-suppressions.txt.
test-asan: export LSAN_OPTIONS = suppressions=$(CURDIR)/Tests/lsan-suppressions.txt
test-asan:
	$(SWIFT) test --sanitize=address --scratch-path .build-asan --skip "$(OUT_OF_PROCESS)|$(CLOCK_SUITES)"
	$(SWIFT) test --sanitize=address --scratch-path .build-asan --no-parallel --filter "$(CLOCK_SUITES)" --skip "$(OUT_OF_PROCESS)|$(TIMING_ONLY)"

## Release builds of eeops and of the harness that benchmarks and soaks it, with the Swift runtime and
## Foundation linked in: start-up no longer binds thousands of symbols across a dozen shared libraries
## (docs/benchmarks.md), and the binary runs on a machine without a Swift toolchain. The executable exports none
## of the 41,000 symbols that the Swift driver exports by default: no one looks them up, and the runtime's
## `dladdr` read them all at start-up. It stays position independent, for address-space randomisation.
release:
	$(SWIFT) build -c release --static-swift-stdlib -Xlinker --no-export-dynamic

## The release binary as it ships, in .build/shipped: stripped of its symbol table and of the .comment and .note
## sections, as Debian's dh_strip does.
shipped: release
	scripts/package.sh shipped

## Installing and shipping (docs/install.md). PREFIX=~/.local installs for one user, without root; DESTDIR stages
## an install for a package.
PREFIX ?= /usr/local
DESTDIR ?=

## The installed tree in .build/stage: the release binary stripped, a man page per command from the argument
## parser's generate-manual tool, bash, zsh and fish completions from the parser (the files in packaging/installed-files).
stage: shipped
	scripts/package.sh stage

## Install the staged files under $(DESTDIR)$(PREFIX), and a manifest of what was installed
## (share/eeops/install-manifest). Under sudo it only copies: `make stage` first, as yourself, so that the build
## does not run as root.
install: $(if $(SUDO_USER),,stage)
	scripts/package.sh install "$(DESTDIR)" "$(PREFIX)"

## Remove exactly what `make install` installed under $(DESTDIR)$(PREFIX), as its manifest lists: the files and
## the folders it created, when they are empty.
uninstall:
	scripts/package.sh uninstall "$(DESTDIR)" "$(PREFIX)"

## What building and checking the Debian package needs (dpkg-dev, lintian, ...; scripts/setup.sh).
setup-packaging:
	scripts/setup.sh --with-packaging

## dist/eeops_VERSION_ARCH.deb (dpkg-deb; its Depends from dpkg-shlibdeps). Refuses a binary built from a work tree
## with changes, unless ALLOW_DIRTY=1.
deb: setup-packaging stage
	scripts/package.sh deb

## dist/eeops-VERSION-linux-MACHINE.tar.gz and its SHA-256 file (the same refusal).
dist: stage
	scripts/package.sh dist

## The package, the tarball and make install/uninstall checked as a user without Swift meets them (CI).
check-package: deb dist
	scripts/check-package.sh

## Every performance scenario side by side, against the floor and the official tools; writes docs/benchmark-results.md
## (docs/benchmarks.md explains them).
bench: setup-test release
	.build/release/eeops-bench scenarios --output docs/benchmark-results.md

## The same scenarios, small and once: keeps the benchmark from rotting (CI). The figures are not the benchmark.
bench-smoke: setup-test release
	.build/release/eeops-bench scenarios --quick --output .build/benchmarks-smoke.md

## The TUI in tmux under 20% faulty answers while 500 cancels go out in batches (docs/reliability.md).
SOAK_SECONDS ?= 60
soak: setup release
	.build/release/eeops-bench soak --seconds $(SOAK_SECONDS)

clean:
	rm -rf .build .build-tsan .build-asan .build-asan-release .build-fuzz .venv dist

## Fuzz the response decoding and the terminal-text sanitising with libFuzzer, FUZZ_SECONDS per target
## (built with swiftc in .build-fuzz; see docs/fuzzing.md).
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-regress
fuzz:
	scripts/fuzz.sh all $(FUZZ_SECONDS)

## Run the fuzzers once over the committed seeds and regression fixtures in Tests/Fuzz.
fuzz-regress:
	scripts/fuzz.sh --regress
