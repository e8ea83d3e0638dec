#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only those missing.
# Runs as root on the project's machines; with sudo where it exists otherwise.
set -euo pipefail
need=()
# (filled in as faces that need system packages land: chromium, postgresql, pango)
if ((${#need[@]})); then
  SUDO=""; [[ $(id -u) -ne 0 ]] && command -v sudo >/dev/null && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
