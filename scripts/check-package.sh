#!/usr/bin/env bash
# Checks what `make deb`, `make dist` and `make install` produce, as a user on a machine without Swift would meet
# it (make check-package; CI runs it):
#   - the package's file list and its Depends;
#   - its binary, unpacked with dpkg -x into a fresh folder and run under env -i (no Swift toolchain on PATH or in
#     the library path): --version names the version and the commit built, and `eeops demo` runs in tmux and quits
#     with the terminal restored;
#   - the bash completion completes a subcommand, and the zsh and fish completions parse;
#   - lintian reports no error (where lintian is installed);
#   - the tarball's file list, its checksum, and its binary under env -i;
#   - make install with DESTDIR and with PREFIX puts exactly the listed files in place, and make uninstall
#     removes exactly them;
#   - with EEOPS_CHECK_SYSTEM_INSTALL=1 (CI, as root): apt-get install of the .deb, the installed eeops (--version,
#     eeops demo in tmux) and its man page, and apt-get purge.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(tr -d ' \n' < VERSION)
arch=$(dpkg --print-architecture)
deb=dist/eeops_${version}_$arch.deb
tarball=dist/eeops-$version-linux-$(uname -m).tar.gz
commit=$(git rev-parse --short=12 HEAD)
scratch=$(mktemp -d)
failures=0
cleanup() { tmux -S "$scratch/tmux.sock" kill-server 2>/dev/null || true; rm -rf "$scratch"; }
trap cleanup EXIT

pass() { echo "check-package: ok: $*"; }
fail() { echo "check-package: FAILED: $*" >&2; failures=$((failures + 1)); }
listed_files() { grep -v -e '^#' -e '^$' packaging/installed-files; }

# A command run as on a machine without Swift: an empty environment but for a UTF-8 locale and the system PATH.
bare() { env -i LANG=C.UTF-8 HOME="$scratch/home" PATH=/usr/bin:/bin "$@"; }
mkdir -p "$scratch/home"

check_version() { # BINARY WHERE
  local printed expected="eeops $version (commit $commit)"
  # A build for trying out (ALLOW_DIRTY=1) names the work tree's changes.
  [ "${ALLOW_DIRTY:-0}" = 1 ] && expected="eeops $version (commit $commit"
  if printed=$(bare "$1" --version 2>&1) && [[ $printed == "$expected"* ]]; then
    pass "$2: --version prints '$printed'"
  else
    fail "$2: --version printed '$printed', expected '$expected'"
  fi
}

check_no_swift_libraries() { # BINARY
  local needed
  needed=$(readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
  if grep -qi -e swift -e foundation <<<"$needed"; then fail "$1 needs Swift libraries: $needed"; else pass "libraries needed: $needed"; fi
  if bare ldd "$1" | grep -q 'not found'; then fail "ldd $1 finds a library missing"; fi
}

# `eeops demo` in tmux under env -i: the operations appear, q quits with status 0 and the screen is restored.
check_demo() { # BINARY
  local socket=$scratch/tmux.sock screen="" i
  rm -f "$scratch/demo.exit"
  tmux -S "$socket" new-session -d -x 120 -y 30 \
    "env -i LANG=C.UTF-8 TERM=\"\$TERM\" HOME='$scratch/home' PATH=/usr/bin:/bin '$1' demo; echo \$? > '$scratch/demo.exit'; sleep 60"
  for i in $(seq 1 100); do
    screen=$(tmux -S "$socket" capture-pane -p 2>/dev/null || true)
    grep -q 'demo-project' <<<"$screen" && grep -q 'RUNNING' <<<"$screen" && break
    sleep 0.2
  done
  if grep -q 'demo-project' <<<"$screen" && grep -q 'EXPORT_' <<<"$screen"; then
    pass "eeops demo shows the demo project's operations"
  else
    fail "eeops demo did not show the demo project's operations; the screen was:"$'\n'"$screen"
  fi
  tmux -S "$socket" send-keys q
  for i in $(seq 1 50); do [ -s "$scratch/demo.exit" ] && break; sleep 0.2; done
  if [ "$(cat "$scratch/demo.exit" 2>/dev/null)" = 0 ]; then pass "eeops demo quit with status 0 on q"; else fail "eeops demo did not quit with status 0 on q"; fi
  screen=$(tmux -S "$socket" capture-pane -p 2>/dev/null || true)
  if grep -q 'RUNNING' <<<"$screen"; then fail "the demo's screen was left on the terminal after it quit"; else pass "the terminal was restored"; fi
  tmux -S "$socket" kill-server 2>/dev/null || true
}

check_completions() { # ROOT (holding share/...)
  local bash_file=$1/bash-completion/completions/eeops reply
  # As bash-completion runs it: the function that `complete -p eeops` registers, called for the word under the
  # cursor; once for a subcommand and once for an option of one.
  complete_in_bash() { # WORDS...
    bash --norc --noprofile -c '
      source "$1"; shift
      registered=$(complete -p eeops) || exit 1
      function=${registered##*-F }; function=${function%% *}
      COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
      "$function" eeops "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" >/dev/null 2>&1 || true
      printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_file" "$@" 2>&1 || true
  }
  reply=$(complete_in_bash eeops canc)
  if grep -qx 'cancel' <<<"$reply"; then pass "bash completes 'eeops canc' to cancel"; else fail "bash completion of 'eeops canc' gave: $reply"; fi
  reply=$(complete_in_bash eeops list --format j)
  if [ "$(sort <<<"$reply" | tr '\n' ' ')" = "json jsonl " ]; then pass "bash completes 'eeops list --format j' to json and jsonl"; else fail "bash completion of 'eeops list --format j' gave: $reply"; fi
  reply=$(complete_in_bash eeops cancel --proj)
  if grep -qx -- '--project' <<<"$reply"; then pass "bash completes 'eeops cancel --proj' to --project"; else fail "bash completion of 'eeops cancel --proj' gave: $reply"; fi
  if command -v zsh >/dev/null; then
    if zsh -n "$2" 2>/dev/null; then pass "the zsh completion parses"; else fail "zsh -n rejects $2"; fi
  fi
  if command -v fish >/dev/null; then
    if fish --no-execute "$3" 2>/dev/null; then pass "the fish completion parses"; else fail "fish --no-execute rejects $3"; fi
  fi
}

# --- The Debian package ---------------------------------------------------------------------------------------
[ -f "$deb" ] || { echo "check-package: $deb is missing: run make deb" >&2; exit 1; }
expected_deb_files() {
  local file
  while read -r file; do
    case "$file" in
      share/man/man1/*) echo "./usr/$file.gz" ;;
      share/zsh/site-functions/*) echo "./usr/share/zsh/vendor-completions/${file##*/}" ;;
      *) echo "./usr/$file" ;;
    esac
  done < <(listed_files)
  echo ./usr/share/doc/eeops/changelog.gz
  echo ./usr/share/doc/eeops/copyright
  echo ./usr/share/lintian/overrides/eeops
}
if diff <(dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sort) <(expected_deb_files | sort) >&2; then
  pass "the package holds exactly the expected files"
