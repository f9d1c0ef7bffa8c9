#!/usr/bin/env bash
# Create or refresh .venv with Python 3.10 and the pinned dependencies in requirements.lock.
# Does nothing when .venv already matches the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.requirements.lock.sha256"
want=$(sha256sum requirements.lock | cut -d' ' -f1)

is_py310() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
  local candidates=("${PYTHON:-}" python3.10)
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  candidates+=("$root"/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10 python3)
  for c in "${candidates[@]}"; do
    if is_py310 "$c"; then command -v "$c"; return 0; fi
  done
  return 1
}

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && is_py310 "$VENV/bin/python"; then
  exit 0
fi

if ! is_py310 "$VENV/bin/python"; then
  if ! PY=$(find_python); then
    cat >&2 <<'MSG'
error: Python 3.10 is required (Rasa 3.6 supports Python 3.8-3.10) and none was found.
Install it with one of:
  pyenv install 3.10.13                     (then run make again)
  apt-get install python3.10 python3.10-venv
or point PYTHON at a Python 3.10 interpreter:  make run PYTHON=/path/to/python3.10
MSG
    exit 1
  fi
  echo "Creating $VENV with $PY ($("$PY" --version 2>&1))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
fi

echo "Installing pinned dependencies from requirements.lock (first time: a few minutes)..."
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0" "setuptools==70.3.0" "wheel==0.45.1"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
"$VENV/bin/python" -m pip check
echo "$want" > "$STAMP"
echo "Dependencies installed."
