#!/usr/bin/env bash
# Install the system packages the browser tests need (Debian's chromium), when missing.
# Runs as part of `make test`. Without root or apt-get it explains what to install instead; the
# browser tests then skip on a laptop (and fail under CI=true, where they are required).
set -euo pipefail

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages for the browser tests: ${need[*]} (apt-get, about a minute)..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  echo "Installed: ${need[*]}"
else
  echo "note: the browser tests need Debian's chromium; install it with: sudo apt-get install chromium" >&2
fi
