#!/bin/sh
# Writes the Swift file that carries eeops's version and commit (run by Plugins/BuildInfo before each build).
#   write-build-info.sh PACKAGE_DIR OUTPUT_FILE
# The version is the VERSION file; the commit is git's HEAD, with "-dirty" when the work tree differs from it, or
# EEOPS_BUILD_COMMIT when set (a build from a source tarball, which has no .git), else "unknown".
# The file is replaced only when its content changes, so that an unchanged commit recompiles nothing.
set -eu
package=$1
output=$2
version=$(tr -d ' \n' < "$package/VERSION")
commit=${EEOPS_BUILD_COMMIT:-}
if [ -z "$commit" ]; then
  if commit=$(git -C "$package" rev-parse --short=12 HEAD 2>/dev/null); then
    git -C "$package" diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
  else
    commit=unknown
  fi
fi
case "$version$commit" in
  *[!A-Za-z0-9.+~-]*) echo "write-build-info: unexpected characters in version '$version' or commit '$commit'" >&2; exit 1 ;;
esac
mkdir -p "$(dirname "$output")"
temporary="$output.tmp.$$"
cat > "$temporary" <<SWIFT
// Written by scripts/write-build-info.sh at build time; not edited by hand.

/// What this binary was built from.
enum BuildInfo {
    /// The release version (the VERSION file).
    static let version = "$version"
    /// The commit built (12 hex digits, "-dirty" when the work tree had changes), or "unknown".
    static let commit = "$commit"
}
SWIFT
if cmp -s "$temporary" "$output"; then rm -f "$temporary"; else mv "$temporary" "$output"; fi
