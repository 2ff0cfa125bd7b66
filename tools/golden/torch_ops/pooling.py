"""PyTorch equivalents of the pooling family beyond 2-D max/avg: 1-D/3-D max/avg, adaptive and global pooling,
spatial pyramid pooling, LP pooling, max pooling with indices, max unpooling and cross-channel max pooling.
Cross-channel max pooling has no torch function: it is the reshape + amax of its definition. SPP is torch.cat of
flattened adaptive_max_pool2d levels (He et al. 2014). Unpool indices arrive as a flat int attribute."""
import torch
import torch.nn.functional as F


def t3(v):
    return tuple(v)


def spp(t, a, _):
    x = t[0]
    return torch.cat([F.adaptive_max_pool2d(x, l).flatten(1) for l in a["levels"]], dim=1)


def channel_max(t, a, _):
    x, k = t[0], a["kernel_size"]
    return x.reshape(x.shape[0], x.shape[1] // k, k, *x.shape[2:]).amax(dim=2)


def unpool(t, a, _):
    x = t[0]
    idx = torch.tensor(a["indices"], dtype=torch.long).reshape(x.shape)
    return F.max_unpool2d(x, idx, tuple(a["kernel_size"]), tuple(a["stride"]), tuple(a["padding"]),
                          output_size=tuple(a["output_size"]) if "output_size" in a else None)


TORCH = {
    "max_pool1d": lambda t, a, _: F.max_pool1d(t[0], a["kernel_size"], a["stride"], a["padding"], a["dilation"],
                                               ceil_mode=a["ceil_mode"]),
    "avg_pool1d": lambda t, a, _: F.avg_pool1d(t[0], a["kernel_size"], a["stride"], a["padding"],
                                               ceil_mode=a["ceil_mode"], count_include_pad=a["count_include_pad"]),
    "max_pool3d": lambda t, a, _: F.max_pool3d(t[0], t3(a["kernel_size"]), t3(a["stride"]), t3(a["padding"]),
                                               t3(a["dilation"]), ceil_mode=a["ceil_mode"]),
    "avg_pool3d": lambda t, a, _: F.avg_pool3d(t[0], t3(a["kernel_size"]), t3(a["stride"]), t3(a["padding"]),
                                               ceil_mode=a["ceil_mode"], count_include_pad=a["count_include_pad"]),
    "adaptive_avg_pool2d": lambda t, a, _: F.adaptive_avg_pool2d(t[0], tuple(a["output_size"])),
    "adaptive_max_pool2d": lambda t, a, _: F.adaptive_max_pool2d(t[0], tuple(a["output_size"])),
    "adaptive_max_pool2d_with_indices": lambda t, a, _: F.adaptive_max_pool2d(t[0], tuple(a["output_size"]), return_indices=True)[0],
    "adaptive_avg_pool1d": lambda t, a, _: F.adaptive_avg_pool1d(t[0], a["output_size"]),
    "adaptive_max_pool1d": lambda t, a, _: F.adaptive_max_pool1d(t[0], a["output_size"]),
    "global_avg_pool2d": lambda t, a, _: F.adaptive_avg_pool2d(t[0], 1),
    "global_max_pool2d": lambda t, a, _: F.adaptive_max_pool2d(t[0], 1),
    "spatial_pyramid_pool": spp,
    "lp_pool2d": lambda t, a, _: F.lp_pool2d(t[0], a["norm_type"], tuple(a["kernel_size"]), tuple(a["stride"]),
                                             ceil_mode=a["ceil_mode"]),
    "lp_pool1d": lambda t, a, _: F.lp_pool1d(t[0], a["norm_type"], a["kernel_size"], a["stride"], ceil_mode=a["ceil_mode"]),
    "max_pool2d_with_indices": lambda t, a, _: F.max_pool2d(t[0], tuple(a["kernel_size"]), tuple(a["stride"]),
                                                            tuple(a["padding"]), tuple(a["dilation"]),
                                                            ceil_mode=a["ceil_mode"], return_indices=True)[0],
    "max_unpool2d": unpool,
    "channel_max_pool": channel_max,
}
