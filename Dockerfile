# The gocross GitHub Action image: Go, Python with the hash-pinned dependencies of
# requirements/image.txt, C cross compilers for cgo on linux/amd64, arm64, arm/7 and 386 and on
# windows/amd64 (mingw-w64, win32 threads), and qemu for the arm targets' smoke runs.
# zig is not in it: Dockerfile.zig adds it for a second tag (README "The image").
# Release tags run a prebuilt image pinned by digest (.github/workflows/release.yml); main builds
# this file in each job.
#
# Multi-stage: the golang image gives only its Go distribution (/usr/local/go), the rest of it
# (g++, mercurial, subversion, ... about 550 MB) stays out; the Python environment is built in a
# stage of its own, so python3-venv and pip's work files stay out too.

# Stage 1: Go, as the official image ships it.
FROM golang:1.26.8-bookworm AS go

# Stage 2: the Python environment.
FROM debian:12.11-slim AS python
ENV DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/gocross
COPY requirements/image.txt ./requirements/image.txt
RUN python3 -m venv /opt/gocross/venv \
 && /opt/gocross/venv/bin/pip install --require-hashes --no-deps -r requirements/image.txt
COPY constraints.txt pyproject.toml README.md ./
COPY gocross_action ./gocross_action
COPY entrypoint.py ./
# The project itself, with the locked setuptools (no build isolation: nothing else is fetched).
RUN /opt/gocross/venv/bin/pip install --no-deps --no-build-isolation . \
 && rm -rf build ./*.egg-info gocross_action constraints.txt pyproject.toml README.md

# Stage 3: the image, on the same Debian 12 as the golang image.
FROM debian:12.11-slim
ENV DEBIAN_FRONTEND=noninteractive \
    GOLANG_VERSION=1.26.8 \
    GOPATH=/go \
    GOTOOLCHAIN=auto \
    PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# One layer, cleaned in the same step: the cross gcc for every supported cgo target but the
# native one, mingw-w64 for windows/amd64 in its win32-threads flavour only (the posix one doubles
# its size; windows/386 with cgo would add about 150 MB: the zig image serves it), and of
# qemu-user-static's emulators only those for the arm targets (amd64 and 386 run natively).
# Removed as cgo's C builds never use them: documentation and translations, lto1 and lto-dump
# (link-time optimisation, -flto), gcc plugin headers, the sanitizer runtimes of the cross
# targets (-fsanitize), and mingw's Ada, Fortran, Objective-C and C++ runtime DLLs.
RUN printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' \
      'path-exclude=/usr/share/man/*' 'path-exclude=/usr/share/info/*' 'path-exclude=/usr/share/locale/*' \
      >/etc/dpkg/dpkg.cfg.d/gocross-slim \
 && arch="$(dpkg --print-architecture)" \
 && cross="" \
 && { [ "$arch" = amd64 ] || cross="$cross gcc-x86-64-linux-gnu libc6-dev-amd64-cross"; } \
 && { [ "$arch" = arm64 ] || cross="$cross gcc-aarch64-linux-gnu libc6-dev-arm64-cross"; } \
 && { [ "$arch" = armhf ] || cross="$cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"; } \
 && { [ "$arch" = i386 ] || cross="$cross gcc-i686-linux-gnu libc6-dev-i386-cross"; } \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 git ca-certificates file binutils pkg-config \
      gcc libc6-dev musl-tools \
      gcc-mingw-w64-x86-64-win32 \
      qemu-user-static \
      $cross \
 && find /usr/bin -name 'qemu-*' ! -name 'qemu-aarch64-static' ! -name 'qemu-arm-static' -delete \
 && find /usr/bin -name '*lto-dump*' -delete \
 && rm -rf /usr/lib/gcc/*/12*/lto1 /usr/lib/gcc-cross/*/12/lto1 /usr/lib/gcc/*/12*/plugin \
      /usr/lib/gcc-cross/*/12/plugin /usr/lib/gcc/*-w64-mingw32/12-win32/adalib \
      /usr/lib/gcc/*-w64-mingw32/12-win32/adainclude \
 && rm -f /usr/lib/gcc/*-w64-mingw32/12-win32/libgfortran-*.dll /usr/lib/gcc/*-w64-mingw32/12-win32/libobjc-*.dll \
      /usr/lib/gcc/*-w64-mingw32/12-win32/libstdc++-*.dll \
      /usr/*-linux-gnu*/lib/lib*san.so* /usr/lib/gcc-cross/*/12/lib*san* \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /var/log/apt /var/log/dpkg.log

COPY --from=go /usr/local/go /usr/local/go
# The workspace is owned by the runner's user, the container runs as root: without this git
# refuses it ("detected dubious ownership") and go build cannot stamp VCS information.
RUN mkdir -p /go/bin /go/src && chmod -R 1777 /go \
 && git config --system --add safe.directory '*' \
 && go version

COPY --from=python /opt/gocross /opt/gocross
RUN ln -s /opt/gocross/venv/bin/gocross /usr/local/bin/gocross

ENTRYPOINT ["/opt/gocross/venv/bin/python", "/opt/gocross/entrypoint.py"]
