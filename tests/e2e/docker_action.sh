#!/usr/bin/env bash
# End-to-end: the Action as GitHub runs it. Starts a Docker engine if none runs (Debian's docker.io),
# builds the image from the unchanged Dockerfile (over a local stand-in for its base image when the
# registry is out of reach: tests/e2e/engine.sh), checks its size and that it installs exactly
# requirements/image.txt, then runs it twice with the runner's mounts, env and uid-1001 workspace
# (tests/e2e/run_action.py: cold caches, then restored ones) and checks outputs, summary, check
# run, artifact, ownership, relative paths and VCS stamping. Prints the image size, the build time
# and the cold and warm run times.
#
# Exit codes: 0 passed, 1 a check failed, 77 skipped (no Docker engine can be started here; why is
# printed). Options: --no-cache builds the image without the layer cache (a cold build);
# --times FILE writes {"build_s", "size_bytes", "cold_s", "warm_s"} as JSON.
set -euo pipefail
cd "$(dirname "$0")/../.."
export E2E_ROOT=$PWD
# shellcheck source=tests/e2e/engine.sh
source tests/e2e/engine.sh
MAX_IMAGE_BYTES=$((1200 * 1000 * 1000))
IMAGE=${GOCROSS_E2E_IMAGE:-gocross-action:e2e}

no_cache=() times_file=""
while [ $# -gt 0 ]; do
  case $1 in
    --no-cache) no_cache=(--no-cache) ;;
    --times) times_file=$2; shift ;;
    *) echo "usage: $0 [--no-cache] [--times FILE]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(id -u)" != 0 ]; then
  echo "e2e: SKIPPED: needs root (the workspace is handed to uid 1001, as a runner's checkout is)" >&2
  exit 77
fi
trap stop_engine EXIT
mkdir -p "$E2E_CACHE"
if ! ensure_engine 2>"$E2E_CACHE/engine.err"; then
  echo "e2e: SKIPPED: no Docker engine can be started here: $(tr '\n' ' ' <"$E2E_CACHE/engine.err")" >&2
  exit 77
fi
cat "$E2E_CACHE/engine.err" >&2
export DOCKER
ensure_base_images

e2e_log "docker build -t $IMAGE . (the repository's Dockerfile)"
started=$(date +%s.%N)
# shellcheck disable=SC2046
DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-1} "$DOCKER" build $(build_args) "${no_cache[@]}" -t "$IMAGE" . \
  >"$E2E_CACHE/build.log" 2>&1 || { tail -n 40 "$E2E_CACHE/build.log" >&2; exit 1; }
build_s=$(python3 -c "import sys; print(round($(date +%s.%N) - $started, 1))")
size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
e2e_log "image $IMAGE: $size bytes ($(( size / 1000000 )) MB), built in ${build_s}s"
if [ "$size" -gt "$MAX_IMAGE_BYTES" ]; then
  echo "e2e: FAILED: the image is $size bytes, over $MAX_IMAGE_BYTES" >&2
  exit 1
fi

runs=$(mktemp)
DOCKER=$DOCKER PYTHONPATH=$PWD python3 -m tests.e2e.run_action --image "$IMAGE" --times "$runs"
if [ -n "$times_file" ]; then
  python3 - "$runs" "$times_file" "$build_s" "$size" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
json.dump({"build_s": float(sys.argv[3]), "size_bytes": int(sys.argv[4]), **runs}, open(sys.argv[2], "w"))
PY
fi
rm -f "$runs"
