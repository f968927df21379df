# The optional gocross image with zig (`zig cc -target ...`, a C cross compiler for targets the
# main image has no gcc for: linux/riscv64, linux/s390x, windows/arm64 ...). Built on top of the
# main image as a second tag, so the main image stays small:
#   docker build -f Dockerfile.zig --build-arg BASE=ghcr.io/<owner>/gocross-action:<tag> -t ...:<tag>-zig .
ARG BASE=gocross-action:local
FROM ${BASE}
COPY requirements/zig.txt /opt/gocross/requirements/zig.txt
RUN PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/gocross/venv/bin/pip install --require-hashes \
      --no-deps -r /opt/gocross/requirements/zig.txt \
 && ln -s "$(/opt/gocross/venv/bin/python -c 'import ziglang, os; print(os.path.dirname(ziglang.__file__))')/zig" \
      /usr/local/bin/zig \
 && zig version
