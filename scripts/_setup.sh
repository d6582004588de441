# Shared set-up for scripts/demo and scripts/test: a virtualenv with hash-locked dependencies,
# the project installed in editable mode, and the npm packages from package-lock.json.
# Sourced, not run. Usage: require_python; require_system [command:package ...]; setup_python base|test; setup_node
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SANSPEUR_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3.11}"

can_be_root() {
  [ "$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_packages() {
  # Install Debian packages, or (without root or sudo) print the command to run and exit 2:
  # a person without administrator rights learns exactly what to ask for, never a bare failure.
  [ $# -eq 0 ] && return 0
  if ! can_be_root || ! command -v apt-get >/dev/null 2>&1; then
    {
      echo "Sans peur needs these Debian packages, and this script cannot install them (no root, no sudo):"
      echo ""
      echo "    apt-get install $*"
      echo ""
      echo "Ask an administrator to run that command as root, then run this script again."
    } >&2
    exit 2
  fi
  echo "Installing Debian packages: $*"
  if ! { as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }; then
    echo "Could not install: $*. Install them (apt-get install $*) and run this script again." >&2
    exit 2
  fi
}

python_headers_missing() {
  ! "$PYTHON" -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null
}

require_system() {
  # Everything both commands need before Python starts: venv, the C toolchain of the compiled
  # Base45 decoder (docs/decisions/0004-compiled-base45.md), npm; plus the caller's extra specs.
  local extra=()
  "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null || extra+=("python3-venv")
  python_headers_missing && extra+=("python3-dev")
  command -v cc >/dev/null 2>&1 || extra+=("gcc")
  local missing=()
  for spec in "npm:npm" "$@"; do
    local command_name="${spec%%:*}" package="${spec##*:}"
    if ! command -v "$command_name" >/dev/null 2>&1 && [[ " ${missing[*]} " != *" $package "* ]]; then
      missing+=("$package")
    fi
  done
  apt_packages "${extra[@]}" "${missing[@]}"
}

require_python() {
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  if ! "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    echo "Python 3.11 is required ($PYTHON is not): apt-get install python3.11 python3.11-venv, or set PYTHON=/path/to/python3.11." >&2
    exit 2
  fi
}

setup_python() {
  local flavour="$1"
  require_python
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed-$flavour"
  local lock="$ROOT/requirements/$flavour.txt"
  # The compiled Base45 decoder is built by the editable install: rebuild when its source changes.
  local extension="$ROOT/src/sanspeur/credential/_base45.c"
  if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ "$ROOT/pyproject.toml" -nt "$stamp" ] || [ "$extension" -nt "$stamp" ]; then
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$ROOT/requirements/build.txt"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes -r "$lock"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e "$ROOT"
    touch "$stamp"
  fi
  export PATH="$VENV/bin:$PATH"
}

setup_node() {
  if [ ! -d "$ROOT/node_modules" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  fi
}
