"""PyTorch equivalents of the special convolutions (im2col/col2im, locally connected, tiled, FFT conv).

im2col/col2im are torch's F.unfold/F.fold and conv2d_fft is F.conv2d. PyTorch has no locally connected or tiled
convolution: their golden values come from a naive float64 reference written straight from the notes' formula
(S2 §3.1: Z[i,j,k] = sum_{l,m,n} V[l, j*s+m, k*s+n] W[j,k,i,l,m,n] + b[i,j,k]; S2 §3.2: W[j % t, k % t, ...]),
with torch used only for the building blocks (padding, slicing, einsum) so autograd gives the gradients."""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from core import conv2d  # noqa: E402  (same padding rules as conv2d)


def local_reference(x, w, b, stride, padding):
    """Loops over output positions: out[:, :, j, k] = sum over the window at (j, k) with kernel W[j, k]."""
    sh, sw = stride
    ph, pw = padding
    x = F.pad(x, (pw, pw, ph, ph))
    oh, ow, cout, cin, kh, kw = w.shape
    rows = []
    for j in range(oh):
        cols = []
        for k in range(ow):
            window = x[:, :, j * sh:j * sh + kh, k * sw:k * sw + kw]           # [N, Cin, KH, KW]
            cols.append(torch.einsum("nlmq,ilmq->ni", window, w[j, k]))      # [N, Cout]
        rows.append(torch.stack(cols, dim=-1))                               # [N, Cout, OW]
    out = torch.stack(rows, dim=-2)                                          # [N, Cout, OH, OW]
    return out if b is None else out + b


def local2d(t, a, _):
    return local_reference(t[0], t[1], t[2] if len(t) > 2 else None, a["stride"], a["padding"])


def local1d(t, a, _):
    x, w = t[0].unsqueeze(2), t[1].unsqueeze(0).unsqueeze(-2)                # [N,C,1,L], [1,OL,Cout,C,1,K]
    b = t[2].unsqueeze(1) if len(t) > 2 else None
    return local_reference(x, w, b, (1, a["stride"]), (0, a["padding"])).squeeze(2)


def tiled(t, a, _):
    x, w = t[0], t[1]
    th, tw, _, _, kh, kw = w.shape
    (sh, sw), (ph, pw) = a["stride"], a["padding"]
    oh = (x.shape[2] + 2 * ph - kh) // sh + 1
    ow = (x.shape[3] + 2 * pw - kw) // sw + 1
    full = torch.stack([torch.stack([w[j % th, k % tw] for k in range(ow)]) for j in range(oh)])
    b = None
    if len(t) > 2:
        b = torch.stack([torch.stack([t[2][:, j % th, k % tw] for k in range(ow)], dim=-1) for j in range(oh)], dim=-2)
    return local_reference(x, full, b, (sh, sw), (ph, pw))


TORCH = {
    "im2col": lambda t, a, _: F.unfold(t[0], tuple(a["kernel_size"]), dilation=tuple(a["dilation"]),
                                       padding=tuple(a["padding"]), stride=tuple(a["stride"])),
    "col2im": lambda t, a, _: F.fold(t[0], tuple(a["output_size"]), tuple(a["kernel_size"]), dilation=tuple(a["dilation"]),
                                     padding=tuple(a["padding"]), stride=tuple(a["stride"])),
    "locally_connected2d": local2d,
    "locally_connected1d": local1d,
    "tiled_conv2d": tiled,
    "conv2d_fft": conv2d,
    "conv2d_depthwise": conv2d,
}