else
  fail "the package's files (<) differ from the expected (>)"
fi

depends=$(dpkg-deb -f "$deb" Depends)
for library in libc6 libncursesw6 libsqlite3-0; do
  if grep -qE "(^|, )$library( |,|$)" <<<"$depends"; then pass "Depends names $library"; else fail "Depends lacks $library: $depends"; fi
done
if grep -qi swift <<<"$depends"; then fail "Depends names a Swift package: $depends"; fi
if [ "$(dpkg-deb -f "$deb" Version)" = "$version" ]; then pass "Version is $version"; else fail "Version is not $version"; fi

mkdir -p "$scratch/deb"
dpkg -x "$deb" "$scratch/deb"
check_version "$scratch/deb/usr/bin/eeops" "the package's binary"
check_no_swift_libraries "$scratch/deb/usr/bin/eeops"
check_demo "$scratch/deb/usr/bin/eeops"
check_completions "$scratch/deb/usr/share" "$scratch/deb/usr/share/zsh/vendor-completions/_eeops" \
  "$scratch/deb/usr/share/fish/vendor_completions.d/eeops.fish"
if zcat "$scratch/deb/usr/share/man/man1/eeops.cancel.1.gz" | grep -q '^\.Nm "\?eeops cancel'; then
  pass "the man page eeops.cancel(1) documents eeops cancel"
else
  fail "eeops.cancel.1.gz does not name eeops cancel"
fi

if command -v lintian >/dev/null; then
  if lintian --fail-on error "$deb" >"$scratch/lintian" 2>&1; then
    pass "lintian reports no error ($(grep -c '^W:' "$scratch/lintian" || true) warnings)"
  else
    fail "lintian reports errors:"$'\n'"$(cat "$scratch/lintian")"
  fi
else
  echo "check-package: lintian is not installed: not run"
fi

# --- The tarball ---------------------------------------------------------------------------------------------
if (cd dist && sha256sum --quiet -c "$(basename "$tarball").sha256"); then pass "the tarball matches its SHA-256 file"; else fail "the tarball's checksum does not match"; fi
name=$(basename "$tarball" .tar.gz)
expected_tarball_files() { { listed_files; printf '%s\n' README.md LICENSE CHANGELOG.md; } | sed "s|^|$name/|"; }
if diff <(tar -tzf "$tarball" | grep -v '/$' | sort) <(expected_tarball_files | sort) >&2; then
  pass "the tarball holds exactly the expected files"
else
  fail "the tarball's files (<) differ from the expected (>)"
fi
mkdir -p "$scratch/tarball" && tar -xzf "$tarball" -C "$scratch/tarball"
check_version "$scratch/tarball/$name/bin/eeops" "the tarball's binary"

