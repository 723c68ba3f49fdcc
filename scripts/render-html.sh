#!/usr/bin/env bash
# Render the HTML picture of a counterexample in headless Chromium (Debian: apt-get install -y chromium)
# and check that the PNG is not empty; say whether the page marks a boundary and a violating block
# (a counterexample whose zone was never ACTIVE draws no boundary, and that is not an error).
# Usage: scripts/render-html.sh [COUNTEREXAMPLE.json] [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
file="${1:-$root/regressions/v1-expand-made-raw-blocks-never-request-a-pass.json}"
out="${2:-$root/TestResults/render}"
mkdir -p "$out"
name="$(basename "$file" .json)"
html="$out/$name.html"
png="$out/$name.png"

dotnet run --project "$root/src/Cli" -- show "$file" --html "$html" > "$out/$name.txt"
grep -q 'class="boundary"' "$html" || echo "render-html: note: $html draws no boundary (no zone was ACTIVE at a drawn step)" >&2
grep -q 'violation"' "$html" || echo "render-html: note: $html marks no violating block" >&2

chromium="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$chromium" ]; then
  echo "render-html: chromium is not installed (apt-get install -y chromium); HTML written to $html" >&2
  exit 2
fi
"$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$out/profile" \
  --window-size=1300,2600 --screenshot="$png" "file://$html" 2>/dev/null
size=$(stat -c %s "$png")
if [ "$size" -lt 20000 ]; then
  echo "render-html: $png is only $size bytes" >&2
  exit 1
fi
echo "render-html: $html -> $png ($size bytes)"
