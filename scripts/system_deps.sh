#!/usr/bin/env bash
# Install system programs the project needs from Debian's packages, when they are missing:
#   scripts/system_deps.sh npm        the chat widget's browser dependencies (make web)
#   scripts/system_deps.sh chromium   the headless browser tests (make test)
# As root with apt-get it installs them; otherwise it says what to install and exits non-zero for
# npm (the widget cannot be set up without it) but zero for chromium (those tests then skip on a
# laptop, and fail under CI=true, where they are required).
set -euo pipefail

missing=()
for program in "$@"; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]} (apt-get, about a minute)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "Installed: ${missing[*]}"
  exit 0
fi

echo "note: missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}" >&2
for program in "${missing[@]}"; do
  [ "$program" = "chromium" ] || exit 1
done
