"""The PyTorch side of the cold-start comparison: a fresh process that loads a trained LeNet-5 (the
safetensors file `hubel train` wrote, read with json + numpy since torch 1.13 has no safetensors reader),
converts one image as `hubel predict` does (grey, 28x28, normalised) and prints the top class.
usage: /usr/bin/python3 bench/predict_pytorch.py MODEL.safetensors IMAGE"""
import json, struct, sys
import numpy as np
import torch
from PIL import Image

sys.path.insert(0, "../shared/peers")
import models  # noqa: E402  (the peer LeNet5, same parameter names as Hubel's)

model_path, image_path = sys.argv[1], sys.argv[2]
with open(model_path, "rb") as f:
    blob = f.read()
(n,) = struct.unpack("<Q", blob[:8])
header = json.loads(blob[8:8 + n])
meta = header.pop("__metadata__")
data = blob[8 + n:]
state = {k: torch.from_numpy(np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype=np.float32).reshape(v["shape"]).copy())
         for k, v in header.items()}
net = models.LeNet5()
net.load_state_dict(state)
net.eval()
mean, std = float(meta["normalize_mean"]), float(meta["normalize_std"])
img = np.asarray(Image.open(image_path).convert("L").resize((28, 28), Image.BILINEAR), dtype=np.float32) / 255.0
x = torch.from_numpy((img - mean) / std).reshape(1, 1, 28, 28)
with torch.no_grad():
    p = torch.softmax(net(x), 1)[0]
classes = meta["classes"].split(",")
print(f"{image_path}: {classes[int(p.argmax())]} {float(p.max()):.1%}")
