#!/usr/bin/env bash
# Installs what building, running and testing eeops need, when it is missing:
# Debian packages (ncurses and SQLite headers, tmux, curl for the list benchmark's floor) and a Python virtual environment
# with the official Earth Engine client for the conformance tests (--with-python); with --with-packaging, what
# building and checking the Debian package needs (dpkg-dev, lintian, zsh and fish for the completions, man-db).
# Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need_packages=()
packages=(libncurses-dev libsqlite3-dev tmux python3-venv curl)
[ "${1:-}" = "--with-packaging" ] && packages+=(dpkg-dev binutils lintian zsh fish man-db)
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || need_packages+=("$package")
done
if [ "${#need_packages[@]}" -gt 0 ]; then
  echo "setup: installing ${need_packages[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_packages[@]}" >/dev/null
fi

if [ "${1:-}" = "--with-python" ]; then
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import ee, pytest' >/dev/null 2>&1; then
    echo "setup: creating .venv with earthengine-api and pytest"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check earthengine-api pytest
  fi
fi
