"""Stored PyTorch values for Hubel's normalisation tests (tests/Hubel.Tests/Norm/):
- batch norm: running_mean, running_var and num_batches_tracked of nn.BatchNorm1d/2d/3d after each of 3 training
  steps (momentum 0.1 and None = cumulative average; affine on and off), then the eval-mode output on a fresh input;
- LRN with AlexNet's constants (size 5, alpha 1e-4, beta 0.75, k 2) on inputs of AlexNet-like magnitude, where the
  normalisation visibly changes the values, and with a strong alpha.
usage: /usr/bin/python3 tools/golden/gen_norm.py > tests/Hubel.Tests/Golden/norm.json"""
import json
import torch

torch.manual_seed(11)
torch.set_default_dtype(torch.float64)


def flat(t):
    return t.detach().reshape(-1).tolist()


cases = []
for name, cls, shape, momentum, affine in [
    ("bn2d_momentum0.1", torch.nn.BatchNorm2d, [4, 3, 3, 2], 0.1, True),
    ("bn2d_cumulative", torch.nn.BatchNorm2d, [2, 3, 2, 2], None, True),
    ("bn1d_matrix_no_affine", torch.nn.BatchNorm1d, [5, 4], 0.3, False),
    ("bn1d_sequence", torch.nn.BatchNorm1d, [3, 2, 4], 0.1, True),
    ("bn3d", torch.nn.BatchNorm3d, [2, 2, 2, 2, 3], 0.1, True),
]:
    c = shape[1]
    bn = cls(c, momentum=momentum, affine=affine)
    if affine:
        with torch.no_grad():
            bn.weight.copy_(torch.rand(c) + 0.5)
            bn.bias.copy_(torch.randn(c))
    bn.train()
    steps = []
    for _ in range(3):
        x = torch.randn(*shape) * 2 + 1
        y = bn(x)
        steps.append(dict(x=flat(x), y=flat(y), running_mean=flat(bn.running_mean), running_var=flat(bn.running_var),
                          num_batches_tracked=int(bn.num_batches_tracked)))
    bn.eval()
    x_eval = torch.randn(*shape)
    cases.append(dict(name=name, kind=cls.__name__, shape=shape, momentum=momentum, affine=affine,
                      weight=flat(bn.weight) if affine else None, bias=flat(bn.bias) if affine else None,
                      steps=steps, x_eval=flat(x_eval), y_eval=flat(bn(x_eval))))

lrn = []
for name, shape, scale, alpha in [("alexnet", [2, 8, 3, 3], 60.0, 1e-4), ("alexnet_strong_alpha", [1, 6, 2, 2], 1.0, 0.5)]:
    x = torch.randn(*shape) * scale
    y = torch.nn.functional.local_response_norm(x, 5, alpha=alpha, beta=0.75, k=2.0)
    lrn.append(dict(name=name, shape=shape, size=5, alpha=alpha, beta=0.75, k=2.0, x=flat(x), y=flat(y)))

print(json.dumps(dict(generator="/usr/bin/python3 tools/golden/gen_norm.py > tests/Hubel.Tests/Golden/norm.json (torch.manual_seed(11))",
                      torch=torch.__version__, batch_norm=cases, lrn=lrn), indent=1))
