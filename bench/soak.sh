#!/usr/bin/env bash
# One-hour training soak: LeNet-5 on the shipped data at one thread, memory sampled every 10 s.
# Usage: bench/soak.sh [out-dir] [minutes]   (defaults: /tmp/soak, 60)
# Writes <out-dir>/soak.csv (one row per sample), soak.png (RSS and managed heap against time) and
# soak-summary.txt (growth after the warm-up). Copy soak.png to docs/images/ to update the docs.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-/tmp/soak}"
minutes="${2:-60}"
mkdir -p "$out"
dotnet build tools/soak/Soak.csproj -c Release -warnaserror -v q -nologo -o "$out/bin" >/dev/null
exec nice -n 10 dotnet "$out/bin/Soak.dll" "$out" "$minutes" 10 5
