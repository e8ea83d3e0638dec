#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those missing.
# Runs as root on the project's machines; with sudo where it exists otherwise.
set -euo pipefail
need=()
# (filled in as faces that need system packages land: chromium, postgresql, pango)
# PostgreSQL server binaries for tests/store (the fixture runs its own initdb/pg_ctl).
pg_bins=(/usr/lib/postgresql/*/bin/initdb)
[[ -x ${pg_bins[0]} ]] || need+=(postgresql)
# browser tests drive Debian's Chromium; the PDF report needs pango, harfbuzz and a font;
# pdfinfo (poppler-utils) counts the report's pages
command -v chromium >/dev/null || need+=(chromium)
for pkg in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
