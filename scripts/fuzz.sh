#!/usr/bin/env bash
# Fuzzes the decoding of the server's answers and the sanitising of terminal text with libFuzzer.
# See docs/fuzzing.md.
#
#   scripts/fuzz.sh [decode|sanitize|all] [seconds]   fuzz each target for `seconds` (default 30)
#   scripts/fuzz.sh --regress [decode|sanitize|all]   run the committed seeds and regression fixtures once;
#                                                     exits non-zero if any of them crashes
#   scripts/fuzz.sh --build [decode|sanitize|all]     only build
#
# The targets are built with swiftc, not SwiftPM: the production source files they exercise (the model,
# the error envelope, TerminalText and the CLI's output writer, all Foundation-only) are compiled
# directly, together with the shared checks and the target's entry point, into .build-fuzz/.
#
# Environment: SWIFTC (default: swiftc on PATH, else /opt/swift/usr/bin/swiftc),
# FUZZ_SANITIZERS (default fuzzer,address), FUZZ_FLAGS (more libFuzzer flags, e.g. -jobs=2).
set -euo pipefail
cd "$(dirname "$0")/.."

out=.build-fuzz
mode=fuzz
case "${1:-}" in
    --regress) mode=regress; shift ;;
    --build) mode=build; shift ;;
esac
which_targets=${1:-all}
seconds=${2:-30}
case "$which_targets" in
    decode) targets=(decode) ;;
    sanitize) targets=(sanitize) ;;
    all) targets=(decode sanitize) ;;
    *) echo "usage: scripts/fuzz.sh [--regress|--build] [decode|sanitize|all] [seconds]" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: seconds must be a whole number, not '$seconds'" >&2; exit 2; }

swiftc=${SWIFTC:-$(command -v swiftc || echo /opt/swift/usr/bin/swiftc)}
sanitizers=${FUZZ_SANITIZERS:-fuzzer,address}

# Production sources (Foundation only), the checks shared with FuzzCorpusTests, and each target's entry point.
shared_sources=(
    Sources/EarthEngineOperations/Model/*.swift
    Sources/EarthEngineOperations/Model/JSON/*.swift
    Sources/EarthEngineOperations/Support/Locked.swift
    Sources/EarthEngineOperations/Support/ByteSpans.swift
    Sources/EarthEngineOperations/Support/ByteFingerprint.swift
    Sources/EarthEngineOperations/Client/RPCCode.swift
    Sources/EarthEngineOperations/Client/OperationsError.swift
    Sources/EarthEngineOperations/Client/RPCErrorEnvelope.swift
    Sources/EarthEngineOperations/Query/DurationText.swift
    Sources/EarthEngineOperations/Text/TerminalText.swift
    Sources/EarthEngineOperations/Text/ServerText.swift
    Sources/OperationsPresentation/OperationFormatting.swift
    Sources/OperationsPresentation/OperationColumn.swift
    Sources/OperationsPresentation/OperationListWriter.swift
    Tests/EarthEngineOperationsTests/FuzzChecks.swift
)

entry() { case "$1" in decode) echo Fuzz/DecodeResponse/FuzzDecodeResponse.swift ;; sanitize) echo Fuzz/SanitizeText/FuzzSanitizeText.swift ;; esac; }
binary() { case "$1" in decode) echo "$out/fuzz-decode-response" ;; sanitize) echo "$out/fuzz-sanitize-text" ;; esac; }
max_len() { case "$1" in decode) echo 8192 ;; sanitize) echo 1024 ;; esac; }

build() {
    local target=$1 bin entry_file
    bin=$(binary "$target")
    entry_file=$(entry "$target")
    # Rebuild only when a source (or this script) is newer than the binary.
    if [[ -x "$bin" ]] && [[ -z "$(find "${shared_sources[@]}" "$entry_file" "$0" -newer "$bin" 2>/dev/null)" ]]; then
        return
    fi
    mkdir -p "$out"
    echo "fuzz.sh: building $bin (-sanitize=$sanitizers)" >&2
    # One module: the production files are compiled as they are (their `import EarthEngineOperations`
    # is then ignored, hence -suppress-warnings; the normal build shows their warnings).
    "$swiftc" -sanitize="$sanitizers" -parse-as-library -O -swift-version 6 -enable-experimental-feature Lifetimes -suppress-warnings \
        -D EEOPS_FUZZER -module-name EarthEngineOperations \
        "${shared_sources[@]}" "$entry_file" -o "$bin" 2>&1 | { grep -v "Cannot export local symbol" || true; }
    [[ -x "$bin" ]] || { echo "fuzz.sh: building $bin failed" >&2; exit 1; }
}

# Swift's own crash backtracer is slow and would hide libFuzzer's report; ASan's leak check reports the
# Swift runtime's caches.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:handle_sigill=1}

status=0
for target in "${targets[@]}"; do
    build "$target"
    bin=$(binary "$target")
    fixtures=Tests/Fuzz/$target
    case "$mode" in
    build) ;;
    regress)
        echo "fuzz.sh: $target: running $(ls "$fixtures" | wc -l) fixtures from $fixtures" >&2
        if ! "$bin" -max_len="$(max_len "$target")" "$fixtures"/* 2>"$out/regress-$target.log"; then
            tail -n 30 "$out/regress-$target.log" >&2
            echo "fuzz.sh: $target: a fixture crashed (log: $out/regress-$target.log)" >&2
            status=1
        else
            echo "fuzz.sh: $target: all fixtures pass" >&2
        fi
        ;;
    fuzz)
        corpus=$out/corpus/$target
        artifacts=$out/artifacts/$target
        mkdir -p "$corpus" "$artifacts"
        echo "fuzz.sh: fuzzing $target for ${seconds}s (corpus $corpus, seeds $fixtures, crashes to $artifacts/)" >&2
        # New inputs go to the first directory; the committed fixtures are read only.
        set +e
        # shellcheck disable=SC2086
        "$bin" -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=25 -print_final_stats=1 \
            -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} "$corpus" "$fixtures" 2>&1 | tee "$out/fuzz-$target.log" \
            | grep --line-buffered -E "^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|^stat::|ERROR|Fatal error|SUMMARY|Test unit written" >&2
        rc=${PIPESTATUS[0]}
        set -e
        if [[ $rc -ne 0 ]]; then
            echo "fuzz.sh: $target: crash found (exit $rc), see $out/fuzz-$target.log and $artifacts/ (docs/fuzzing.md: keeping a crash as a fixture)" >&2
            status=1
        fi
        ;;
    esac
done
exit $status
