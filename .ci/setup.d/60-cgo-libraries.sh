#!/usr/bin/env bash
# The real cgo libraries' fixture modules in the module cache (go.mod/go.sum pin them), and zig
# (PyPI's ziglang) in .cache/gocross for --verify-fixes to link against an older glibc. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
for module in tests/integration/fixtures/cgolib-*; do
  (cd "$module" && GOFLAGS=-mod=mod go mod download) || echo "warning: modules of $module not downloaded"
done
zig_dir=.cache/gocross/ziglang
if [ ! -x "$zig_dir/ziglang/zig" ]; then
  python3 -m pip install --quiet --disable-pip-version-check --target "$zig_dir" ziglang
fi
