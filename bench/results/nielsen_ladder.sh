#!/usr/bin/env bash
# Nielsen's chapter-6 ladder (Neural Networks and Deep Learning, network3.py; the notes' section 5.25.2) rebuilt on
# Fashion-MNIST with `hubel train`, one run per rung, each summarised as one JSON line in $OUT (table.py renders
# docs/RESULTS.md's table from it):
#   1 FC 784-100-10, sigmoid, 60 epochs, mini-batch 10, eta 0.1         (Nielsen, MNIST: 97.80)
#   2 + one conv-pool 20@5x5, max 2x2, FC-100 sigmoid                   (98.78)
#   3 + second conv-pool 40@5x5, sigmoid                                (99.06)
#   4 ReLU everywhere, eta 0.03, L2 lambda 0.1                          (99.23)
#   5 + training set expanded 5x by one-pixel shifts                    (99.37)
#   6 + an extra FC-100 layer                                           (99.43)
#   7 two FC-1000 layers, dropout 0.5 on the inputs of both and of the softmax layer, 40 epochs, no L2   (99.60)
#   8 majority vote of 5 networks of step 7                             (99.67)
# Every rung uses plain SGD (no momentum), cross-entropy on softmax outputs, mini-batch 10, and holds 10,000 of the
# 60,000 training images out for validation, as Nielsen's 50,000/10,000 MNIST split: like network3.py the table reports
# the test accuracy at the epoch of best validation accuracy (and the final one). Step 7 is member 0 of step 8's
# ensemble (the same seed and settings as a single run would have), so the ladder trains it once, not twice.
#
# Cost: rungs 5-8 train on 250,000 images an epoch and step 8 trains 5 networks, so they dominate. CPU time per image
# at mini-batch 10 (measured on the shipped subset, 23 Nov): ~0.3 ms FC, ~2.5 ms for the FC-1000 dropout net (1.7 ms at
# mini-batch 50); the whole ladder is roughly 3,000 CPU-seconds per unit of EPOCHS (~25 min of two idle cores), about two thirds
# of it step 8. EPOCHS=3 with ENSEMBLE=5 is ~1.5 h of two idle cores; STEPS="1 2 3 4" alone under 10% of that.
# Environment (all optional):
#   EPOCHS    epochs of the 60-epoch rungs (default 60, Nielsen's); the dropout rungs run 2/3 of it (40 at 60), >= 1.
#             The one knob for a reduced run: e.g. EPOCHS=3.
#   STEPS     rungs to run, e.g. "1 2 3" (default "1 2 3 4 5 6 8"; 7 is recorded from 8, or run alone if 8 is left out)
#   DATASET   fashion-mnist (default; /usr/share/datasets/fashion-mnist) or shipped (the repo's 8,000/2,000 subset: smoke tests)
#   ENSEMBLE  networks in step 8 (default 5)
#   BATCH     mini-batch (default 10, Nielsen's). Hubel runs far more images per second on larger batches; the learning
#             rates then scale with it (eta * BATCH / 10, the linear scaling rule, so an epoch moves about as far) and
#             the L2 conversion below follows it. Only BATCH=10 is Nielsen's recipe exactly.
#   THREADS   CPU threads (default: all cores)    SEED   seed of every run (default 0)
#   OUT       results file (default bench/results/nielsen_ladder.jsonl; appended to)
#   HUBEL     command that runs the CLI (default: build src/Hubel.Cli in Release and run its dll with dotnet)
#   DRY_RUN=1 print the commands instead of running them
#   RUNS      where models and raw per-epoch output go (default runs/nielsen-ladder)
set -euo pipefail
cd "$(dirname "$0")/../.."

EPOCHS=${EPOCHS:-60}
DROPOUT_EPOCHS=$(( EPOCHS * 2 / 3 > 0 ? EPOCHS * 2 / 3 : 1 ))
STEPS=${STEPS:-"1 2 3 4 5 6 8"}
DATASET=${DATASET:-fashion-mnist}
ENSEMBLE=${ENSEMBLE:-5}
BATCH=${BATCH:-10}
THREADS=${THREADS:-$(nproc)}
SEED=${SEED:-0}
OUT=${OUT:-bench/results/nielsen_ladder.jsonl}
RUNS=${RUNS:-runs/nielsen-ladder}
source bench/results/lib.sh
check_dataset "$DATASET"
mkdir -p "$RUNS" "$(dirname "$OUT")"

# Training images before the validation hold-out (Fashion-MNIST 60,000; the shipped subset 8,000).
if [[ "$DATASET" == shipped ]]; then TOTAL=8000; else TOTAL=60000; fi
VAL_SPLIT=0.16666666666666666   # 10,000 of 60,000 (hubel rounds the count)
N=$(python3 -c "print($TOTAL - round($TOTAL * $VAL_SPLIT))")   # images trained on: 50,000 for Fashion-MNIST

