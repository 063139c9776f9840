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
  # the reference SigV4 signer the AWS client is compared with (tests/ingest/aws/)
  python3-botocore
  # the web UI's end-to-end test drives Debian's Chromium (playwright-core, no browser download)
  chromium
)

missing=()
for package in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

# The web UI (web/) builds with Node.js and npm: Vite 8 needs Node.js 20.19 or later, newer than
# Debian 12's nodejs (18), so a machine without a recent enough Node.js gets a clear error.
check_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: the web UI needs Node.js >= 20.19 and npm, and they are not installed;" \
         "install Node.js 20 or later (Debian 12's nodejs package is version 18)" >&2
    exit 1
  fi
  local version
  version="$(node -p 'process.versions.node')"
  if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
    echo "install-deps: the web UI needs Node.js >= 20.19 (Vite 8); this machine has $version" >&2
    exit 1
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  check_node
  echo "install-deps: all ${#PACKAGES[@]} packages present, Node.js $(node -p 'process.versions.node')"
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
check_node
