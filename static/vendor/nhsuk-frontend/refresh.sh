#!/usr/bin/env bash
# Refresh SHaRON's copy of the NHS.UK frontend from the npm registry (never a CDN):
#   bash static/vendor/nhsuk-frontend/refresh.sh [VERSION]
# It compiles sharon-nhsuk.scss with Dart Sass, copies the package's JavaScript, icons and
# licence, and records the version in VERSION. Needs Node.js and npm; the app does not.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${1:-$(cat "$here/VERSION")}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "nhsuk-frontend@$version" "sass@1"
dist="node_modules/nhsuk-frontend/dist/nhsuk"
npx --no-install sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import \
  --load-path=node_modules "$here/sharon-nhsuk.scss" "$here/nhsuk-frontend.min.css"
# Without the source-map comment: the map is not shipped.
sed 's|//# sourceMappingURL=[^ ]*||' "$dist/nhsuk-frontend.min.js" > "$here/nhsuk-frontend.min.js"
rm -rf "$here/assets" && mkdir -p "$here/assets/images"
cp -r "$dist/assets/images/." "$here/assets/images/"
rm -f "$here/assets/images/nhsuk-opengraph-image.png"  # needs an absolute URL; unused
node -e 'const p=require("./node_modules/nhsuk-frontend/package.json"); console.log(p.version)' > "$here/VERSION"
if grep -q "https://" "$here/nhsuk-frontend.min.css"; then
  echo "refresh.sh: the compiled CSS still names a remote address; check sharon-nhsuk.scss" >&2
  exit 1
fi
echo "nhsuk-frontend $(cat "$here/VERSION") is in $here"
