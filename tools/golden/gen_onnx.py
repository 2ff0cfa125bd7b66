"""ONNX files exported by PyTorch, for Hubel's ONNX import tests (tests/Hubel.Tests/Onnx/OnnxImportTests.cs).
Each model is exported at opset 13 (Hubel's pinned opset) in eval mode with constant folding, and stored with a
JSON file holding a fixed input and PyTorch's output (float64 lists, 9 significant digits).
torch 1.13 leaves F.pad's amounts and flatten's target shape as a small integer subgraph (ConstantOfShape, Concat, Reshape, Slice with step -1,
Transpose, Cast; Shape of a statically shaped tensor) that its own folding skips; fold_int_constants() below evaluates such all-constant integer nodes with
numpy and stores the results as initializers, as onnx's optimisers would. Float computation is never folded.
  lenet5       the peer LeNet-5 of ../shared/peers/models.py, seed 5
  basicblock   the peer ResNet BasicBlock with option-A shortcut (strided Slice + channel Pad) and trained batch norms
  coverage     Conv (groups, dilation), PReLU, AvgPool, ConvTranspose, nearest Upsample, Concat, ELU, LeakyReLU,
               Softplus, Sigmoid, Tanh, GlobalAveragePool, Flatten, Gemm, LogSoftmax
  conv1d3d     Conv1d + MaxPool1d and Conv3d + MaxPool3d + AvgPool3d, bilinear Upsample
usage (from the repository root): /usr/bin/python3 tools/golden/gen_onnx.py tests/Hubel.Tests/Golden/onnx"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, "/work/shared/peers")
from models import LeNet5, BasicBlock  # noqa: E402
import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402

OPSET = 13
out_dir = sys.argv[1]


def r9(values):
    return [float(f"{v:.9g}") for v in values]


def fold_int_constants(path):
    m = onnx.shape_inference.infer_shapes(onnx.load(path))
    g = m.graph
    consts = {i.name: numpy_helper.to_array(i) for i in g.initializer}
    static = {}
    for v in list(g.input) + list(g.value_info):
        dims = v.type.tensor_type.shape.dim
        if all(d.HasField("dim_value") for d in dims):
            static[v.name] = np.array([d.dim_value for d in dims], dtype=np.int64)
    keep, new_inits = [], []

    def attr(node, name, default=None):
        for a in node.attribute:
            if a.name == name:
                return helper.get_attribute_value(a)
        return default

    for node in g.node:
        ins = [consts.get(i) for i in node.input if i]
        all_const = all(v is not None for v in ins)
        ints = all_const and all(v.dtype.kind in "iu" for v in ins)
        out = None
        if node.op_type == "Constant":
            out = numpy_helper.to_array(attr(node, "value"))
        elif node.op_type == "Shape" and node.input[0] in static:
            out = static[node.input[0]]
        elif node.op_type == "ConstantOfShape" and ints:
            t = attr(node, "value")
            fill = numpy_helper.to_array(t) if t is not None else np.zeros(1, np.float32)
            out = np.full(tuple(ins[0]), fill.reshape(-1)[0], dtype=fill.dtype)
        elif node.op_type == "Concat" and ints:
            out = np.concatenate(ins, axis=attr(node, "axis"))
        elif node.op_type == "Reshape" and ints:
            out = ins[0].reshape(tuple(ins[1]))
        elif node.op_type == "Transpose" and ints:
            out = np.transpose(ins[0], attr(node, "perm"))
        elif node.op_type == "Cast" and ints:
            out = ins[0].astype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[attr(node, "to")])
        elif node.op_type == "Slice" and ints:
            data, starts, ends = ins[0], ins[1], ins[2]
            axes = ins[3] if len(ins) > 3 else range(len(starts))
            steps = ins[4] if len(ins) > 4 else [1] * len(starts)
            index = [slice(None)] * data.ndim
            for s_, e_, a_, st_ in zip(starts, ends, axes, steps):
                big = np.iinfo(np.int64).max // 2
                index[a_] = slice(int(s_), None if abs(int(e_)) > big else int(e_), int(st_))
            out = data[tuple(index)]
        if out is None:
            keep.append(node)
            continue
        consts[node.output[0]] = out
        new_inits.append(numpy_helper.from_array(np.asarray(out), node.output[0]))
    used = {i for n in keep for i in n.input} | {o.name for o in g.output}
    del g.value_info[:]
    del g.node[:]
    g.node.extend(keep)
    g.initializer.extend(t for t in new_inits if t.name in used)
    onnx.checker.check_model(m)
    onnx.save(m, path)


def save(name, model, shape, seed):
    model.eval()
    torch.manual_seed(seed + 1000)
    x = torch.rand(*shape) * 2 - 1
    with torch.no_grad():
        y = model(x)
    path = os.path.join(out_dir, f"{name}.onnx")
    torch.onnx.export(model, x, path, opset_version=OPSET, input_names=["input"], output_names=["output"],
                      do_constant_folding=True)
    fold_int_constants(path)
    with open(os.path.join(out_dir, f"{name}.json"), "w") as f:
        json.dump(dict(model=name, torch=torch.__version__, opset=OPSET, input_shape=list(x.shape), input=r9(x.reshape(-1).tolist()),
                       output_shape=list(y.shape), output=r9(y.double().reshape(-1).tolist())), f)
        f.write("\n")


def train_bn(model, shape):
    """A few training-mode passes so the running statistics are not 0 and 1."""
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(*shape) * 1.5 + 0.3)


class Coverage(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, stride=1, padding=2, dilation=2, groups=1)
        self.group = nn.Conv2d(8, 8, 3, padding=1, groups=4)
        self.prelu = nn.PReLU(8, 0.2)
        self.pool = nn.AvgPool2d(2)
        self.up = nn.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1)
        self.side = nn.Conv2d(8, 4, 1)
        self.bn = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = self.prelu(self.group(self.conv(x)))
        a = F.leaky_relu(self.up(self.pool(x)), 0.1)
        b = F.interpolate(F.elu(self.side(self.pool(x))), scale_factor=2, mode="nearest")
        x = torch.cat([torch.sigmoid(a), torch.tanh(b)], 1)
        x = F.softplus(self.bn(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return F.log_softmax(self.fc(x), 1)


class Conv1d3d(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(2, 4, 3, padding=1)
        self.c3 = nn.Conv3d(1, 2, 3, padding=1)
        self.fc = nn.Linear(4 * 32 + 2, 3)

    def forward(self, x):
        # x: [N, 2, 8, 8]; one branch reads it as 1-D signals, the other as a 3-D volume
        s = F.max_pool1d(F.relu(self.c1(x.flatten(2))), 2)
        v = F.avg_pool3d(F.max_pool3d(torch.relu(self.c3(x.unsqueeze(1))), 2), (1, 2, 2))
        v = F.interpolate(v.flatten(1, 2), scale_factor=2, mode="bilinear", align_corners=False)
        return self.fc(torch.cat([s.flatten(1), F.adaptive_avg_pool2d(v, 1).flatten(1)], 1))


torch.manual_seed(5)
save("lenet5", LeNet5(), (2, 1, 28, 28), 5)

torch.manual_seed(6)
block = BasicBlock(4, 8, 2)
train_bn(block, (4, 4, 8, 8))
save("basicblock", block, (2, 4, 8, 8), 6)

torch.manual_seed(7)
cov = Coverage()
train_bn(cov, (4, 3, 12, 12))
save("coverage", cov, (2, 3, 12, 12), 7)

torch.manual_seed(8)
save("conv1d3d", Conv1d3d(), (2, 2, 8, 8), 8)
