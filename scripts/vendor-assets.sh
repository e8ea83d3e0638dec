#!/usr/bin/env bash
# Re-vendor the front-end files the project serves or tests with, from the npm registry.
# Each line below is pinned: `npm pack NAME@VERSION`, copy the one dist file, record its
# version and sha256 in src/loan401k/web/static/vendor/VERSIONS. No CDN, no node_modules.
#
# The page itself draws its charts as hand-written SVG (app.js, CSP-friendly), so the only
# vendored file today is axe-core, used by the browser tests' accessibility check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
versions="$root/src/loan401k/web/static/vendor/VERSIONS"
# name            version  file inside the package   destination (relative to the repo)
assets=(
  "axe-core       4.10.3   package/axe.min.js        tests/web/vendor/axe.min.js"
)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$versions")"
{
  echo "# Vendored front-end files: name version destination sha256 (scripts/vendor-assets.sh)"
  for line in "${assets[@]}"; do
    read -r name version file dest <<<"$line"
    (cd "$work" && npm pack --silent "$name@$version" >/dev/null)
    tarball=$(ls "$work"/"${name//\//-}"-"$version".tgz)
    mkdir -p "$work/$name" "$root/$(dirname "$dest")"
    tar -xzf "$tarball" -C "$work/$name"
    cp "$work/$name/$file" "$root/$dest"
    sum=$(sha256sum "$root/$dest" | cut -d' ' -f1)
    echo "$name $version $dest $sum"
  done
} > "$versions.tmp"
mv "$versions.tmp" "$versions"
cat "$versions"
