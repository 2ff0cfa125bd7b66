#!/usr/bin/env python3
"""Predicted data-parallel scaling efficiency for N ranks (docs/SCALING.md).

Ring all-reduce of G gradient bytes in k buckets over links of bandwidth B and per-message latency a:
    T_ar = 2(N-1)/N * G / B + k * 2(N-1) * a
Weak scaling (fixed images per rank), compute per step T_c, backward ~ 2/3 of it:
    no overlap:   E = T_c / (T_c + T_ar)
    overlap:      E = T_c / (T_c + max(0, T_ar - h * T_bwd))   with h the share of backward the all-reduce can hide behind
Usage: /usr/bin/python3 bench/distributed/cost_model.py <hubel GFLOP/s per rank> <LeNet-5 step seconds> [hidden share] [faster GFLOP/s]
The optional last argument adds the same table for ranks that compute that much faster (all step times scaled).
"""
import sys

# name, parameters, forward multiply-adds per image, images per rank per step, buckets (1 MiB / 25 MiB as PyTorch)
MODELS = [
    ("LeNet-5", 61_706, 416_520, 32, 1),
    ("ResNet-20 (CIFAR)", 272_474, 40_810_000, 32, 1),
    ("ResNet-50 (224 px)", 25_557_032, 4_089_000_000, 32, 5),
]
LINKS = [("10 Gb/s", 10e9 / 8, 25e-6), ("100 Gb/s", 100e9 / 8, 3e-6)]   # bytes/s, latency per message step
RANKS = [8, 64, 512]


def main():
    gflops = float(sys.argv[1])
    lenet_step = float(sys.argv[2])
    hidden = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    table(gflops, lenet_step, hidden)
    if len(sys.argv) > 4:
        faster = float(sys.argv[4])
        print(f"\nRanks {faster / gflops:.0f}x faster ({faster:g} GFLOP/s sustained):\n")
        table(faster, lenet_step * gflops / faster, hidden)


def table(gflops, lenet_step, hidden):
    print("| model | compute/step (1 rank) | gradient | link | N | all-reduce/step | efficiency, no overlap | efficiency, overlapped |")
    print("|---|---|---|---|---|---|---|---|")
    for name, params, macs, batch, buckets in MODELS:
        # LeNet-5: measured; others: training FLOPs (3 x forward, 2 per multiply-add) at Hubel's measured rate.
        tc = lenet_step if name == "LeNet-5" else 6 * macs * batch / (gflops * 1e9)
        grad = 4 * params
        for link, bw, lat in LINKS:
            for n in RANKS:
                tar = 2 * (n - 1) / n * grad / bw + buckets * 2 * (n - 1) * lat
                e0 = tc / (tc + tar)
                e1 = tc / (tc + max(0.0, tar - hidden * tc * 2 / 3))
                print(f"| {name} | {fmt(tc)} | {grad / 1e6:.2f} MB | {link} | {n} | {fmt(tar)} | {e0:.0%} | {e1:.0%} |")


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    return f"{seconds * 1e3:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


if __name__ == "__main__":
    main()
