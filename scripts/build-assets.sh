#!/usr/bin/env bash
# Install the pinned front-end packages and compile the CSS; skips what is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p static/dist
if [ ! -f static/dist/app.css ] || [ -n "$(find assets/scss package-lock.json -newer static/dist/app.css -print -quit)" ]; then
  node_modules/.bin/sass --style=compressed --no-source-map --quiet-deps \
    --load-path=node_modules assets/scss/app.scss static/dist/app.css
fi
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/dist/govuk-frontend.min.js
rm -rf static/dist/assets
cp -r node_modules/govuk-frontend/dist/govuk/assets static/dist/assets
