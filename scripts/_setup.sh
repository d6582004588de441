# Shared set-up for scripts/demo and scripts/test: a virtualenv with hash-locked dependencies,
# the project installed in editable mode, and the npm packages from package-lock.json.
# Sourced, not run. Usage: setup_python base|test
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SANSPEUR_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3.11}"

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_packages() {
  echo "Installing Debian packages: $*"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

apt_install() {
  # Debian packages the project needs, given as command:package; installed only when the command is missing.
  local missing=()
  for spec in "$@"; do
    local command_name="${spec%%:*}" package="${spec##*:}"
    command -v "$command_name" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_packages "${missing[@]}"
}

ensure_c_toolchain() {
  # The compiled Base45 decoder (docs/decisions/0004-compiled-base45.md) needs a C compiler and
  # Python's headers. Optional: without them the package installs in pure Python (tests fail in CI).
  command -v cc >/dev/null 2>&1 || apt_install "cc:gcc" || echo "(no C compiler: pure-Python Base45)"
  "$PYTHON" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
    || apt_packages python3-dev || echo "(no Python headers: pure-Python Base45)"
}

setup_python() {
  local flavour="$1"
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  if ! "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    echo "Python 3.11 is required ($PYTHON is not)." >&2
    exit 2
  fi
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" 2>/dev/null || { apt_packages python3-venv; "$PYTHON" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.installed-$flavour"
  local lock="$ROOT/requirements/$flavour.txt"
  # The compiled Base45 decoder is built by the editable install: rebuild when its source changes.
  local extension="$ROOT/src/sanspeur/credential/_base45.c"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$extension" -nt "$stamp" ]; then
    ensure_c_toolchain
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$ROOT/requirements/build.txt"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

setup_node() {
  apt_install "npm:npm"
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