# Nielsen's L2 -> Hubel's --weight-decay. network3.py minimises, per mini-batch of m images,
#   mean cross-entropy + 0.5 * lambda * sum(w^2) / num_training_batches,  num_training_batches = n / m,
# so each step adds (lambda * m / n) * w to the gradient of the batch-mean loss. Hubel's --weight-decay wd adds wd * w to
# that gradient at every step (PyTorch's SGD), hence wd = lambda * m / n: 0.1 * 10 / 50,000 = 2e-5 (network2's
# lambda/(2n) sum w^2 over the whole set, i.e. lambda/n per image, is the same decay per epoch). n is the size of the
# training set the run sees, 5x larger with --expand, so the expanded rungs decay 5x less per step (4e-6), as in
# network3.py. One difference stays: Nielsen decays the weights only, Hubel's --weight-decay also the biases.
LAMBDA=0.1
wd() { python3 -c "print(repr($LAMBDA * $BATCH / ($N * $1)))"; }
lr() { python3 -c "print(repr($1 * $BATCH / 10))"; }   # Nielsen's eta at mini-batch 10, scaled to BATCH

COMMON=(--dataset "$DATASET" --batch-size "$BATCH" --optimizer sgd --momentum 0 --val-split "$VAL_SPLIT"
        --seed "$SEED" --threads "$THREADS" --json)

LABEL="Nielsen, MNIST (%)"

# run STEP NAME NIELSEN EPOCHS hubel-train-arguments...
run() {
  local step=$1 name=$2 nielsen=$3 epochs=$4
  shift 4
  train_and_record "$OUT" "$RUNS/step$step.jsonl" "$step" "$name" "$nielsen" "$LABEL" "$epochs" \
    train "$@" --epochs "$epochs" "${COMMON[@]}" --out "$RUNS/step$step.safetensors"
}

want() { [[ " $STEPS " == *" $1 "* ]]; }

STEP7="two FC-1000 layers with dropout 0.5"
DROPOUT=(--model nielsen-dropout --lr "$(lr 0.03)" --expand)
want 1 && run 1 "FC 784-100-10, sigmoid" 97.80 "$EPOCHS" --model nielsen-fc --lr "$(lr 0.1)"
want 2 && run 2 "one conv-pool (20@5x5) + FC-100, sigmoid" 98.78 "$EPOCHS" --model nielsen-conv1 --lr "$(lr 0.1)"
want 3 && run 3 "two conv-pool (20, 40 @5x5) + FC-100, sigmoid" 99.06 "$EPOCHS" --model nielsen-conv2-sigmoid --lr "$(lr 0.1)"
want 4 && run 4 "ReLU + L2 (lambda 0.1)" 99.23 "$EPOCHS" --model nielsen-conv2 --lr "$(lr 0.03)" --weight-decay "$(wd 1)"
want 5 && run 5 "+ shift-expanded data (5x)" 99.37 "$EPOCHS" --model nielsen-conv2 --lr "$(lr 0.03)" --weight-decay "$(wd 5)" --expand
want 6 && run 6 "+ an extra FC-100 layer" 99.43 "$EPOCHS" --model nielsen-conv2-fc2 --lr "$(lr 0.03)" --weight-decay "$(wd 5)" --expand
if want 8 && (( ENSEMBLE > 1 )); then
  run 8 "ensemble of $ENSEMBLE of step 7 (majority vote)" 99.67 "$DROPOUT_EPOCHS" "${DROPOUT[@]}" --ensemble "$ENSEMBLE"
  if [[ -z "${DRY_RUN:-}" ]]; then
    # Step 7 is member 0 of that run (the command without --ensemble trains the same network); its wall time is the
    # ensemble's divided by the members.
    python3 bench/results/record.py "$OUT" "$RUNS/step8.jsonl" --step 7 --name "$STEP7" --epochs "$DROPOUT_EPOCHS" --member 0 \
      --wall "$(python3 -c "print($LAST_WALL / $ENSEMBLE)")" --reference 99.60 --reference-label "$LABEL" \
      --command "$(tail -n1 "$OUT" | python3 -c 'import json, sys; print(json.load(sys.stdin)["command"])' | sed "s/ --ensemble $ENSEMBLE//")" >/dev/null
  fi
elif want 7 || want 8; then
  run 7 "$STEP7" 99.60 "$DROPOUT_EPOCHS" "${DROPOUT[@]}"
fi
if [[ -z "${DRY_RUN:-}" ]]; then echo "results appended to $OUT; render with: python3 bench/results/table.py $OUT" >&2; fi
