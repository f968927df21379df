#!/usr/bin/env bash
# A Docker engine and debootstrap for the end-to-end test of the Action image
# (tests/e2e/docker_action.sh, which .ci/run starts after this setup and which starts dockerd
# itself). Debian's docker.io; nothing when dockerd is already installed. Never fails the setup:
# without an engine the end-to-end test is skipped, and says why.
set -uo pipefail
wanted=()
command -v dockerd >/dev/null 2>&1 || wanted+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || wanted+=(debootstrap)
if [ ${#wanted[@]} -eq 0 ]; then
  echo "docker engine: dockerd and debootstrap are installed"
  exit 0
fi
if apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null; then
  echo "docker engine: installed ${wanted[*]}"
else
  echo "docker engine: apt-get install ${wanted[*]} failed; the end-to-end test will be skipped" >&2
fi
exit 0
