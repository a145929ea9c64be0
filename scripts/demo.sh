#!/usr/bin/env bash
# The README's first command: installs what is needed and runs the main job on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/Cli/Flow.Cli.csproj -c Release -nologo -v q -clp:ErrorsOnly
exec dotnet src/Cli/bin/Release/net10.0/flow.dll demo "$@"
