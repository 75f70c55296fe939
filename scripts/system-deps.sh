#!/usr/bin/env bash
# Installs what the test suite needs beyond Python packages, if missing:
# Debian's chromium (browser journeys), postgresql (storage tests), poppler-utils (PDF pages),
# and axe-core from the npm registry (accessibility checks, pinned by tests/e2e/package-lock.json).
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# WeasyPrint (PDF reports) needs Pango; without HarfBuzz-Subset it warns, and the suite treats warnings as errors.
dpkg -s libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
command -v pdftotext >/dev/null || need+=(poppler-utils)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
command -v runuser >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]} - install them with: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "installing Debian packages: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ ! -f tests/e2e/node_modules/axe-core/axe.min.js ]; then
  npm ci --prefix tests/e2e --silent --no-audit --no-fund
fi
