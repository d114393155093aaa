# eeops — the two quick-start commands are `make demo` and `make test`; both set up what they need.
SWIFT ?= swift
EEOPS := .build/debug/eeops

.PHONY: demo test build setup setup-test test-swift test-conformance test-tsan clean

## Build and run eeops on the embedded emulator (no account needed).
demo: setup build
	$(EEOPS) demo

## Run the whole test suite: unit, emulator integration, CLI, and the official Python client's conformance.
test: setup-test build
	$(SWIFT) test
	.venv/bin/python -m pytest -q Tests/Conformance

build:
	$(SWIFT) build

setup:
	scripts/setup.sh

setup-test:
	scripts/setup.sh --with-python

test-swift: build
	$(SWIFT) test

test-conformance: setup-test build
	.venv/bin/python -m pytest -q Tests/Conformance

## The in-process test suites under the thread sanitizer (a separate build in .build-tsan).
## The suites that start the eeops binary in processes or in tmux run in `make test`.
test-tsan:
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan --skip "TmuxEndToEndTests|CLITests|AuthCommandTests"

clean:
	rm -rf .build .build-tsan .venv

## Fuzz the response decoding and the terminal-text sanitising with libFuzzer, FUZZ_SECONDS per target
## (built with swiftc in .build-fuzz; see docs/fuzzing.md).
FUZZ_SECONDS ?= 60
.PHONY: fuzz fuzz-regress
fuzz:
	scripts/fuzz.sh all $(FUZZ_SECONDS)

## Run the fuzzers once over the committed seeds and regression fixtures in Tests/Fuzz.
fuzz-regress:
	scripts/fuzz.sh --regress
