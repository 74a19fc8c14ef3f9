#!/usr/bin/env bash
# Makes the README's screenshots of the report: Pohjois-Karjala's report on
# its sample data, opened in headless Chromium at a desktop width and at a
# phone width. Run from the repository's root after `swift build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "Chromium is not installed (apt-get install -y chromium): no screenshots made." >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.build/debug/linja report rules/pohjois-karjala --out "$tmp/report.html" > /dev/null
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1500 \
  --screenshot=docs/screenshots/report-desktop.png "$tmp/report.html" 2> /dev/null
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=375,1400 \
  --screenshot=docs/screenshots/report-phone.png "$tmp/report.html" 2> /dev/null
echo "wrote docs/screenshots/report-desktop.png and docs/screenshots/report-phone.png"
