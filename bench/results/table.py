#!/usr/bin/env python3
"""Renders results files written by record.py (nielsen_ladder.sh, lenet5.sh, resnet.sh) as markdown tables for
docs/RESULTS.md: step, the reference figure (Nielsen's MNIST accuracy for the ladder), Hubel's Fashion-MNIST test
accuracy, epochs, wall time and the command.

usage: python3 bench/results/table.py FILE.jsonl [FILE.jsonl ...]      (one table per file; plain python3)

Accuracy: with a validation split, the test accuracy at the epoch of best validation accuracy (Nielsen's protocol in
network3.py), with the final epoch's in brackets; an ensemble's is the majority vote of the members' final models.
When a step was run more than once, the last record wins.
"""
import json
import sys


def pct(x):
    return f"{100 * x:.2f}"


def duration(seconds):
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h {m:02d}m" if h else f"{m}m {s:02d}s" if m else f"{s}s"


def step_key(record):
    step = str(record["step"])
    return (0, int(step), "") if step.isdigit() else (1, 0, step)


def accuracy(r):
    if "ensemble_vote_accuracy" in r:
        members = ", ".join(pct(a) for a in r["member_test_accuracy"])
        return f"**{pct(r['ensemble_vote_accuracy'])}** (vote; mean prob. {pct(r['ensemble_mean_probability_accuracy'])}; members {members})"
    if "test_accuracy_at_best_val" in r:
        return f"**{pct(r['test_accuracy_at_best_val'])}** (final {pct(r['final_test_accuracy'])})"
    return f"**{pct(r['final_test_accuracy'])}**"


def epochs(r):
    text = str(r["epochs"])
    if r.get("epochs_run", r["epochs"]) != r["epochs"]:
        text += f" (stopped at {r['epochs_run']})"
    if "best_val_epoch" in r:
        text += f", best val. at {r['best_val_epoch']}"
    return text


def render(records):
    latest = {}
    for r in records:
        latest[str(r["step"])] = r
    rows = sorted(latest.values(), key=step_key)
    label = next((r.get("reference_label") for r in rows if r.get("reference") is not None), None)
    head = ["Step", "What"] + ([label] if label else []) + ["Hubel, Fashion-MNIST test (%)", "Epochs", "Wall time", "img/s", "Command"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [str(r["step"]), r["name"]]
        if label:
            cells.append("" if r.get("reference") is None else f"{r['reference']:.2f}")
        note = f" ({r['note']})" if "note" in r else ""
        cells += [accuracy(r), epochs(r), duration(r["wall_seconds"]) + note, f"{r['images_per_second']:,.0f}",
                  "`" + r["command"].replace("|", "\\|") + "`"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for i, path in enumerate(paths):
        with open(path, encoding="utf-8") as f:
            records = [json.loads(l) for l in f if l.strip()]
        if not records:
            print(f"{path}: no records", file=sys.stderr)
            return 1
        if i:
            print()
        print(render(records))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
