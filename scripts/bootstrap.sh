#!/usr/bin/env bash
# Create or refresh .venv with Python 3.10 and the pinned dependencies: requirements.lock (runtime)
# and requirements-dev.lock (tests, lint, evaluation). Does nothing when .venv already matches both.
# Says what it is doing: the first install downloads about 200 packages (TensorFlow among them) and
# takes several minutes; pip's full output goes to var/logs/pip-install.log.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv
STAMP="$VENV/.requirements.lock.sha256"
LOCKS=(requirements.lock requirements-dev.lock)
LOG=var/logs/pip-install.log
want=$(cat "${LOCKS[@]}" | sha256sum | cut -d' ' -f1)

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

pins() { grep -hE '^[A-Za-z0-9]' "$@" | sed 's/ .*//' | sort -u; }

# pip's output, summarised: a running count of the packages pip has looked at (one updating line on
# a terminal, a line every 25 packages in a log), then the slow unpacking step announced, errors kept.
narrate() {
  local total=$1 tty=0
  [ -t 1 ] && tty=1
  awk -v total="$total" -v tty="$tty" -v venv="$VENV" '
    /^(Collecting|Processing|Requirement already satisfied:) / {
      n++
      name = ($1 == "Requirement") ? $4 : $2
      if ($1 == "Processing") { sub(/.*\//, "", name); split(name, parts, "-"); name = parts[1] "==" parts[2] }
      if (tty) { printf "\r\033[K  [%d/%d] %s", n, total, name; fflush() }
      else if (n % 25 == 0 || n == total) { printf "  [%d/%d] %s\n", n, total, name; fflush() }
      next
    }
    /^Installing collected packages:/ {
      if (tty) printf "\r\033[K"
      unpacking = 1
      k = split(substr($0, length("Installing collected packages: ") + 1), names, ", ")
      printf "  unpacking %d new packages into %s (the longest step; about a minute)...\n", k, venv
      fflush(); next
    }
    /^Successfully installed/ { next }
    /ERROR|[Ee]rror:/ { if (tty) printf "\r\033[K"; print; fflush() }
    END { if (tty && n && !unpacking) printf "\r\033[K  [%d/%d] all present\n", n, total }
  '
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
  echo "[1/4] Creating $VENV with $PY ($("$PY" --version 2>&1))"
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
else
  echo "[1/4] Using $VENV ($("$VENV/bin/python" --version 2>&1)); the lock files changed"
fi

runtime=$(pins requirements.lock | wc -l)
total=$(pins "${LOCKS[@]}" | wc -l)
mkdir -p "$(dirname "$LOG")"
: > "$LOG"
PIP=("$VENV/bin/python" -m pip --disable-pip-version-check)
failed() {
  echo "error: $1 failed; the end of $LOG:" >&2
  tail -n 30 "$LOG" >&2
  exit 1
}

echo "[2/4] Installing pip 24.0, setuptools and wheel"
"${PIP[@]}" install --upgrade "pip==24.0" "setuptools==70.3.0" "wheel==0.45.1" >>"$LOG" 2>&1 \
  || failed "installing pip"

echo "[3/4] Installing $total packages: $runtime for the servers (requirements.lock), $((total - runtime)) more"
echo "      for tests and tooling (requirements-dev.lock). The first time takes several minutes."
started=$SECONDS
"${PIP[@]}" install --progress-bar off --no-deps -r requirements.lock -r requirements-dev.lock 2>&1 \
  | tee -a "$LOG" | narrate "$total" || failed "pip install"
echo "      done in $((SECONDS - started)) s"

echo "[4/4] Checking that the installed packages agree (pip check)"
"$VENV/bin/python" -m pip check
echo "$want" > "$STAMP"
echo "Dependencies installed."
