#!/usr/bin/env bash
# Install the pinned front-end packages and compile the CSS; skips what is up to date.
# Run from anywhere: it works relative to the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "build-assets: $*" >&2; exit 1; }

command -v npm >/dev/null || fail "npm not found: install Node.js 20 or later"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error || fail "npm ci failed"
fi

mkdir -p static/dist
if [ ! -f static/dist/app.css ] || [ -n "$(find assets/scss package-lock.json -newer static/dist/app.css -print -quit)" ]; then
  node_modules/.bin/sass --style=compressed --no-source-map --quiet-deps \
    --load-path=node_modules assets/scss/app.scss static/dist/app.css \
    || { rm -f static/dist/app.css; fail "Sass compilation of assets/scss/app.scss failed"; }
fi
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/dist/govuk-frontend.min.js \
  || fail "could not copy govuk-frontend.min.js"
rm -rf static/dist/assets
cp -r node_modules/govuk-frontend/dist/govuk/assets static/dist/assets \
  || fail "could not copy GOV.UK Frontend assets"
