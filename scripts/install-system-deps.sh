#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (WeasyPrint's Pango, fonts; the PostgreSQL server that
# tests/knowledge/test_kb_postgres.py starts privately: initdb/pg_ctl, run as the package's `postgres` user;
# chromium, which the report screenshot tests and the web browser tests drive headless through Playwright).
# Idempotent: does nothing when everything is present; needs root (as CI is) otherwise.
set -euo pipefail
# `runtime` (make run): what the reports need; default (make test): that plus the test services.
runtime=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-all}" = "runtime" ]; then wanted=("${runtime[@]}"); else wanted=("${runtime[@]}" postgresql chromium); fi
need=()
for pkg in "${wanted[@]}"; do
  # "installed", not merely known to dpkg (a removed package keeps a config-files entry)
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${need[*]} (run as root or install them)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}"
