#!/usr/bin/python3
"""Golden values for Hubel's op registry, computed by PyTorch in float64.

Reads the samples that tools/SampleDump wrote (inputs, attributes, upstream gradient u), runs each through
the PyTorch equivalent of its op, and writes the output and the gradient of sum(out * u) with respect to
every differentiable input, rounded to 9 significant digits, to tests/Hubel.Tests/Golden/parity/<op>.json.
Debian's torch lives in /usr/bin/python3 (not a pyenv python3). See tools/golden/README.md.

Usage: /usr/bin/python3 tools/golden/gen_parity.py SAMPLES.json OUT_DIR [--ops op1,op2]
(writes OUT_DIR/<op>.json per op; --ops regenerates only those ops)
"""
import hashlib
import importlib.util
import os
import json
import struct
import sys
import warnings

import torch

GENERATOR = ("dotnet run --project tools/SampleDump -- out/golden-samples.json && "
             "/usr/bin/python3 tools/golden/gen_parity.py out/golden-samples.json tests/Hubel.Tests/Golden/parity [--ops a,b]")


def load_torch_table():
    """Merges TORCH from every module in tools/golden/torch_ops/ (one per op family)."""
    table = {}
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_ops")
    for name in sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_")):
        spec = importlib.util.spec_from_file_location(f"torch_ops.{name}", os.path.join(folder, f"{name}.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for op, fn in module.TORCH.items():
            if op in table:
                sys.exit(f"gen_parity.py: op '{op}' is defined twice in tools/golden/torch_ops/")
            table[op] = fn
    return table


TORCH = load_torch_table()


def fingerprint(sample):
    """Same bytes as OpSample.Fingerprint: inputs then upstream as float64, targets as int32, little-endian."""
    h = hashlib.sha256()
    for v in [i["values"] for i in sample["inputs"]] + [sample["upstream"]["values"]]:
        h.update(struct.pack("<%dd" % len(v), *v))
    targets = sample.get("targets") or []
    h.update(struct.pack("<%di" % len(targets), *targets))
    return h.hexdigest()[:16]


def tensor(spec, requires_grad=False):
    return torch.tensor(spec["values"], dtype=torch.float64).reshape(spec["shape"]).requires_grad_(requires_grad)


def r9(values):
    return [float("%.9g" % v) for v in values]


def run(sample):
    if sample["op"] not in TORCH:
        sys.exit(f"gen_parity.py: no PyTorch equivalent for op '{sample['op']}' (sample {sample['id']}); add it to a module in tools/golden/torch_ops/")
    fp = fingerprint(sample)
    if fp != sample["fingerprint"]:
        sys.exit(f"gen_parity.py: fingerprint mismatch for {sample['id']}: values did not survive the JSON round trip")
    inputs = [tensor(i, i["requires_grad"]) for i in sample["inputs"]]
    out = TORCH[sample["op"]](inputs, sample["attrs"], sample.get("targets"))
    if list(out.shape) != sample["out_shape"]:
        sys.exit(f"gen_parity.py: {sample['id']}: torch output shape {list(out.shape)} != Hubel's {sample['out_shape']}")
    upstream = tensor(sample["upstream"])
    wrt = [t for t in inputs if t.requires_grad]
    grads = iter(torch.autograd.grad((out * upstream).sum(), wrt, allow_unused=True))
    entry = {"op": sample["op"], "seed": sample["seed"], "fingerprint": fp, "out_shape": list(out.shape),
             "out": r9(out.detach().reshape(-1).tolist()), "grads": []}
    for t in inputs:
        g = next(grads) if t.requires_grad else None
        if t.requires_grad and g is None:
            g = torch.zeros_like(t)
        entry["grads"].append(None if g is None else r9(g.reshape(-1).tolist()))
    return entry


def main():
    args = sys.argv[1:]
    ops = None
    if "--ops" in args:
        i = args.index("--ops")
        ops = set(args[i + 1].split(","))
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    with open(args[0]) as f:
        samples = json.load(f)["samples"]
    torch.set_default_dtype(torch.float64)
    warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")
    by_op = {}
    for s in samples:
        if ops is None or s["op"] in ops:
            by_op.setdefault(s["op"], []).append((s["id"], run(s)))
    if ops is not None and ops - set(by_op):
        sys.exit(f"gen_parity.py: no samples for op(s) {sorted(ops - set(by_op))}")
    os.makedirs(args[1], exist_ok=True)
    for op, entries in sorted(by_op.items()):
        lines = ["{",
                 f'"generator": {json.dumps(GENERATOR)},',
                 f'"torch_version": {json.dumps(torch.__version__)},',
                 '"dtype": "float64",',
                 '"digits": 9,',
                 '"samples": {']
        body = [f"{json.dumps(i)}: {json.dumps(e, separators=(',', ':'))}" for i, e in entries]
        lines.append(",\n".join(body))
        lines.append("}}")
        path = os.path.join(args[1], f"{op}.json")
        with open(path + ".tmp", "w") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(path + ".tmp", path)
    print(f"wrote {sum(len(e) for e in by_op.values())} golden entries for {len(by_op)} ops (torch {torch.__version__}) to {args[1]}")


if __name__ == "__main__":
    main()
