#!/usr/bin/env bash
# FraudScore: Weka's German credit data (credit-g.arff, 1000 rows) for the training-path sanity check
# -> .assets/fraud/credit-g.arff. Taken from the Debian package 'weka' with 'apt-get download' and
# dpkg-deb (no Java runtime is installed). Idempotent: skips when the file is present and valid.
set -euo pipefail
dest=.assets/fraud
file="$dest/credit-g.arff"
mkdir -p "$dest"
if [ -s "$file" ] && grep -q '^@relation' "$file" && [ "$(grep -c '^[^@%]' "$file")" -ge 1000 ]; then
  exit 0
fi
if [ -f /usr/share/doc/weka/examples/credit-g.arff ]; then
  cp /usr/share/doc/weka/examples/credit-g.arff "$file"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download weka >/dev/null 2>&1) || { apt-get update >/dev/null && (cd "$tmp" && apt-get download weka >/dev/null); }
dpkg-deb -x "$tmp"/weka_*.deb "$tmp/x"
src=$(find "$tmp/x" -name 'credit-g.arff*' | head -n1)
case "$src" in
  *.gz) gunzip -c "$src" > "$file" ;;
  "") echo "fraud.sh: credit-g.arff not found in the weka package" >&2; exit 1 ;;
  *) cp "$src" "$file" ;;
esac
grep -q '^@relation' "$file"
