#!/usr/bin/env python3
"""Appends one summary line for a `hubel train --json` run to a JSON lines results file (read by table.py).

usage: record.py RESULTS RAW --step S --name NAME --epochs E --wall SECONDS --command CMD
                 [--reference X --reference-label LABEL] [--member K]

RAW holds the run's stdout: one JSON object per epoch ({"epoch", "test_accuracy", "val_accuracy"?, "seconds",
"images_per_second"}, with "member" in ensembles) and, for --ensemble, a last object with the ensemble's accuracies.
--member K summarises member K of an ensemble run as a run of its own (seed + K, the same settings).
Plain python3, no third-party packages.
"""
import argparse
import json
import statistics
import sys


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("results")
    p.add_argument("raw")
    p.add_argument("--step", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--epochs", type=int, required=True)
    p.add_argument("--wall", type=float, required=True, help="wall-clock seconds of the whole command")
    p.add_argument("--command", required=True)
    p.add_argument("--reference", type=float, help="the figure to compare with (e.g. Nielsen's MNIST accuracy, %%)")
    p.add_argument("--reference-label", default="reference")
    p.add_argument("--member", type=int, help="summarise only this ensemble member")
    return p.parse_args(argv)


def summarise(lines, member=None):
    """Final and best-validation test accuracy, epochs run and throughput of one run (or one ensemble member)."""
    scope = [o for o in lines if "epoch" in o and (member is None or o.get("member", 0) == member)]
    epochs = scope
    if member is None and any("member" in o for o in scope):
        epochs = [o for o in scope if o["member"] == 0]   # per-epoch figures of a whole ensemble: member 0's
    if not epochs:
        raise SystemExit(f"record.py: no epoch lines{'' if member is None else f' for member {member}'} in the run's output")
    out = {
        "epochs_run": len(epochs),
        "final_test_accuracy": epochs[-1]["test_accuracy"],
        "train_seconds": round(sum(o["seconds"] for o in scope), 1),   # training only, every member
        "images_per_second": round(statistics.median(o["images_per_second"] for o in scope), 1),
        "first_epoch_test_accuracy": epochs[0]["test_accuracy"],
    }
    with_val = [o for o in epochs if "val_accuracy" in o]
    if with_val:
        best = max(with_val, key=lambda o: o["val_accuracy"])   # first of equals, as Nielsen's network3.py
        out.update(best_val_epoch=best["epoch"], best_val_accuracy=best["val_accuracy"], test_accuracy_at_best_val=best["test_accuracy"])
    return out


def main(argv):
    a = parse_args(argv)
    with open(a.raw, encoding="utf-8") as f:
        lines = [json.loads(l) for l in f if l.strip().startswith("{")]
    record = {"step": a.step, "name": a.name, "reference": a.reference, "reference_label": a.reference_label,
              "epochs": a.epochs, "wall_seconds": round(a.wall, 1), "command": a.command}
    record.update(summarise(lines, a.member))
    ensemble = next((o for o in lines if "ensemble_vote_accuracy" in o), None)
    if ensemble is not None and a.member is None:
        # Nielsen's ensemble votes: its figure is the majority vote of the members' final models.
        record.update(members=len(ensemble["member_test_accuracy"]), member_test_accuracy=ensemble["member_test_accuracy"],
                      ensemble_vote_accuracy=ensemble["ensemble_vote_accuracy"],
                      ensemble_mean_probability_accuracy=ensemble["ensemble_mean_probability_accuracy"],
                      final_test_accuracy=ensemble["ensemble_vote_accuracy"])
        for key in ("best_val_epoch", "best_val_accuracy", "test_accuracy_at_best_val"):
            record.pop(key, None)   # no single epoch to pick for an ensemble
    if a.member is not None:
        record["note"] = f"member {a.member} of an ensemble run; wall time = the run's / members"
    with open(a.results, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
    print(json.dumps(record))


if __name__ == "__main__":
    main(sys.argv[1:])
