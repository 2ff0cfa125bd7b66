"""PyTorch equivalents of the activation, normalisation and layout ops of branch layers-act
(leaky_relu, elu, softplus, prelu, rrelu, maxout, batch_norm, local_response_norm, dropout, dropout2d,
channel_shuffle, upsample, cat, embedding). See tools/golden/README.md.

Random ops (rrelu and dropout in training) draw their noise from Hubel's Rng (xoshiro256** seeded by SplitMix64);
HubelRng below is a port of src/Hubel/Tensors/Rng.cs, so the masks and slopes here are the ones Hubel draws, and the
golden values check the op around them. Maxout has no torch function: it is written from the notes' definition
(max over each group of k consecutive channels) with torch ops, which differentiate to the argmax."""
import torch
import torch.nn.functional as F

M64 = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M64


class HubelRng:
    def __init__(self, seed):
        x = seed & M64
        self.s = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & M64
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
            self.s.append(z ^ (z >> 31))

    def next_u64(self):
        s0, s1, s2, s3 = self.s
        result = (_rotl((s1 * 5) & M64, 7) * 9) & M64
        t = (s1 << 17) & M64
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = _rotl(s3, 45)
        self.s = [s0, s1, s2, s3]
        return result

    def next_double(self):
        return (self.next_u64() >> 11) * (1.0 / (1 << 53))


def rrelu(t, a, _):
    x = t[0]
    lo, hi = a["lower"], a["upper"]
    if not a["training"]:
        return F.rrelu(x, lo, hi, training=False)
    rng = HubelRng(a["seed"])
    slope = torch.tensor([lo + (hi - lo) * rng.next_double() for _ in range(x.numel())], dtype=x.dtype).reshape(x.shape)
    return torch.where(x > 0, x, x * slope)


def dropout_mask(shape, p, seed, dtype):
    rng = HubelRng(seed)
    n = 1
    for d in shape:
        n *= d
    keep = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    return torch.tensor([0.0 if rng.next_double() < p else keep for _ in range(n)], dtype=dtype).reshape(shape)


def dropout(t, a, _):
    x = t[0]
    if not a["training"] or a["p"] == 0:
        return x
    return x * dropout_mask(list(x.shape), a["p"], a["seed"], x.dtype)


def dropout2d(t, a, _):
    x = t[0]
    if not a["training"] or a["p"] == 0:
        return x
    return x * dropout_mask([x.shape[0], x.shape[1], 1, 1], a["p"], a["seed"], x.dtype)


def maxout(t, a, _):
    x, k = t[0], a["k"]
    return x.unflatten(1, (x.shape[1] // k, k)).max(dim=2).values


def batch_norm(t, a, _):
    x = t[0]
    c = x.shape[1]
    if a["training"]:
        w, b = (t[1], t[2]) if a["affine"] else (None, None)
        rm, rv = torch.zeros(c), torch.ones(c)
        return F.batch_norm(x, rm, rv, w, b, training=True, momentum=a["momentum"], eps=a["eps"])
    w, b = (t[3], t[4]) if a["affine"] else (None, None)
    return F.batch_norm(x, t[1], t[2] * t[2] + 0.5, w, b, training=False, momentum=a["momentum"], eps=a["eps"])


def channel_shuffle(t, a, _):
    x, g = t[0], a["groups"]
    n, c = x.shape[0], x.shape[1]
    return x.reshape(n, g, c // g, *x.shape[2:]).transpose(1, 2).reshape(x.shape)


def upsample(t, a, _):
    kw = {"mode": a["mode"]}
    if a["mode"] == "bilinear":
        kw["align_corners"] = a["align_corners"]
    if "size" in a:
        kw["size"] = tuple(a["size"])
    else:
        kw["scale_factor"] = a["scale_factor"]
    return F.interpolate(t[0], **kw)


TORCH = {
    "leaky_relu": lambda t, a, _: F.leaky_relu(t[0], a["negative_slope"]),
    "elu": lambda t, a, _: F.elu(t[0], a["alpha"]),
    "softplus": lambda t, a, _: F.softplus(t[0], a["beta"], a["threshold"]),
    "prelu": lambda t, a, _: F.prelu(t[0], t[1]),
    "rrelu": rrelu,
    "maxout": maxout,
    "batch_norm": batch_norm,
    "local_response_norm": lambda t, a, _: F.local_response_norm(t[0], a["size"], a["alpha"], a["beta"], a["k"]),
    "dropout": dropout,
    "dropout2d": dropout2d,
    "channel_shuffle": channel_shuffle,
    "upsample": upsample,
    "cat": lambda t, a, _: torch.cat(t, a["dim"]),
    "embedding": lambda t, a, y: F.embedding(torch.tensor(y, dtype=torch.long).reshape(a["shape"]), t[0]),
}
