#!/usr/bin/env bash
# Re-vendor Swagger UI (served at /docs) from the npm registry, pinned; no CDN at run time.
# Usage: scripts/vendor-swagger.sh [VERSION]   (default: the version in VERSIONS)
set -euo pipefail
DEST="$(cd "$(dirname "$0")/.." && pwd)/src/loan401k/web/static/vendor/swagger"
VERSION="${1:-$(awk '/^swagger-ui-dist /{print $2}' "$DEST/VERSIONS")}"
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT
(cd "$WORK" && npm pack --silent "swagger-ui-dist@$VERSION" >/dev/null && tar xzf swagger-ui-dist-*.tgz)
cp "$WORK/package/swagger-ui-bundle.js" "$WORK/package/swagger-ui.css" "$DEST/"
cp "$WORK/package/LICENSE" "$DEST/LICENSE.swagger-ui"
{
  echo "# Vendored from the npm registry by scripts/vendor-swagger.sh; served at /docs."
  echo "swagger-ui-dist $VERSION"
  (cd "$DEST" && sha256sum swagger-ui-bundle.js swagger-ui.css LICENSE.swagger-ui)
} >"$DEST/VERSIONS"
echo "vendored swagger-ui-dist $VERSION into $DEST"
