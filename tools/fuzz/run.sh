#!/usr/bin/env bash
# Fuzz one of Hubel's file readers.
#   tools/fuzz/run.sh TARGET SECONDS            AFL++ with SharpFuzz instrumentation (coverage-guided)
#   tools/fuzz/run.sh TARGET SECONDS campaign [COUNT] [SEED]
#                                               in-process mutation campaign without coverage (no AFL needed)
# TARGET: safetensors | idx | image | modelfile | onnx. Work files go to ${FUZZ_WORK:-/tmp/hubel-fuzz}/TARGET;
# crashes and hangs end up in findings/ (AFL) or crashes/ (campaign). Reproduce one with
#   dotnet $FUZZ_WORK/bin/HubelFuzz.dll replay TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:?usage: run.sh TARGET SECONDS [campaign [COUNT] [SEED]]}"
seconds="${2:?usage: run.sh TARGET SECONDS [campaign [COUNT] [SEED]]}"
mode="${3:-afl}"
work="${FUZZ_WORK:-/tmp/hubel-fuzz}"
mkdir -p "$work"
if [ ! -f "$work/bin/HubelFuzz.dll" ] || [ -n "${FUZZ_REBUILD:-}" ]; then
  dotnet build tools/fuzz/HubelFuzz.csproj -c Release -warnaserror -v q -nologo -o "$work/bin" >/dev/null
  rm -f "$work/bin/.instrumented"
fi
[ -d "$work/seeds/$target" ] || dotnet "$work/bin/HubelFuzz.dll" seeds "$work/seeds"

if [ "$mode" = campaign ]; then
  exec nice -n 19 dotnet "$work/bin/HubelFuzz.dll" campaign "$target" "$work/seeds" "${4:-10000000}" "${5:-1}" \
    "$work/$target/crashes" "$seconds"
fi

# Coverage-guided: instrument Hubel.dll (and the image decoder) once with SharpFuzz, then let afl-fuzz drive it.
sharpfuzz="${SHARPFUZZ:-/tmp/sharpfuzz/sharpfuzz}"
if [ ! -x "$sharpfuzz" ]; then
  dotnet tool install SharpFuzz.CommandLine --version 2.3.0 --tool-path "$(dirname "$sharpfuzz")" >/dev/null
fi
if [ ! -f "$work/bin/.instrumented" ]; then
  for dll in Hubel.dll StbImageSharp.dll; do "$sharpfuzz" "$work/bin/$dll"; done
  touch "$work/bin/.instrumented"
fi
mkdir -p "$work/$target"
command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install afl++" >&2; exit 1; }
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
exec nice -n 19 afl-fuzz -V "$seconds" -t 10000 -m none -i "$work/seeds/$target" -o "$work/$target/findings" \
  -- dotnet "$work/bin/HubelFuzz.dll" afl "$target"
