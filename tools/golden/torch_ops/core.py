"""PyTorch equivalents of the core ops (conv2d, pooling, activations, arithmetic, reductions, softmax, losses).
Each module in tools/golden/torch_ops/ defines TORCH: op name (OpInfo.Name) -> f(inputs, attrs, targets);
gen_parity.py merges them. A new op family adds its own module, so parallel work does not collide."""
import torch
import torch.nn.functional as F


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
    "cross_entropy": lambda t, a, y: F.cross_entropy(t[0], torch.tensor(y, dtype=torch.long), label_smoothing=a.get("label_smoothing", 0.0)),
    "mse": lambda t, a, _: F.mse_loss(t[0], t[1]),
    "flatten": lambda t, a, _: torch.flatten(t[0], a["start_dim"], a["end_dim"]),
}


