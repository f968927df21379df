# The gocross GitHub Action image: Go, Python with the hash-pinned dependencies of
# requirements/image.txt, C cross compilers for cgo on linux/amd64, arm64, arm/7 and 386 and on
# windows/amd64 and 386 (mingw-w64, win32 threads), and qemu for the arm targets' smoke runs.
# zig is not in it: Dockerfile.zig adds it for a second tag (README "The image").
# Release tags run a prebuilt image pinned by digest (.github/workflows/release.yml); main builds
# this file in each job.

# Stage 1: the Python environment, built apart so python3-venv, pip's work files and the build
# tree stay out of the image; only /opt/gocross is copied on.
FROM golang:1.26.8-bookworm AS python
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

# Stage 2: the image.
FROM golang:1.26.8-bookworm
ENV DEBIAN_FRONTEND=noninteractive \
    GOTOOLCHAIN=auto \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# One layer, cleaned in the same step: the cross gcc for every supported cgo target but the
# native one, mingw-w64's win32-threads flavour only (the posix one doubles its size), and of
# qemu-user-static's emulators only those for the arm targets (amd64 and 386 run natively).
RUN arch="$(dpkg --print-architecture)" \
 && cross="" \
 && { [ "$arch" = amd64 ] || cross="$cross gcc-x86-64-linux-gnu libc6-dev-amd64-cross"; } \
 && { [ "$arch" = arm64 ] || cross="$cross gcc-aarch64-linux-gnu libc6-dev-arm64-cross"; } \
 && { [ "$arch" = armhf ] || cross="$cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross"; } \
 && { [ "$arch" = i386 ] || cross="$cross gcc-i686-linux-gnu libc6-dev-i386-cross"; } \
 && apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 git file binutils ca-certificates \
      gcc libc6-dev musl-tools \
      gcc-mingw-w64-x86-64-win32 gcc-mingw-w64-i686-win32 \
      qemu-user-static \
      $cross \
 && find /usr/bin -name 'qemu-*' ! -name 'qemu-aarch64-static' ! -name 'qemu-arm-static' -delete \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/share/doc/* /usr/share/man/* /usr/share/info/*

# The workspace is owned by the runner's user, the container runs as root: without this git
# refuses it ("detected dubious ownership") and go build cannot stamp VCS information.
RUN git config --system --add safe.directory '*'

COPY --from=python /opt/gocross /opt/gocross
RUN ln -s /opt/gocross/venv/bin/gocross /usr/local/bin/gocross

ENTRYPOINT ["/opt/gocross/venv/bin/python", "/opt/gocross/entrypoint.py"]
