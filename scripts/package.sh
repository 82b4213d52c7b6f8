#!/usr/bin/env bash
# Builds the Debian packages with CPack:
#   modelseal      the command, its man page and bash/zsh/fish completions
#   modelseal-dev  static libraries, headers, CMake package, modelseal.pc
#
#   scripts/package.sh [BUILD_DIR] [OUTPUT_DIR]
# BUILD_DIR defaults to build/package (a release build for prefix /usr, tests
# off); the .deb files land in OUTPUT_DIR (default BUILD_DIR/packages).
# Install with: apt-get install ./modelseal_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build/package}"
output_dir="${2:-$build_dir/packages}"
command -v dpkg-shlibdeps > /dev/null ||
  { echo "package.sh: dpkg-shlibdeps missing (apt-get install dpkg-dev)" >&2; exit 1; }
scripts/build.sh "$build_dir" -DCMAKE_INSTALL_PREFIX=/usr \
  -DMODELSEAL_BUILD_TESTS=OFF
cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$output_dir"
for deb in "$output_dir"/*.deb; do
  echo "== $deb"
  dpkg-deb -f "$deb" Package Version Architecture Depends
done
