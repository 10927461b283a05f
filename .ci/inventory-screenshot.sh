#!/usr/bin/env bash
# The inventory's HTML page, rendered by headless Chromium (Debian's package): a
# generated tree with keys of several vendors, the page built by the release binary,
# a screenshot, and a stdlib-only Python check that the chart's bar colours and the
# table's header band are on it (not a blank or broken page). Needs root for apt-get
# when Chromium is missing; cargo tests never depend on it.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${PLAINSIGHT_BIN:-$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/plainsight}
[ -x "$bin" ] || cargo build --locked --release
if ! command -v chromium >/dev/null 2>&1; then
  apt-get install -y chromium >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
mkdir -p "$tree/ai" "$tree/config" "$tree/web"
# Keys assembled from variables at run time so this script holds none (plainsight joins
# adjacent string literals, so "a""b" would not do).
sk=sk-
mark=T3Blbk
openai="${sk}proj-c0X0AWIRh-JUqBlIFXZ53Ncqe28_ajY75FnCttn6kfaqDeMqG3omjMyXHCabM6JOF8EFd0Nhcy${mark}FJ-1kGD2VD-eR1UYzaLiA-zNyD7CHLn-xC_1hsYgBds1ghxY5OokvQyx7eNWVQ4vnakJkS1pAWTN"
ant=ant-api03
anthropic="${sk}${ant}-SGuPJ6sG9AHEOVezxZuJPWvHogU5nGYVHWVsUQk4DwgLGNOaeCtL31Ugq_DfcgaTMnTC0MrAU8urbFt5misIZHbhS4-FvAA"
printf 'from openai import OpenAI\nimport anthropic\nOPENAI_API_KEY="%s"\nANTHROPIC_API_KEY="%s"\n' "$openai" "$anthropic" > "$tree/ai/chat.py"
printf 'MIXPANEL_SERVICE_ACCOUNT_SECRET=%s\nAWS_ACCESS_KEY_ID=%s\nAWS_SECRET_ACCESS_KEY=%s\n' \
  "FqgCPSjQkwLt73QE""rOdvLO4eoKykfjXC" "AK""IAOM7WBBR6QMW4WXFO" "3QlY7Zkuvqdt7s8St""qcbnr3yBdGBLEPH1qhT61qt" > "$tree/config/.env"
printf 'mixpanel.init("%s");\nanalytics.load("%s");\nSentry.init({ dsn: "https://%s@o44.ingest.sentry.io/5123" })\n' \
  "b5439a148f6f4fa5""11e3b206fc1f62c6" "JSwN7yrGPjo2UOYP""6FbuFWEPyshW8Ojl" "4ceb4c761fc4ad95""3661e40af29f2a72" > "$tree/web/analytics.js"
page="$work/inventory.html"
"$bin" inventory "$tree" --format html --output "$page"
shot=${INVENTORY_SCREENSHOT:-$work/inventory.png}
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$(mktemp -d -p "$work")" --hide-scrollbars \
  --screenshot="$shot" --window-size=1280,1400 "file://$page" >/dev/null 2>&1
python3 .ci/png-check.py "$shot"
echo "inventory screenshot: ok ($shot)"
