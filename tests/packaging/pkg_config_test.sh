#!/usr/bin/env bash
# Installs the build tree into a temporary prefix and builds the consumer
# with nothing but `pkg-config --cflags --libs modelseal`. Every installed
# modelseal library must be named in the .pc file.
set -euo pipefail
build_dir="$1"
source_dir="$(cd "$(dirname "$0")" && pwd)/consumer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"

pc="$(find "$work/prefix" -name modelseal.pc -path '*/pkgconfig/*')"
if [[ -z "$pc" ]]; then
  echo "modelseal.pc was not installed" >&2
  exit 1
fi
export PKG_CONFIG_PATH="$(dirname "$pc")"
flags="$(pkg-config --cflags --libs modelseal)"
echo "pkg-config --cflags --libs modelseal: $flags"
if [[ "$(pkg-config --variable=prefix modelseal)" != "$work/prefix" ]]; then
  echo "modelseal.pc prefix is not the install prefix" >&2
  exit 1
fi
for archive in "$(dirname "$(dirname "$pc")")"/libmodelseal_*.a; do
  name="$(basename "$archive" .a)"
  if [[ " $flags " != *" -l${name#lib} "* ]]; then
    echo "modelseal.pc does not link $name" >&2
    exit 1
  fi
done

# shellcheck disable=SC2086  # the flags are words
"${CXX:-c++}" -std=c++20 -o "$work/consumer" "$source_dir/main.cc" $flags
"$work/consumer"
