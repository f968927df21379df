#!/usr/bin/env bash
# GitHub's official OpenAPI description, for the loopback api.github.com stand-in that validates
# every REST request body (tests/github_server.py). The npm package unpacks to hundreds of MB:
# `npm pack` fetches the tarball and only generated/api.github.com.deref.json is extracted.
# Cached under .cache/ (gitignored); idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=23.0.2
dest=.cache/octokit-openapi/$version
[ -s "$dest/api.github.com.deref.json" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@octokit/openapi@$version" >/dev/null)
mkdir -p "$dest"
tar -xzf "$tmp"/octokit-openapi-"$version".tgz -C "$tmp" package/generated/api.github.com.deref.json
mv "$tmp/package/generated/api.github.com.deref.json" "$dest/"
echo "octokit openapi $version -> $dest"
