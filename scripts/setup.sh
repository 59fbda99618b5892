#!/usr/bin/env bash
# Installs what MediaGate's build, demo and tests need on a Debian machine, only where missing:
# Debian's Chromium and Firefox ESR (the browsers the tests drive), Xvfb, and the npm packages.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v "${CHROME_PATH:-chromium}" >/dev/null 2>&1 || need+=(chromium)
command -v "${FIREFOX_PATH:-firefox-esr}" >/dev/null 2>&1 || need+=(firefox-esr)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${need[*]} (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
  else
    echo "setup: missing ${need[*]}. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)"
  PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund
fi
