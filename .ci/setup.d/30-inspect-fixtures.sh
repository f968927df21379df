#!/usr/bin/env bash
# Go binaries built by others, for the inspector's tests: Debian's packages of Go programs for
# other architectures, downloaded with apt (own package lists, no dpkg --add-architecture) and
# unpacked under .cache/inspect-fixtures (gitignored). Idempotent: skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/../.."
dest=.cache/inspect-fixtures
mkdir -p "$dest/debs" "$dest/bin"
# package:binary inside it, per Debian architecture
wanted=(fzf:usr/bin/fzf)
arches=(arm64 armhf i386 s390x ppc64el)
missing=0
for arch in "${arches[@]}"; do
  for item in "${wanted[@]}"; do
    [ -e "$dest/bin/${item%%:*}-$arch" ] || missing=1
  done
done
[ "$missing" = 0 ] && { echo "inspect fixtures: cached"; exit 0; }
lists="$PWD/$dest/lists"
mkdir -p "$lists/partial"
for arch in "${arches[@]}"; do
  opts=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "Dir::State::Lists=$lists"
        -o "Dir::Cache::archives=$PWD/$dest/debs" -o Debug::NoLocking=1)
  apt-get "${opts[@]}" update -qq >/dev/null || echo "inspect fixtures: apt-get update for $arch reported errors (trying anyway)" >&2
  for item in "${wanted[@]}"; do
    pkg=${item%%:*} file=${item#*:}
    [ -e "$dest/bin/$pkg-$arch" ] && continue
    (cd "$dest/debs" && apt-get "${opts[@]}" download -qq "$pkg:$arch") || { echo "inspect fixtures: no $pkg:$arch" >&2; continue; }
    deb=$(ls "$dest"/debs/"${pkg}"_*_"$arch".deb | head -n1)
    tmp=$(mktemp -d)
    dpkg-deb -x "$deb" "$tmp"
    cp "$tmp/$file" "$dest/bin/$pkg-$arch"
    rm -rf "$tmp"
  done
done
ls -la "$dest/bin"
