#!/usr/bin/env bash
# The README's test command: installs what the tests need, builds, runs every test project.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Flow.sln -c Release -nologo -v q -clp:ErrorsOnly
log=$(mktemp)
set +e
# A test that hangs (none should run for minutes) is stopped and named instead of holding CI until its time limit.
dotnet test Flow.sln -c Release --no-build -nologo --logger "console;verbosity=minimal" \
  --blame-hang-timeout 5m --blame-hang-dump-type none "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
# One closing line in the plain 'N passed, N failed' form, summed over the test projects.
awk '/(Passed|Failed)!/ { for (i=1;i<=NF;i++) { if ($i=="Failed:") f+=$(i+1); if ($i=="Passed:") p+=$(i+1); if ($i=="Skipped:") s+=$(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit $rc
