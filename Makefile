# eeops — the two quick-start commands are `make demo` and `make test`; both set up what they need.
SWIFT ?= swift
EEOPS := .build/debug/eeops

.PHONY: demo test build setup setup-test test-swift test-conformance clean

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

clean:
	rm -rf .build .venv
