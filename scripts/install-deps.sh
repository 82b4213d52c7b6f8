#!/usr/bin/env bash
# Installs what modelseal needs to build and test, from Debian 12's packages.
# Idempotent: packages already present are skipped, and apt is not touched
# when nothing is missing.
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --bench    also the benchmark peers (hyperfine, time)
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libssl-dev openssl libsodium-dev libprotobuf-dev protobuf-compiler libsimdjson-dev
  libabsl-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  b3sum coreutils python3 python3-jsonschema python3-yaml
  clang libclang-rt-14-dev libmicrohttpd-dev
  libcurl4-openssl-dev nginx
  libyaml-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
  zlib1g-dev liblzma-dev libbz2-dev libzstd-dev python3-numpy zip
  groff-base zsh fish
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(hyperfine time)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
