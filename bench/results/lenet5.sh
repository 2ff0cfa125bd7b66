#!/usr/bin/env bash
# LeNet-5 (the zoo's lenet5: ReLU, max pooling) on full Fashion-MNIST, trained on all 60,000 images and tested on the
# 10,000, one JSON summary line per recipe in $OUT (table.py renders it for docs/RESULTS.md):
#   peer   the benchmark recipe of bench/lenet-vs-pytorch.sh and ../shared/peers/train_bench.py: SGD lr 0.01,
#          momentum 0.9, batch 64, constant rate
#   tuned  the same network with Nesterov momentum, lr 0.05 annealed by a cosine to 0, weight decay 5e-4 and
#          on-the-fly augmentation (2-pixel padded random crops, horizontal flips: clothes are left-right symmetric)
#   smooth   the 5-epoch recipe of docs/RESULTS.md that passes 0.90 for every seed: Nesterov momentum, lr 0.05 annealed
#          by a cosine to 0, label smoothing 0.1 (run it with EPOCHS=5)
# Environment (all optional):
#   EPOCHS   epochs of every recipe (default 30); the one knob for a reduced run
#   RECIPES  which to run (default "peer tuned"; also smooth)    DATASET  fashion-mnist (default) or shipped (smoke tests)
#   THREADS  CPU threads (default: all cores)       SEED     seed (default 0)
#   OUT      results file (default bench/results/lenet5.jsonl; appended to)    RUNS  models and raw output (runs/lenet5)
#   HUBEL    command that runs the CLI (default: build src/Hubel.Cli and run its dll with dotnet); DRY_RUN=1 prints the commands
set -euo pipefail
cd "$(dirname "$0")/../.."

EPOCHS=${EPOCHS:-30}
RECIPES=${RECIPES:-"peer tuned"}
DATASET=${DATASET:-fashion-mnist}
THREADS=${THREADS:-$(nproc)}
SEED=${SEED:-0}
OUT=${OUT:-bench/results/lenet5.jsonl}
RUNS=${RUNS:-runs/lenet5}
source bench/results/lib.sh
check_dataset "$DATASET"
mkdir -p "$RUNS" "$(dirname "$OUT")"

COMMON=(--model lenet5 --dataset "$DATASET" --epochs "$EPOCHS" --seed "$SEED" --threads "$THREADS" --json)
for recipe in $RECIPES; do
  case "$recipe" in
    peer) train_and_record "$OUT" "$RUNS/peer.jsonl" 1 "LeNet-5, peer recipe (SGD 0.01, momentum 0.9, batch 64)" - - "$EPOCHS" \
            train "${COMMON[@]}" --batch-size 64 --lr 0.01 --momentum 0.9 --out "$RUNS/peer.safetensors" ;;
    tuned) train_and_record "$OUT" "$RUNS/tuned.jsonl" 2 "LeNet-5, Nesterov + cosine + weight decay + crop/flip" - - "$EPOCHS" \
            train "${COMMON[@]}" --batch-size 64 --lr 0.05 --momentum 0.9 --nesterov --weight-decay 5e-4 --schedule cosine \
            --augment crop:2,flip --out "$RUNS/tuned.safetensors" ;;
    smooth) train_and_record "$OUT" "$RUNS/smooth.jsonl" 3 "LeNet-5, Nesterov + cosine + label smoothing 0.1" 90.00 "target (%)" "$EPOCHS" \
            train "${COMMON[@]}" --batch-size 64 --lr 0.05 --momentum 0.9 --nesterov --schedule cosine --label-smoothing 0.1 \
            --out "$RUNS/smooth.safetensors" ;;
    *) echo "unknown recipe '$recipe' (peer, tuned, smooth)" >&2; exit 2 ;;
  esac
done
if [[ -z "${DRY_RUN:-}" ]]; then echo "results appended to $OUT; render with: python3 bench/results/table.py $OUT" >&2; fi
