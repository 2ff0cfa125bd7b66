#!/usr/bin/python3
"""Dumps the state_dict names and shapes (no weights) and the parameter count of every torchvision model that
Hubel's zoo mirrors, one compact JSON file per model under tests/Hubel.Tests/Golden/zoo/. The zoo tests compare
Hubel's Module.NamedState() with it exactly, so torchvision weights load by name.

Run from the repository root with Debian's torch:  /usr/bin/python3 tools/golden/gen_zoo.py [model ...]
"""
import json
import os
import sys

import torch
import torchvision
from torchvision import models

OUT = os.path.join("tests", "Hubel.Tests", "Golden", "zoo")

# Hubel zoo name -> torchvision constructor (random init, no weights downloaded).
MODELS = {
    "alexnet": lambda: models.alexnet(),
    "vgg11": lambda: models.vgg11(), "vgg13": lambda: models.vgg13(),
    "vgg16": lambda: models.vgg16(), "vgg19": lambda: models.vgg19(),
    "vgg11_bn": lambda: models.vgg11_bn(), "vgg13_bn": lambda: models.vgg13_bn(),
    "vgg16_bn": lambda: models.vgg16_bn(), "vgg19_bn": lambda: models.vgg19_bn(),
    "googlenet": lambda: models.googlenet(aux_logits=False, init_weights=False),
    "googlenet_aux": lambda: models.googlenet(aux_logits=True, init_weights=False),
    "resnet18": lambda: models.resnet18(), "resnet34": lambda: models.resnet34(),
    "resnet50": lambda: models.resnet50(), "resnet101": lambda: models.resnet101(),
    "resnet152": lambda: models.resnet152(),
    "densenet121": lambda: models.densenet121(), "densenet161": lambda: models.densenet161(),
    "densenet169": lambda: models.densenet169(), "densenet201": lambda: models.densenet201(),
    "mobilenet_v2": lambda: models.mobilenet_v2(),
    "shufflenet_v2_x0_5": lambda: models.shufflenet_v2_x0_5(), "shufflenet_v2_x1_0": lambda: models.shufflenet_v2_x1_0(),
    "shufflenet_v2_x1_5": lambda: models.shufflenet_v2_x1_5(), "shufflenet_v2_x2_0": lambda: models.shufflenet_v2_x2_0(),
}


def dump(name, make):
    torch.manual_seed(0)
    net = make()
    state = [f"{k} {','.join(str(d) for d in v.shape)}" for k, v in net.state_dict().items()]
    doc = {
        "model": name,
        "source": f"torchvision {torchvision.__version__}, torch {torch.__version__}; regenerate: /usr/bin/python3 tools/golden/gen_zoo.py {name}",
        "parameters": sum(p.numel() for p in net.parameters()),
        "state": state,  # "key d0,d1,..." in state_dict order; scalars (num_batches_tracked) have no dims
    }
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=0, separators=(",", ":"))
        f.write("\n")
    print(name, doc["parameters"], len(state))


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for name in sys.argv[1:] or MODELS:
        dump(name, MODELS[name])
