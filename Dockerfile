# The gocross GitHub Action image: Go, Python, cross C compilers for the common Linux and Windows
# targets, zig, qemu-user-static. The base is pinned; rebuilt per job unless a prebuilt image is
# used (README: `uses: docker://...`).
FROM golang:1.26.8-bookworm

ENV DEBIAN_FRONTEND=noninteractive \
    GOTOOLCHAIN=auto \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 python3-venv \
      git file binutils ca-certificates \
      gcc libc6-dev \
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross \
      gcc-arm-linux-gnueabihf libc6-dev-armhf-cross \
      gcc-x86-64-linux-gnu libc6-dev-amd64-cross \
      gcc-mingw-w64-x86-64 gcc-mingw-w64-i686 \
      musl-tools \
      qemu-user-static \
 && rm -rf /var/lib/apt/lists/*

# The workspace is owned by the runner's user, the container runs as root: without this git
# refuses it ("detected dubious ownership") and go build cannot stamp VCS information.
RUN git config --system --add safe.directory '*'

WORKDIR /opt/gocross
COPY constraints.txt pyproject.toml README.md ./
COPY gocross_action ./gocross_action
COPY entrypoint.py ./
RUN python3 -m venv /opt/gocross/venv \
 && /opt/gocross/venv/bin/pip install -c constraints.txt . ziglang \
 && ln -s /opt/gocross/venv/bin/gocross /usr/local/bin/gocross \
 && ln -s "$(/opt/gocross/venv/bin/python -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))')/zig" /usr/local/bin/zig

ENTRYPOINT ["/opt/gocross/venv/bin/python", "/opt/gocross/entrypoint.py"]
