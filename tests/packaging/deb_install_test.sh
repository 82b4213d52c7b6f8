#!/usr/bin/env bash
# Builds the Debian packages from the build tree with CPack, installs them
# with apt-get as a user would, and checks the installed command, man page,
# completions, and both ways of building against the libraries. Then removes
# them again.
#
# It changes the system's packages, so it runs only when asked: under CI
# (CI set and not "false") or with MODELSEAL_TEST_DEB_INSTALL=1, as root,
# with apt-get, and only if no modelseal package is installed yet. Otherwise
# it exits 77 (skipped).
set -euo pipefail
build_dir="$(cd "$1" && pwd)"
consumer_dir="$(cd "$(dirname "$0")" && pwd)/consumer"

skip() { echo "skipped: $*"; exit 77; }
if [[ "${MODELSEAL_TEST_DEB_INSTALL:-}" != "1" &&
      ( -z "${CI:-}" || "${CI}" == "false" ) ]]; then
  skip "installs packages; set MODELSEAL_TEST_DEB_INSTALL=1 (or CI=true)"
fi
[[ "$(id -u)" -eq 0 ]] || skip "needs root"
command -v apt-get > /dev/null || skip "needs apt-get"
for package in modelseal modelseal-dev; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q 'install ok installed'; then
    skip "$package is already installed; not touching it"
  fi
done

work="$(mktemp -d)"
cleanup() {
  DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq modelseal modelseal-dev \
    > "$work/purge.log" 2>&1 || cat "$work/purge.log"
  rm -rf "$work"
}
trap cleanup EXIT

cpack --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/packages" \
  > "$work/cpack.log" || { cat "$work/cpack.log"; exit 1; }
cd "$work/packages"
ls -l ./*.deb
depends="$(dpkg-deb -f ./modelseal_*.deb Depends)"
echo "modelseal Depends: $depends"
for library in libssl3 libsodium23 libc6 libstdc++6; do
  if [[ "$depends" != *"$library"* ]]; then
    echo "Depends lacks $library (dpkg-shlibdeps did not run?)" >&2
    exit 1
  fi
done
if dpkg-deb -c ./modelseal_*.deb | grep -q '\.a$'; then
  echo "the modelseal package carries static libraries" >&2
  exit 1
fi

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  ./modelseal_*.deb ./modelseal-dev_*.deb > "$work/install.log" ||
  { cat "$work/install.log"; exit 1; }

version="$(/usr/bin/modelseal --version)"
echo "$version"
[[ "$version" =~ ^modelseal\ [0-9]+\.[0-9]+\.[0-9]+\ \(commit\ .+\)$'\n'hash\ kernels:\ sha256= ]] ||
  { echo "unexpected --version output" >&2; exit 1; }
if readelf -S --wide /usr/bin/modelseal | grep -q '\.debug_info'; then
  echo "/usr/bin/modelseal carries debug information (not stripped)" >&2
  exit 1
fi
# `log serve` execs the installed server program, which reads the log.
serve_err="$(/usr/bin/modelseal log serve "$work/no-such-log" 2>&1)" &&
  { echo "log serve of a missing log succeeded" >&2; exit 1; }
[[ "$serve_err" == *"reading the log's signer key"* ]] ||
  { echo "log serve did not reach modelseal-log-server: $serve_err" >&2; exit 1; }
for installed in /usr/share/man/man1/modelseal.1 \
                 /usr/share/bash-completion/completions/modelseal \
                 /usr/share/zsh/vendor-completions/_modelseal \
                 /usr/share/fish/vendor_completions.d/modelseal.fish; do
  [[ -s "$installed" ]] || { echo "$installed missing" >&2; exit 1; }
done

# The -dev package: pkg-config and find_package against /usr.
"${CXX:-c++}" -std=c++20 -o "$work/pc-consumer" "$consumer_dir/main.cc" \
  $(pkg-config --cflags --libs modelseal)
"$work/pc-consumer"
cmake -S "$consumer_dir" -B "$work/cmake-consumer" -G Ninja > "$work/configure.log"
cmake --build "$work/cmake-consumer" > "$work/build.log"
"$work/cmake-consumer/consumer"
echo "packages installed, used and removed"
