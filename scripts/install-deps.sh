#!/usr/bin/env bash
# Installs the Debian 12 packages costwise needs to build, run and test, when they are missing.
# Uses sudo when not root. Safe to run again: it does nothing when everything is there.
set -euo pipefail

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # libraries (see docs/architecture.md)
  libfmt-dev libxxhash-dev libisal-dev libspdlog-dev libcli11-dev nlohmann-json3-dev libcpp-httplib-dev
  libeigen3-dev zlib1g-dev libssl-dev libcurl4-openssl-dev libpugixml-dev libsodium-dev
  libsoci-dev libsqlite3-dev libpq-dev
  # tests: GoogleTest, PostgreSQL for the repository tests, clang for the fuzzers, coverage
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  postgresql postgresql-contrib
  clang libclang-rt-14-dev gcovr
  python3 time procps
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: missing packages (${missing[*]}) and not root, and sudo is not installed" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
