#!/usr/bin/env bash
# SARIF validation tools for tests/unit/test_sarif*.py, cached under .cache/sarif (gitignored):
# - Microsoft's SARIF multitool (npm @microsoft/sarif-multitool + its linux binary package),
#   run by the tests as `sarif-multitool validate --rule-kind "Gh;Sarif"`;
# - the SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5.json), taken from the npm package
#   @microsoft/jest-sarif, which ships it; only that one file is extracted.
# Idempotent: does nothing when both are already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=.cache/sarif
multitool_version=5.7.0
jest_sarif_version=1.0.0-beta.0
mkdir -p "$dir"

if [ ! -x "$dir/node_modules/.bin/sarif-multitool" ]; then
  [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
  npm install --silent --no-audit --no-fund --prefix "$dir" "@microsoft/sarif-multitool@$multitool_version"
fi

if [ ! -s "$dir/sarif-schema-2.1.0.json" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "@microsoft/jest-sarif@$jest_sarif_version" >/dev/null)
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/schemas/sarif-2.1.0-rtm.5.json
  mv "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" "$dir/sarif-schema-2.1.0.json"
  rm -rf "$tmp"
fi

# The multitool is a self-contained .NET program: check that it starts on this machine.
if ! "$dir/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool" --version >/dev/null 2>&1; then
  echo "sarif-multitool does not start on this machine" >&2
  exit 1
fi
echo "sarif-multitool $multitool_version and the SARIF 2.1.0 schema are in $dir"
