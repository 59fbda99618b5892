#!/usr/bin/env bash
# Installs what MediaGate's build, demo and tests need on a Debian machine, only where missing:
# Debian's Chromium and Firefox ESR (the browsers the tests drive), Xvfb, PulseAudio (a file as Firefox's
# microphone in the tests), and the npm packages.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Node.js that package.json's engines names (every dependency's engines accept it).
if ! node -e 'const m = />=\s*(\d+)\.(\d+)/.exec(require("./package.json").engines.node); const [a, b] = process.versions.node.split(".").map(Number);
  process.exit(a > +m[1] || (a === +m[1] && b >= +m[2]) ? 0 : 1)'; then
  echo "setup: MediaGate needs Node.js $(node -p 'require("./package.json").engines.node') (this is $(node -v))" >&2
  exit 1
fi

need=()
command -v "${CHROME_PATH:-chromium}" >/dev/null 2>&1 || need+=(chromium)
command -v "${FIREFOX_PATH:-firefox-esr}" >/dev/null 2>&1 || need+=(firefox-esr)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb)
# A private PulseAudio server plays a speech recording as Firefox's microphone in the tests.
command -v pulseaudio >/dev/null 2>&1 || need+=(pulseaudio)
command -v paplay >/dev/null 2>&1 || need+=(pulseaudio-utils)
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
