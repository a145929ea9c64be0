#!/usr/bin/env bash
# Cold one-shot `flow fraud score` runs, variants alternated: per round DOP 1 for every variant, then DOP 2.
# Each run is a fresh process; prints the rate the command reports, process wall, CPU of all threads and the
# tiering JIT thread's CPU (threads.py). Run it under /work/bin/quiet (docs/FRAUD.md, sessions 6 and 7).
#
# usage: ab.sh ROUNDS LABEL=BUILD_DIR[,ENV=VALUE...] ...
#   BUILD_DIR holds flow.dll (run with `dotnet`) or, for a self-contained build, the `flow` executable.
#   CSV, MODELS, ENGINE (default onnx), DOPS (default "1 2"), OUT (alerts folder, default /tmp) and VERBOSE=1 (per-thread lines) are read from the environment.
# example: ab.sh 6 before=/tmp/bin0 after=src/Cli/bin/Release/net10.0 tc0=/tmp/bin0,DOTNET_TieredCompilation=0
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
rounds=$1; shift
csv=${CSV:-/tmp/frc/tx.csv}; models=${MODELS:-/tmp/fre/m}; out=${OUT:-/tmp}
for r in $(seq 1 "$rounds"); do for d in ${DOPS:-1 2}; do for v in "$@"; do
  label=${v%%=*}; rest=${v#*=}; bin=${rest%%,*}; envs=()
  [[ "$rest" == *,* ]] && IFS=',' read -r -a envs <<< "${rest#*,}"
  if grep -q includedFrameworks "$bin/flow.runtimeconfig.json"; then cmd=("$bin/flow"); else cmd=(dotnet "$bin/flow.dll"); fi
  result=$(env "${envs[@]}" python3 "$here/threads.py" "${cmd[@]}" fraud score --csv "$csv" --models "$models" \
    --alerts "$out/alerts-$label.csv" --dop "$d" --engine "${ENGINE:-onnx}" --live false)
  rate=$(echo "$result" | head -1 | grep -o '[0-9,]* alerts.*events/s' | sed 's/ 0 malformed rows dead-lettered,//')
  wall=$(echo "$result" | grep -o 'wall [0-9.]* s'); cpu=$(echo "$result" | grep -o 'cpu sum [0-9.]* s')
  jit=$(echo "$result" | awk '/Tiered Com/ {print $5}')
  if [[ -n "${VERBOSE:-}" ]]; then echo "$result"; fi
  echo "$(date -u +%T) r$r dop $d $label: $rate | $wall, $cpu, jit-thread ${jit:-none} s"
done; done; done
