#!/usr/bin/env bash
# Installs the Debian 12 packages ciiscope needs to build and test, if any
# are missing. Safe to run again; does nothing when all are present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libpcap-dev libssl-dev libsqlite3-dev sqlite3
  libspdlog-dev libfmt-dev libcli11-dev libgtest-dev libgmock-dev
  libyaml-cpp-dev libre2-dev nlohmann-json3-dev libasio-dev
  liburing-dev libxlsxwriter-dev libexpat1-dev nmap masscan
  libcap-dev zlib1g-dev python3 iproute2 clang libclang-rt-14-dev
  chromium fonts-noto-cjk python3-openpyxl
  tzdata
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "deps: missing packages (${missing[*]}) and not root; install them as root" >&2
    exit 1
  fi
fi
echo "deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
