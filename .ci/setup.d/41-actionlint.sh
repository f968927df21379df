#!/usr/bin/env bash
# actionlint, to lint action.yml's workflows (tests/integration/test_action_metadata.py).
# Built from the Go module proxy into a cached GOBIN under .cache/ (gitignored); idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=v1.7.12
bin=.cache/tools/actionlint-$version
[ -x "$bin/actionlint" ] && exit 0
mkdir -p "$bin"
GOBIN="$PWD/$bin" GOFLAGS=-mod=mod go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
echo "actionlint $version -> $bin"
