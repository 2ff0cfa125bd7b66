#!/usr/bin/env bash
# Data-parallel scaling on one machine: 1 rank x 1 thread against 2 ranks x 1 thread (all-reduce overlapped with
# backward, and not overlapped), same global batch. Waiting ranks yield the core (mpi_yield_when_idle): on a
# shared or oversubscribed machine a busy-polling rank steals the CPU its peer needs. Prints one JSON line per epoch per configuration; docs/SCALING.md
# uses the last epoch of each (the first includes JIT warm-up).
# Usage: bench/distributed/scaling.sh [model] [epochs] [global batch] [bucket KiB] [more train options, e.g. --sync-bn]
set -euo pipefail
cd "$(dirname "$0")/../.."
model=${1:-lenet5}; epochs=${2:-2}; batch=${3:-64}; bucket_kb=${4:-64}; extra=("${@:5}")
dotnet build src/Hubel.Cli -c Release -v q -nologo >/dev/null
cli=src/Hubel.Cli/bin/Release/net10.0/Hubel.Cli.dll
out=$(mktemp -d)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpi=(mpirun --oversubscribe --bind-to none --mca btl self,vader --mca btl_vader_single_copy_mechanism none --mca mpi_yield_when_idle 1 -x TERM=dumb)
common=(train --distributed --model "$model" --epochs "$epochs" --batch-size "$batch" --threads 1 --bucket-kb "$bucket_kb" --json "${extra[@]}")
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
echo "# 1 rank x 1 thread";                     dotnet exec "$cli" "${common[@]}" --out "$out/one.safetensors" | sed 's/^/one /'
echo "# 2 ranks x 1 thread, overlapped";        "${mpi[@]}" -np 2 dotnet exec "$cli" "${common[@]}" --out "$out/two.safetensors" | sed 's/^/two /'
echo "# 2 ranks x 1 thread, after backward";    "${mpi[@]}" -np 2 dotnet exec "$cli" "${common[@]}" --no-overlap --out "$out/two-blocking.safetensors" | sed 's/^/two-blocking /'
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out"
