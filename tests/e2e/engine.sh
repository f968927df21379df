#!/usr/bin/env bash
# Shared by tests/e2e/*.sh and benchmarks/image.sh (sourced): a running Docker engine, and a local
# stand-in for the Dockerfile's base image when the registry that serves it cannot be reached.
#
# ensure_engine     docker info answers; else installs Debian's docker.io (when missing) and starts
#                   dockerd in the background (stopped again at exit by stop_engine, by its pid).
# ensure_base_image the Dockerfile's first FROM image exists locally; else builds a stand-in:
#                   debootstrap of Debian bookworm with the packages the official golang:*-bookworm
#                   image has, plus Go's own distribution (the golang.org/toolchain module of the
#                   FROM line's version) laid out as that image does (GOROOT /usr/local/go,
#                   GOPATH /go), trusting this machine's CA bundle, tagged with the FROM name.
# Both cache what they download under .cache/e2e (gitignored), so a second run is fast.

E2E_ROOT=${E2E_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
E2E_CACHE=${E2E_CACHE:-$E2E_ROOT/.cache/e2e}
E2E_STARTED_DOCKERD=""
# /usr/bin/docker is Debian's client, matched to its engine (BuildKit works without buildx).
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi

e2e_log() { printf '[e2e %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

ensure_engine() {
  if "$DOCKER" info >/dev/null 2>&1; then return 0; fi
  if ! command -v dockerd >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
      echo "no Docker engine: dockerd is not installed and installing docker.io needs root" >&2
      return 1
    fi
    e2e_log "installing docker.io"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends docker.io >/dev/null || { echo "apt-get install docker.io failed" >&2; return 1; }
    [ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "no Docker engine runs, and starting dockerd needs root" >&2
    return 1
  fi
  mkdir -p "$E2E_CACHE"
  e2e_log "starting dockerd (log: $E2E_CACHE/dockerd.log)"
  # Builds and containers use the host's network only: no bridge, no iptables rules.
  dockerd --bridge=none --iptables=false --ip6tables=false >"$E2E_CACHE/dockerd.log" 2>&1 &
  E2E_STARTED_DOCKERD=$!
  for _ in $(seq 1 60); do
    if "$DOCKER" info >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$E2E_STARTED_DOCKERD" 2>/dev/null; then break; fi
    sleep 1
  done
  echo "dockerd did not start; the end of its log:" >&2
  tail -n 5 "$E2E_CACHE/dockerd.log" >&2
  stop_engine
  return 1
}

stop_engine() {
  if [ -n "$E2E_STARTED_DOCKERD" ]; then
    kill "$E2E_STARTED_DOCKERD" 2>/dev/null || true
    wait "$E2E_STARTED_DOCKERD" 2>/dev/null || true
    E2E_STARTED_DOCKERD=""
  fi
}

# The build arguments every docker build here gets: the host network, and the proxy if any.
build_args() {
  local name
  printf '%s\n' --network host
  for name in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy; do
    if [ -n "${!name:-}" ]; then printf '%s\n' --build-arg "$name"; fi
  done
}

base_image_name() { awk 'toupper($1) == "FROM" { print $2; exit }' "$E2E_ROOT/Dockerfile"; }

ensure_base_image() {
  local base version tag_go packages rootfs key ctx gomod dir
  base=$(base_image_name)
  if "$DOCKER" image inspect "$base" >/dev/null 2>&1; then return 0; fi
  # golang:1.26.8-bookworm -> 1.26.8
  version=$(sed -E 's/^golang:([0-9.]+)-bookworm$/\1/' <<<"$base")
  if [ "$version" = "$base" ]; then
    echo "the base image $base is not golang:<version>-bookworm: no stand-in can be built" >&2
    return 1
  fi
  e2e_log "building a stand-in for $base"
  # buildpack-deps:bookworm-curl, then -scm, then what the golang image adds.
  packages=ca-certificates,curl,gnupg,netbase,sq,wget,git,mercurial,openssh-client,subversion,procps
  packages=$packages,g++,gcc,libc6-dev,make,pkg-config
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  mirror=${mirror:-http://deb.debian.org/debian}
  key=$(printf '%s %s' "$packages" "$mirror" | sha256sum | cut -c1-12)
  rootfs=$E2E_CACHE/bookworm-$key.tar
  mkdir -p "$E2E_CACHE"
  if [ ! -s "$rootfs" ]; then
    command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends debootstrap >/dev/null
    dir=$(mktemp -d "$E2E_CACHE/rootfs.XXXXXX")
    e2e_log "debootstrap bookworm from $mirror (cached as $rootfs)"
    debootstrap --variant=minbase --include="$packages" bookworm "$dir" "$mirror" >"$E2E_CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$E2E_CACHE/debootstrap.log" >&2; rm -rf "$dir"; return 1; }
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" --numeric-owner -cf "$rootfs.tmp" . && mv "$rootfs.tmp" "$rootfs"
    rm -rf "$dir"
  fi
  gomod=$E2E_CACHE/gomod
  tag_go=$(GOMODCACHE=$gomod GOFLAGS=-modcacherw GOTOOLCHAIN=local \
    go mod download -json "golang.org/toolchain@v0.0.1-go$version.linux-amd64" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["Dir"])')
  ctx=$(mktemp -d)
  ln "$rootfs" "$ctx/rootfs.tar" 2>/dev/null || cp "$rootfs" "$ctx/rootfs.tar"
  cp -a "$tag_go" "$ctx/go"
  mkdir -p "$ctx/ca"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca/bundle.crt"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
COPY go /usr/local/go
COPY ca/ /usr/local/share/ca-certificates/
# This machine's CA bundle, for TLS to the package registries inside docker build.
RUN mv /usr/local/share/ca-certificates/bundle.crt /etc/ssl/certs/machine-bundle.crt \
 && update-ca-certificates >/dev/null 2>&1; cat /etc/ssl/certs/machine-bundle.crt >>/etc/ssl/certs/ca-certificates.crt \
 && mkdir -p /go/bin /go/src && chmod -R 1777 /go
ENV GOLANG_VERSION=$version GOTOOLCHAIN=local GOPATH=/go \
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/certs/machine-bundle.crt PIP_CERT=/etc/ssl/certs/machine-bundle.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/machine-bundle.crt
LABEL org.gocross.e2e.stand-in="debootstrap bookworm + golang.org/toolchain go$version"
WORKDIR /go
DOCKERFILE
  # shellcheck disable=SC2046
  "$DOCKER" build -q $(build_args) -t "$base" "$ctx" >/dev/null || { rm -rf "$ctx"; return 1; }
  rm -rf "$ctx"
  e2e_log "stand-in $base: $("$DOCKER" image inspect -f '{{.Size}}' "$base") bytes"
}