# --- make install and make uninstall -------------------------------------------------------------------------
installed_files() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }
all_entries() { (cd "$1" && find . -mindepth 1 | sed 's|^\./||' | sort); }
expected_install() { { listed_files; echo share/eeops/install-manifest; } | sed "s|^|$1|" | sort; }
# make's own output goes to a log, shown when a step fails.
quiet_make() { make -s "$@" >"$scratch/make.log" 2>&1 || { cat "$scratch/make.log" >&2; fail "make $*"; }; }

mkdir -p "$scratch/destdir/usr/local/bin"
touch "$scratch/destdir/usr/local/bin/someone-elses-tool"
quiet_make install DESTDIR="$scratch/destdir" PREFIX=/usr/local
if diff <(installed_files "$scratch/destdir" | grep -v someone-elses-tool) <(expected_install usr/local/) >&2; then
  pass "make install DESTDIR=... installs exactly the listed files and its manifest under PREFIX"
else
  fail "make install DESTDIR=...: the installed files (<) differ from the list (>)"
fi
if [ "$(stat -c %a "$scratch/destdir/usr/local/bin/eeops")" = 755 ]; then pass "the installed binary is mode 755"; else fail "the installed binary is not mode 755"; fi
quiet_make uninstall DESTDIR="$scratch/destdir" PREFIX=/usr/local
# What was there before stays (usr/local/bin and the file in it); every folder the install created goes.
if [ "$(all_entries "$scratch/destdir" | tr '\n' ' ')" = "usr usr/local usr/local/bin usr/local/bin/someone-elses-tool " ]; then
  pass "make uninstall removes exactly what make install added: its files and the folders it created"
else
  fail "make uninstall left or removed other entries: $(all_entries "$scratch/destdir" | tr '\n' ' ')"
fi

quiet_make install PREFIX="$scratch/home/.local"
check_version "$scratch/home/.local/bin/eeops" "make install PREFIX=~/.local"
if command -v man >/dev/null; then
  # man-db derives the manual's path from PATH (PREFIX/bin → PREFIX/share/man), as docs/install.md says.
  if env -i HOME="$scratch/home" PATH="$scratch/home/.local/bin:/usr/bin:/bin" man -w eeops.cancel >/dev/null 2>&1; then
    pass "man finds eeops.cancel(1) with PREFIX/bin on PATH"
  else
    fail "man -w eeops.cancel does not find the page installed under PREFIX with PREFIX/bin on PATH"
  fi
fi
quiet_make uninstall PREFIX="$scratch/home/.local"
# The prefix folder itself, which the install made, is the user's and stays.
if [ "$(all_entries "$scratch/home")" = .local ]; then
  pass "make uninstall PREFIX=... leaves only the prefix folder"
else
  fail "make uninstall PREFIX=... left: $(all_entries "$scratch/home" | tr '\n' ' ')"
fi

# Installing under a user's home needs no root: the install step run as an unprivileged user, from a copy of the
# staged tree and the scripts it readable by that user.
if [ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null && id nobody >/dev/null 2>&1; then
  user_tree=$scratch/as-user
  mkdir -p "$user_tree/tree/.build" "$user_tree/home"
  cp -R scripts packaging VERSION CHANGELOG.md "$user_tree/tree/"
  cp -R .build/stage "$user_tree/tree/.build/"
  chmod 755 "$scratch"
  chown -R nobody "$user_tree"
  if runuser -u nobody -- env -i HOME="$user_tree/home" PATH=/usr/bin:/bin \
      "$user_tree/tree/scripts/package.sh" install "" "~/.local" >"$scratch/user.log" 2>&1 \
    && [ -x "$user_tree/home/.local/bin/eeops" ]; then
    pass "an unprivileged user installs into PREFIX=~/.local"
  else
    fail "an unprivileged user could not install into ~/.local:"$'\n'"$(cat "$scratch/user.log")"
  fi
fi

# --- apt-get install of the package (CI, as root) -----------------------------------------------------------
if [ "${EEOPS_CHECK_SYSTEM_INSTALL:-0}" = 1 ]; then
  if [ "$(id -u)" -ne 0 ] || [ -e /usr/bin/eeops ]; then
    fail "EEOPS_CHECK_SYSTEM_INSTALL=1 needs root and no /usr/bin/eeops"
  elif DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "./$deb" >"$scratch/apt" 2>&1; then
    check_version /usr/bin/eeops "apt-get install ./$deb"
    check_demo /usr/bin/eeops
    if command -v man >/dev/null; then
      if man -w eeops >/dev/null 2>&1; then pass "man -w eeops finds the installed page"; else fail "man -w eeops finds no page"; fi
    fi
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq eeops >/dev/null 2>&1 || fail "apt-get purge eeops failed"
    if [ -e /usr/bin/eeops ]; then fail "/usr/bin/eeops is left after apt-get purge"; else pass "apt-get purge removes eeops"; fi
  else
    fail "apt-get install ./$deb failed:"$'\n'"$(cat "$scratch/apt")"
  fi
fi

if [ "$failures" -gt 0 ]; then echo "check-package: $failures check(s) failed" >&2; exit 1; fi
echo "check-package: all checks passed"
