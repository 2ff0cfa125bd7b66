#!/usr/bin/env bash
# Cold start: a fresh process loads a trained LeNet-5 and classifies one image. Hubel as a NativeAOT single
# file against PyTorch 1.13 (bench/predict_pytorch.py, same model file, same image), whole process, median of
# 10 runs, paired A B A B with farm-bench when it is installed (plain timing loop otherwise).
# usage: bench/cold-start.sh [MODEL.safetensors] [IMAGE.png]      (needs ../shared/peers/setup.sh done)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
dotnet publish src/Hubel.Cli -c Release -r linux-x64 -o "$out/aot" -v q -nologo >/dev/null
model=${1:-$out/lenet5.safetensors}
image=${2:-}
[ -f "$model" ] || "$out/aot/Hubel.Cli" train --epochs 2 --json --out "$model" >/dev/null
if [ -z "$image" ]; then   # the first shipped test image, as a PNG, written by Hubel itself
  image=$out/boot.png
  /usr/bin/python3 - "$image" <<'PY'
import gzip, sys
from PIL import Image
d = gzip.open("data/fashion-mnist-10k/t10k-images-idx3-ubyte.gz").read()
Image.frombytes("L", (28, 28), d[16:16 + 784]).save(sys.argv[1])
PY
fi
hubel=("$out/aot/Hubel.Cli" predict --model "$model" "$image")
torch=(/usr/bin/python3 bench/predict_pytorch.py "$model" "$image")
"${hubel[@]}"; "${torch[@]}"
if command -v farm-bench >/dev/null; then
  farm-bench -n 10 --warmup 1 --timeout 600 --vs "${torch[*]}" -- "${hubel[@]}"
else
  for name in hubel torch; do
    declare -n cmd=$name
    times=()
    for i in $(seq 10); do s=$(date +%s%N); "${cmd[@]}" >/dev/null; times+=($(( ($(date +%s%N) - s) / 1000000 ))); done
    echo "$name median ms: $(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p)"
  done
fi
