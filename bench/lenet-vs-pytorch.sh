#!/usr/bin/env bash
# LeNet-5 training on full Fashion-MNIST (batch 64, SGD 0.01/0.9, inputs (x/255-0.2860)/0.3530):
# Hubel and PyTorch (../shared/peers/train_bench.py, 2 threads) run in turn, A B A B ..., on the same
# machine, so their ratio holds even when the machine's speed drifts. Prints each run's training
# seconds per epoch and test accuracy, then the medians and the ratio.
# usage: bench/lenet-vs-pytorch.sh [RUNS=3] [EPOCHS=1]      (needs ../shared/peers/setup.sh done)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
epochs=${2:-1}
peers=$(cd ../shared/peers && pwd)
dotnet build src/Hubel.Cli -c Release -v q -nologo >/dev/null
hubel=(dotnet src/Hubel.Cli/bin/Release/net10.0/Hubel.Cli.dll)
out=$(mktemp -d)
for i in $(seq 1 "$runs"); do
  "${hubel[@]}" train --dataset fashion-mnist --epochs "$epochs" --batch-size 64 --lr 0.01 --momentum 0.9 \
      --seed "$i" --threads 2 --json --out "$out/lenet.safetensors" > "$out/hubel.$i.jsonl"
  (cd "$peers" && PEER_RESULTS="$out" /usr/bin/python3 train_bench.py lenet "$i" "$epochs") > "$out/torch.$i.jsonl"
  echo "run $i: hubel $(tail -n1 "$out/hubel.$i.jsonl")"
  echo "run $i: torch $(tail -n1 "$out/torch.$i.jsonl")"
done
/usr/bin/python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
def lines(kind, i):
    return [json.loads(l) for l in open(f"{out}/{kind}.{i}.jsonl") if l.strip().startswith("{")]
h = [lines("hubel", i) for i in range(1, runs + 1)]
t = [lines("torch", i) for i in range(1, runs + 1)]
hs = statistics.median(e["seconds"] for r in h for e in r)
ts = statistics.median(e["seconds"] for r in t for e in r)
h1 = statistics.median(r[0]["seconds"] for r in h)
t1 = statistics.median(r[0]["seconds"] for r in t)
print(f"median first epoch (includes warm-up): hubel {h1:.2f} s  pytorch {t1:.2f} s  hubel/pytorch {h1/t1:.2f}x")
ha = statistics.median(r[-1]["test_accuracy"] for r in h)
ta = statistics.median(r[-1]["test_acc"] for r in t)
print(f"median seconds per epoch: hubel {hs:.2f}  pytorch {ts:.2f}  hubel/pytorch {hs/ts:.2f}x  "
      f"(img/s hubel {60000/hs:,.0f}, pytorch {60000/ts:,.0f})")
print(f"median final test accuracy: hubel {ha:.4f}  pytorch {ta:.4f}")
PY
