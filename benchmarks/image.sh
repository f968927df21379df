#!/usr/bin/env bash
# The Action image's figures (README "The image" and "Caching"): a cold build of the image (no
# layer cache; the base images already local), its size and each component's share
# (benchmarks/image_components.py, run inside it), and the example module's four targets run as
# GitHub runs the action, with empty Go caches and then with the first run's cache restored
# (tests/e2e/docker_action.sh does the builds and runs and checks them).
# Prints one JSON object; needs root and a Docker engine (started if none runs).
set -euo pipefail
cd "$(dirname "$0")/.."
times=$(mktemp)
trap 'rm -f "$times"' EXIT
bash tests/e2e/docker_action.sh --no-cache --times "$times" >&2
export E2E_ROOT=$PWD
# shellcheck source=tests/e2e/engine.sh
source tests/e2e/engine.sh
image=${GOCROSS_E2E_IMAGE:-gocross-action:e2e}
# The optional zig tag (Dockerfile.zig) on top of it: what zig adds.
# shellcheck disable=SC2046
DOCKER_BUILDKIT=1 "$DOCKER" build -q $(build_args) -f Dockerfile.zig --build-arg "BASE=$image" \
  -t "$image-zig" . >/dev/null
zig_bytes=$(( $("$DOCKER" image inspect -f '{{.Size}}' "$image-zig") - $("$DOCKER" image inspect -f '{{.Size}}' "$image") ))
components=$("$DOCKER" run --rm --network host --entrypoint /opt/gocross/venv/bin/python \
  -v "$PWD/benchmarks/image_components.py:/tmp/components.py:ro" "$image" /tmp/components.py)
python3 - "$times" "$components" "$zig_bytes" <<'PY'
import json, sys
figures = json.load(open(sys.argv[1]))
result = {
    "image_mb": round(figures["size_bytes"] / 1e6),
    "cold_build_s": figures["build_s"],
    "example_cold_run_s": round(figures["cold_s"], 1),
    "example_warm_run_s": round(figures["warm_s"], 1),
    "warm_over_cold": round(figures["warm_s"] / figures["cold_s"], 2),
    "components_mb": {name: round(size / 1e6) for name, size in json.loads(sys.argv[2]).items()},
    "zig_tag_adds_mb": round(int(sys.argv[3]) / 1e6),
}
print(json.dumps(result, indent=1))
PY
