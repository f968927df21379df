#!/usr/bin/env bash
# Shared by tests/e2e/*.sh and benchmarks/image.sh (sourced): a running Docker engine, and a local
# stand-in for the Dockerfile's base image when the registry that serves it cannot be reached.
#
# ensure_engine     docker info answers; else installs Debian's docker.io (when missing) and starts
#                   dockerd in the background (stopped again at exit by stop_engine, by its pid).
# ensure_base_images every image the Dockerfile's FROM lines name exists locally; else builds a
#                   stand-in, tagged with that name and trusting this machine's CA bundle:
#                   golang:<v>-bookworm is a debootstrap of Debian bookworm with the packages the
#                   official image has plus Go's own distribution (the golang.org/toolchain module
#                   of that version) laid out as that image does (GOROOT /usr/local/go, GOPATH /go);
#                   debian:12.N-slim is a minbase debootstrap without documentation.
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

# The images the Dockerfile's FROM lines name (stage names excluded), one a line.
base_image_names() {
  awk 'toupper($1) == "FROM" { if (!($2 in stage)) print $2; if (toupper($3) == "AS") stage[$4] = 1 }' \
    "$E2E_ROOT/Dockerfile" | sort -u
}

# debootstrap of Debian bookworm with extra packages (comma-separated, may be empty), cached as a
# tarball; prints its path.
bookworm_rootfs() {
  local packages=$1 mirror key rootfs dir include=()
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
  mirror=${mirror:-http://deb.debian.org/debian}
  key=$(printf '%s %s' "$packages" "$mirror" | sha256sum | cut -c1-12)
  rootfs=$E2E_CACHE/bookworm-$key.tar
  if [ ! -s "$rootfs" ]; then
    command -v debootstrap >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends debootstrap >/dev/null
    dir=$(mktemp -d "$E2E_CACHE/rootfs.XXXXXX")
    [ -n "$packages" ] && include=(--include="$packages")
    e2e_log "debootstrap bookworm ${packages:+with $packages }from $mirror (cached as $rootfs)"
    debootstrap --variant=minbase "${include[@]}" bookworm "$dir" "$mirror" >"$E2E_CACHE/debootstrap.log" 2>&1 \
      || { tail -n 20 "$E2E_CACHE/debootstrap.log" >&2; rm -rf "$dir"; return 1; }
    # As Debian's docker images: no package cache kept, no lists.
    printf '%s\n' 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };' \
      'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb || true"; };' \
      'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' >"$dir/etc/apt/apt.conf.d/docker-clean"
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" --numeric-owner -cf "$rootfs.tmp" . && mv "$rootfs.tmp" "$rootfs"
    rm -rf "$dir"
  fi
  printf '%s\n' "$rootfs"
}

# A build context with the rootfs and this machine's CA bundle, and the Dockerfile's head.
standin_context() {
  local ctx=$1 rootfs=$2
  ln "$rootfs" "$ctx/rootfs.tar" 2>/dev/null || cp "$rootfs" "$ctx/rootfs.tar"
  mkdir -p "$ctx/ca"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/" 2>/dev/null || true
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/machine-bundle.crt"
  cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
ADD rootfs.tar /
# This machine's CA bundle, for TLS to the package registries inside docker build.
COPY ca/ /usr/local/share/ca-certificates/
COPY machine-bundle.crt /etc/ssl/certs/machine-bundle.crt
ENV SSL_CERT_FILE=/etc/ssl/certs/machine-bundle.crt PIP_CERT=/etc/ssl/certs/machine-bundle.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/certs/machine-bundle.crt
DOCKERFILE
}

standin_build() {
  local ctx=$1 name=$2
  # shellcheck disable=SC2046
  "$DOCKER" build -q $(build_args) -t "$name" "$ctx" >/dev/null || { rm -rf "$ctx"; return 1; }
  rm -rf "$ctx"
  e2e_log "stand-in $name: $("$DOCKER" image inspect -f '{{.Size}}' "$name") bytes"
}

# golang:<version>-bookworm: buildpack-deps:bookworm-scm's packages and what the golang image adds,
# then Go's own distribution (the golang.org/toolchain module) as GOROOT /usr/local/go.
standin_golang() {
  local name=$1 version rootfs goroot ctx packages
  version=$(sed -E 's/^golang:([0-9.]+)-bookworm$/\1/' <<<"$name")
  packages=ca-certificates,curl,gnupg,netbase,sq,wget,git,mercurial,openssh-client,subversion,procps
  packages=$packages,g++,gcc,libc6-dev,make,pkg-config
  rootfs=$(bookworm_rootfs "$packages") || return 1
  goroot=$(GOMODCACHE=$E2E_CACHE/gomod GOFLAGS=-modcacherw GOTOOLCHAIN=local \
    go mod download -json "golang.org/toolchain@v0.0.1-go$version.linux-amd64" | python3 -c \
    'import json, sys; print(json.load(sys.stdin)["Dir"])') || return 1
  ctx=$(mktemp -d)
  standin_context "$ctx" "$rootfs"
  cp -a "$goroot" "$ctx/go"
  # The module cache keeps no file modes: the go command sets these after a toolchain download.
  chmod -R u+w,a+rX "$ctx/go"
  chmod a+x "$ctx"/go/bin/* "$ctx"/go/pkg/tool/*/*
  cat >>"$ctx/Dockerfile" <<DOCKERFILE
COPY go /usr/local/go
RUN mkdir -p /go/bin /go/src && chmod -R 1777 /go
ENV GOLANG_VERSION=$version GOTOOLCHAIN=local GOPATH=/go \\
    PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL org.gocross.e2e.stand-in="debootstrap bookworm + golang.org/toolchain go$version"
WORKDIR /go
DOCKERFILE
  standin_build "$ctx" "$name"
}

# debian:12.N-slim: a minimal bookworm without documentation, as the slim images are.
standin_debian_slim() {
  local name=$1 rootfs ctx
  rootfs=$(bookworm_rootfs "") || return 1
  ctx=$(mktemp -d)
  standin_context "$ctx" "$rootfs"
  cat >>"$ctx/Dockerfile" <<DOCKERFILE
RUN printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \\
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' \\
      >/etc/dpkg/dpkg.cfg.d/docker
LABEL org.gocross.e2e.stand-in="debootstrap --variant=minbase bookworm"
CMD ["bash"]
DOCKERFILE
  standin_build "$ctx" "$name"
}

# Every image the Dockerfile builds on exists locally: the real one if it is there, else a stand-in.
ensure_base_images() {
  local name
  mkdir -p "$E2E_CACHE"
  for name in $(base_image_names); do
    if "$DOCKER" image inspect "$name" >/dev/null 2>&1; then continue; fi
    if timeout 300 "$DOCKER" pull -q "$name" >/dev/null 2>&1; then continue; fi
    e2e_log "$name cannot be pulled here: building a stand-in"
    case $name in
      golang:*-bookworm) standin_golang "$name" || return 1 ;;
      debian:12*-slim | debian:bookworm*-slim) standin_debian_slim "$name" || return 1 ;;
      *) echo "no stand-in is known for the base image $name" >&2; return 1 ;;
    esac
  done
}
