"""PyTorch equivalents of pad, conv1d, conv3d and conv_transpose1d/2d/3d (see core.py for the TORCH contract).
Convolution padding schemes are turned into explicit amounts here, from their definitions, independently of
Hubel's Padding.ResolveNd, then applied with F.pad before an unpadded convolution."""
import torch.nn.functional as F


def conv_amounts(x, w, a):
    """(before, after) per spatial dimension, outermost first."""
    p, rank = a["padding"], x.dim() - 2
    spatial, kernel = x.shape[2:], w.shape[2:]
    out = []
    for i in range(rank):
        s, d, k, n = a["stride"][i], a["dilation"][i], kernel[i], spatial[i]
        if p == "valid":
            out.append((0, 0))
        elif p == "full":
            out.append((d * (k - 1), d * (k - 1)))
        elif p == "same":  # out = ceil(in/s); the odd pixel goes after (TensorFlow's rule)
            o = -(-n // s)
            total = max((o - 1) * s + d * (k - 1) + 1 - n, 0)
            out.append((total // 2, total - total // 2))
        else:
            out.append((p[2 * i], p[2 * i + 1]))
    return out


def conv_nd(fn):
    def run(t, a, _):
        x, w = t[0], t[1]
        b = t[2] if len(t) > 2 else None
        flat = [v for before, after in reversed(conv_amounts(x, w, a)) for v in (before, after)]
        return fn(F.pad(x, flat), w, b, stride=tuple(a["stride"]), dilation=tuple(a["dilation"]), groups=a["groups"])
    return run


def conv_transpose(fn):
    def run(t, a, _):
        b = t[2] if len(t) > 2 else None
        return fn(t[0], t[1], b, stride=tuple(a["stride"]), padding=tuple(a["padding"]),
                  output_padding=tuple(a["output_padding"]), groups=a["groups"], dilation=tuple(a["dilation"]))
    return run


TORCH = {
    "pad": lambda t, a, _: F.pad(t[0], tuple(a["pad"]), mode=a["mode"]),
    "conv1d": conv_nd(F.conv1d),
    "conv3d": conv_nd(F.conv3d),
    "conv_transpose1d": conv_transpose(F.conv_transpose1d),
    "conv_transpose2d": conv_transpose(F.conv_transpose2d),
    "conv_transpose3d": conv_transpose(F.conv_transpose3d),
}
