"""Stored PyTorch outputs of the peer models (../shared/peers/models.py: Network3, ResNet20) for Hubel's model tests
(tests/Hubel.Tests/Models/PeerModelParityTests.cs). Weights and inputs are not random: every state tensor (state_dict
order, num_batches_tracked left out) is filled by a closed formula that the C# test repeats, so no weight file is stored.
For each model: eval-mode logits, train-mode logits (batch statistics), and after cross_entropy(train logits, targets)
the gradients of a few parameters (for ResNet-20, layers.2.bn2 sits right before a stride-2 option-A shortcut, so its
gradient checks the shortcut's backward). Computed in float64.
usage: /usr/bin/python3 tools/golden/gen_models.py > tests/Hubel.Tests/Golden/models.json"""
import json, math, sys, os
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "peers"))
sys.path.insert(0, "/work/shared/peers")
import models  # noqa: E402

torch.set_default_dtype(torch.float64)


def hashed(i, j):
    """A reproducible pseudo-random value in [-1, 1): the fractional part of a scaled sine (the usual shader hash).
    Plain sin(a*i + b) would repeat with the image period and leave ReLU inputs tied near zero."""
    v = math.sin(12.9898 * i + 78.233 * j + 0.5) * 43758.5453
    return 2 * (v - math.floor(v)) - 1


def fill(name, shape, j):
    n = math.prod(shape)
    s = torch.tensor([hashed(i, j) for i in range(n)], dtype=torch.float64).reshape(shape)
    if name.endswith("running_var"):
        return 1 + 0.5 * s * s
    if name.endswith("running_mean") or name.endswith("bias"):
        return 0.1 * s
    if len(shape) == 1:  # batch-norm weight
        return 1 + 0.2 * s
    return s * math.sqrt(3 / (n / shape[0]))  # unit-variance outputs: uniform with variance 1/fan_in


def inputs(shape):
    n = math.prod(shape)
    return torch.tensor([hashed(i, 1000) for i in range(n)], dtype=torch.float64).reshape(shape)


def r(t):
    return [float(f"{v:.9g}") for v in t.detach().reshape(-1).tolist()]


def case(name, model, shape, grads):
    sd = model.state_dict()
    j = 0
    with torch.no_grad():
        for k, v in sd.items():
            if k.endswith("num_batches_tracked"):
                continue
            v.copy_(fill(k, list(v.shape), j))
            j += 1
    x = inputs(shape)
    targets = [3, 7]
    model.eval()
    with torch.no_grad():
        ev = model(x)
    model.train()
    tr = model(x)
    loss = torch.nn.functional.cross_entropy(tr, torch.tensor(targets))
    loss.backward()
    params = dict(model.named_parameters())
    return dict(model=name, state_names=list(sd.keys()), parameters=sum(p.numel() for p in model.parameters()), input_shape=shape, targets=targets, eval_logits=r(ev), train_logits=r(tr), loss=float(f"{loss.item():.9g}"),
                grads={g: r(params[g].grad) for g in grads})


out = dict(command="/usr/bin/python3 tools/golden/gen_models.py > tests/Hubel.Tests/Golden/models.json", torch=torch.__version__, cases=[
    case("network3", models.Network3(), [2, 1, 28, 28], ["conv1.bias", "fc2.weight"]),
    case("resnet20", models.ResNet20(), [2, 3, 32, 32], ["conv.weight", "layers.2.bn2.weight", "layers.5.bn2.bias", "fc.bias"]),
])
json.dump(out, sys.stdout, indent=1)
print()
