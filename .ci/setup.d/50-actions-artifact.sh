#!/usr/bin/env bash
# The real @actions/artifact npm client, pinned by tests/node/package-lock.json, for the artifact
# interop tests (tests/integration/test_artifacts_interop.py). Installed into .cache/node-artifact
# (gitignored); skipped when the lockfile has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/node-artifact
stamp="$dest/.lock-sha256"
want=$(sha256sum tests/node/package.json tests/node/package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -d "$dest/node_modules/@actions/artifact" ]; then
  echo "@actions/artifact: up to date in $dest"
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "npm is missing: the machine image provides Node 20 and npm" >&2
  exit 1
fi
mkdir -p "$dest"
cp tests/node/package.json tests/node/package-lock.json "$dest/"
(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
echo "$want" > "$stamp"
echo "@actions/artifact: installed $(node -p "require('./$dest/node_modules/@actions/artifact/package.json').version") in $dest"
