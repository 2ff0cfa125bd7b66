#!/usr/bin/python3
"""Golden values for Hubel's op registry, computed by PyTorch in float64.

Reads the samples that tools/SampleDump wrote (inputs, attributes, upstream gradient u), runs each through
the PyTorch equivalent of its op, and writes the output and the gradient of sum(out * u) with respect to
every differentiable input, rounded to 9 significant digits, to tests/Hubel.Tests/Golden/parity.json.
Debian's torch lives in /usr/bin/python3 (not a pyenv python3). See tools/golden/README.md.

Usage: /usr/bin/python3 tools/golden/gen_parity.py SAMPLES.json OUT.json
"""
import hashlib
import json
import struct
import sys
import warnings

import torch
import torch.nn.functional as F

GENERATOR = ("dotnet run --project tools/SampleDump -- out/golden-samples.json && "
             "/usr/bin/python3 tools/golden/gen_parity.py out/golden-samples.json tests/Hubel.Tests/Golden/parity.json")


def pair(v):
    return tuple(v)


def conv_padding(x, w, a):
    """Returns (input, padding argument for F.conv2d). 'same' at stride 1 uses torch's own rule; every other
    scheme is computed here from its definition, independently of Hubel's Padding.Resolve."""
    p = a["padding"]
    (sh, sw), (dh, dw) = a["stride"], a["dilation"]
    kh, kw = w.shape[2], w.shape[3]
    if p == "valid":
        return x, 0
    if p == "same" and (sh, sw) == (1, 1):
        return x, "same"
    if p == "same":  # TensorFlow's rule: out = ceil(in/s); the odd pixel goes bottom/right.
        def split(size, k, s, d):
            out = -(-size // s)
            total = max((out - 1) * s + d * (k - 1) + 1 - size, 0)
            return total // 2, total - total // 2
        top, bottom = split(x.shape[2], kh, sh, dh)
        left, right = split(x.shape[3], kw, sw, dw)
    elif p == "full":
        top = bottom = dh * (kh - 1)
        left = right = dw * (kw - 1)
    else:
        top, bottom, left, right = p
    if top == bottom and left == right:
        return x, (top, left)
    return F.pad(x, (left, right, top, bottom)), 0


def conv2d(t, a, _):
    x, w = t[0], t[1]
    b = t[2] if len(t) > 2 else None
    x, padding = conv_padding(x, w, a)
    return F.conv2d(x, w, b, stride=pair(a["stride"]), padding=padding, dilation=pair(a["dilation"]), groups=a["groups"])


# op name (OpInfo.Name) -> f(inputs, attrs, targets). A new registry op with a new name needs one line here.
TORCH = {
    "conv2d": conv2d,
    "max_pool2d": lambda t, a, _: F.max_pool2d(t[0], pair(a["kernel_size"]), pair(a["stride"]), pair(a["padding"]),
                                               pair(a["dilation"]), ceil_mode=a["ceil_mode"]),
    "avg_pool2d": lambda t, a, _: F.avg_pool2d(t[0], pair(a["kernel_size"]), pair(a["stride"]), pair(a["padding"]),
                                               ceil_mode=a["ceil_mode"], count_include_pad=a["count_include_pad"]),
    "relu": lambda t, a, _: torch.relu(t[0]),
    "sigmoid": lambda t, a, _: torch.sigmoid(t[0]),
    "tanh": lambda t, a, _: torch.tanh(t[0]),
    "add": lambda t, a, _: torch.add(t[0], t[1]),
    "sub": lambda t, a, _: torch.sub(t[0], t[1]),
    "mul": lambda t, a, _: torch.mul(t[0], t[1]),
    "div": lambda t, a, _: torch.div(t[0], t[1]),
    "scale": lambda t, a, _: t[0] * a["s"],
    "add_scalar": lambda t, a, _: t[0] + a["s"],
    "neg": lambda t, a, _: torch.neg(t[0]),
    "matmul": lambda t, a, _: torch.matmul(t[0], t[1]),
    "linear": lambda t, a, _: F.linear(t[0], t[1], t[2] if a["bias"] else None),
    "sum": lambda t, a, _: torch.sum(t[0]),
    "mean": lambda t, a, _: torch.mean(t[0]),
    "sum_dim": lambda t, a, _: torch.sum(t[0], dim=tuple(a["dim"]), keepdim=a["keepdim"]),
    "mean_dim": lambda t, a, _: torch.mean(t[0], dim=tuple(a["dim"]), keepdim=a["keepdim"]),
    "softmax": lambda t, a, _: torch.softmax(t[0], dim=a["dim"]),
    "log_softmax": lambda t, a, _: torch.log_softmax(t[0], dim=a["dim"]),
    "cross_entropy": lambda t, a, y: F.cross_entropy(t[0], torch.tensor(y, dtype=torch.long)),
    "mse": lambda t, a, _: F.mse_loss(t[0], t[1]),
    "flatten": lambda t, a, _: torch.flatten(t[0], a["start_dim"], a["end_dim"]),
}


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
        sys.exit(f"gen_parity.py: no PyTorch equivalent for op '{sample['op']}' (sample {sample['id']}); add it to TORCH")
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
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        samples = json.load(f)["samples"]
    torch.set_default_dtype(torch.float64)
    warnings.filterwarnings("ignore", message="Using padding='same' with even kernel lengths")
    entries = [(s["id"], run(s)) for s in samples]
    lines = ["{",
             f'"generator": {json.dumps(GENERATOR)},',
             f'"torch_version": {json.dumps(torch.__version__)},',
             '"dtype": "float64",',
             '"digits": 9,',
             '"samples": {']
    body = [f"{json.dumps(i)}: {json.dumps(e, separators=(',', ':'))}" for i, e in entries]
    lines.append(",\n".join(body))
    lines.append("}}")
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(entries)} golden entries (torch {torch.__version__}) to {sys.argv[2]}")


if __name__ == "__main__":
    main()
