"""Stored PyTorch values for Hubel's SGD tests: parameters after each of 3 steps with fixed gradients,
for plain, momentum, weight-decay, dampening and Nesterov settings.
usage: /usr/bin/python3 tools/golden/gen_sgd.py > tests/Hubel.Tests/Golden/sgd.json"""
import json, torch

torch.manual_seed(7)
p0 = torch.randn(2, 3, dtype=torch.float64)
grads = [torch.randn(2, 3, dtype=torch.float64) for _ in range(3)]
configs = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01),
    dict(lr=0.05, momentum=0.5, dampening=0.3),
    dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.1),
]
cases = []
for cfg in configs:
    p = p0.clone().requires_grad_(True)
    opt = torch.optim.SGD([p], **cfg)
    after = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        after.append(p.detach().flatten().tolist())
    cases.append(dict(config=cfg, after=after))
print(json.dumps(dict(generator="tools/golden/gen_sgd.py (torch.manual_seed(7))", torch=torch.__version__,
                      shape=[2, 3], p0=p0.flatten().tolist(), grads=[g.flatten().tolist() for g in grads],
                      cases=cases), indent=1))
