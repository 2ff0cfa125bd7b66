#!/usr/bin/env bash
# Builds `hubel` as one native file for a GPU machine that has no .NET SDK (NativeAOT, ~8 MB, no runtime
# needed), into out/gpu/. Carry out/gpu to that machine and run `out/gpu/Hubel.Cli device --check`.
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet publish src/Hubel.Cli -c Release -r linux-x64 -o out/gpu -p:DebugType=none
ls -la out/gpu
