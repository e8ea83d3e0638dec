#!/usr/bin/env bash
# Install the Debian packages loan401k needs, only those missing.
#   scripts/system-deps.sh run    what the server needs (the PDF report: pango, harfbuzz, a font)
#   scripts/system-deps.sh test   that, plus what the tests drive: Chromium, PostgreSQL, poppler
# Runs as root on the project's machines; with sudo where it exists otherwise.
set -euo pipefail
what=${1:-test}
need=()
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [[ $what == test ]]; then
  # PostgreSQL server binaries for tests/store (the fixture runs its own initdb/pg_ctl).
  pg_bins=(/usr/lib/postgresql/*/bin/initdb)
  [[ -x ${pg_bins[0]} ]] || need+=(postgresql)
  # browser tests drive Debian's Chromium; pdfinfo (poppler-utils) counts the report's pages
  command -v chromium >/dev/null || need+=(chromium)
  packages+=(poppler-utils)
fi
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
