"""Stored PyTorch values for Hubel's optimiser, schedule and gradient-clipping tests, all in float64:
- optimizers: parameters after each of 4 steps with fixed gradients, several configs each of Adam, AdamW,
  RMSprop and Adagrad (single-tensor code path: foreach=False);
- schedules: the learning rate after each of N scheduler steps (base lr 0.1; one-cycle without momentum cycling);
- clipping: clip_grad_norm_ (returned total norm and the clipped gradients) and clip_grad_value_.
usage: /usr/bin/python3 tools/golden/gen_optim.py > tests/Hubel.Tests/Golden/optim.json"""
import json, torch
from torch.optim import lr_scheduler as S

torch.manual_seed(11)
p0 = torch.randn(2, 3, dtype=torch.float64)
grads = [torch.randn(2, 3, dtype=torch.float64) for _ in range(4)]

OPTIMIZERS = {
    "adam": (torch.optim.Adam, [
        dict(lr=0.01),
        dict(lr=0.05, betas=(0.8, 0.95), eps=1e-6),
        dict(lr=0.01, weight_decay=0.1),
        dict(lr=0.02, amsgrad=True, weight_decay=0.01),
    ]),
    "adamw": (torch.optim.AdamW, [
        dict(lr=0.01),
        dict(lr=0.05, weight_decay=0.2, betas=(0.85, 0.99)),
        dict(lr=0.02, amsgrad=True),
    ]),
    "rmsprop": (torch.optim.RMSprop, [
        dict(lr=0.01),
        dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.05),
        dict(lr=0.005, momentum=0.9),
        dict(lr=0.005, centered=True, momentum=0.5),
    ]),
    "adagrad": (torch.optim.Adagrad, [
        dict(lr=0.1),
        dict(lr=0.1, lr_decay=0.05, weight_decay=0.1),
        dict(lr=0.05, initial_accumulator_value=0.5, eps=1e-6),
    ]),
}

optimizers = []
for name, (cls, configs) in OPTIMIZERS.items():
    for cfg in configs:
        p = p0.clone().requires_grad_(True)
        opt = cls([p], foreach=False, **cfg)
        after = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            after.append(p.detach().flatten().tolist())
        c = dict(cfg)
        if "betas" in c:
            c["beta1"], c["beta2"] = c.pop("betas")
        optimizers.append(dict(optimizer=name, config=c, after=after))


def lrs(make, steps):
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = make(opt)
    out = [opt.param_groups[0]["lr"]]
    for _ in range(steps):
        opt.step()
        sched.step()
        out.append(opt.param_groups[0]["lr"])
    return out


def warmup(inner, w):
    def make(opt):
        lin = S.LinearLR(opt, start_factor=1.0 / (w + 1), end_factor=1.0, total_iters=w)
        return S.SequentialLR(opt, [lin, inner(opt)], milestones=[w])
    return make


schedules = [
    dict(kind="step", step_size=3, gamma=0.5, lrs=lrs(lambda o: S.StepLR(o, 3, gamma=0.5), 10)),
    dict(kind="multistep", milestones=[2, 5, 6], gamma=0.3, lrs=lrs(lambda o: S.MultiStepLR(o, [2, 5, 6], gamma=0.3), 9)),
    dict(kind="cosine", t_max=8, eta_min=0.0, lrs=lrs(lambda o: S.CosineAnnealingLR(o, 8), 8)),
    dict(kind="cosine", t_max=5, eta_min=0.01, lrs=lrs(lambda o: S.CosineAnnealingLR(o, 5, eta_min=0.01), 5)),
    dict(kind="onecycle", max_lr=0.5, total_steps=20, pct_start=0.3, anneal="cos", div_factor=25.0, final_div_factor=1e4,
         lrs=lrs(lambda o: S.OneCycleLR(o, 0.5, total_steps=20, cycle_momentum=False), 20)),
    dict(kind="onecycle", max_lr=0.2, total_steps=12, pct_start=0.25, anneal="linear", div_factor=10.0, final_div_factor=100.0,
         lrs=lrs(lambda o: S.OneCycleLR(o, 0.2, total_steps=12, pct_start=0.25, anneal_strategy="linear", div_factor=10.0,
                                        final_div_factor=100.0, cycle_momentum=False), 12)),
    dict(kind="warmup_step", warmup=2, step_size=2, gamma=0.5, lrs=lrs(warmup(lambda o: S.StepLR(o, 2, gamma=0.5), 2), 8)),
    dict(kind="warmup_cosine", warmup=3, t_max=5, eta_min=0.0, lrs=lrs(warmup(lambda o: S.CosineAnnealingLR(o, 5), 3), 8)),
]

clipping = []
gs = [torch.randn(3, 4, dtype=torch.float64) * 2, torch.randn(5, dtype=torch.float64), torch.randn(2, 2, dtype=torch.float64) * 0.1]
for kind, arg, norm_type in [("norm", 1.0, 2.0), ("norm", 100.0, 2.0), ("norm", 0.5, float("inf")), ("norm", 2.0, 1.0), ("value", 0.5, None)]:
    ps = [torch.zeros_like(g, requires_grad=True) for g in gs]
    for p, g in zip(ps, gs):
        p.grad = g.clone()
    total = None
    if kind == "norm":
        total = torch.nn.utils.clip_grad_norm_(ps, arg, norm_type=norm_type).item()
    else:
        torch.nn.utils.clip_grad_value_(ps, arg)
    clipping.append(dict(kind=kind, limit=arg, norm_type="inf" if norm_type == float("inf") else norm_type, total_norm=total,
                         clipped=[p.grad.flatten().tolist() for p in ps]))

print(json.dumps(dict(generator="tools/golden/gen_optim.py (torch.manual_seed(11))", torch=torch.__version__,
                      shape=[2, 3], p0=p0.flatten().tolist(), grads=[g.flatten().tolist() for g in grads],
                      optimizers=optimizers, schedules=schedules,
                      clip_grads=dict(shapes=[list(g.shape) for g in gs], grads=[g.flatten().tolist() for g in gs]),
                      clipping=clipping), indent=1))
