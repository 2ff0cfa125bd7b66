#!/usr/bin/env python3
"""Derived values for the worked examples in docs/notes-examples.md (pure Python, direct loops).

The notes (/work/shared/seeds) state some numbers and leave others to the reader. The tests under
tests/Hubel.Tests/Notes/ cite this script for every value marked "derived". Run it with
`python3 tools/notes/derive_examples.py`; it prints one line per example id and needs no packages.
Backward values come from the notes' own formulas (S2 §1.2.5, E34) and are cross-checked by
central finite differences.
"""
import math
from fractions import Fraction as Fr


def zeros(h, w):
    return [[0] * w for _ in range(h)]


def pad(x, t, b, l, r):
    h, w = len(x), len(x[0])
    y = zeros(h + t + b, w + l + r)
    for i in range(h):
        for j in range(w):
            y[i + t][j + l] = x[i][j]
    return y


def xcorr(x, k, s=1, p=(0, 0, 0, 0), d=1):
    """out[i][j] = sum_m sum_n xpad[i*s + m*d][j*s + n*d] * k[m][n] (what conv2d computes)."""
    x = pad(x, *p)
    kh, kw = len(k), len(k[0])
    oh = (len(x) - d * (kh - 1) - 1) // s + 1
    ow = (len(x[0]) - d * (kw - 1) - 1) // s + 1
    return [[sum(x[i * s + m * d][j * s + n * d] * k[m][n] for m in range(kh) for n in range(kw))
             for j in range(ow)] for i in range(oh)]


def rot180(k):
    return [row[::-1] for row in k[::-1]]


def pool(x, k, s, op):
    oh, ow = (len(x) - k) // s + 1, (len(x[0]) - k) // s + 1
    return [[op([x[i * s + m][j * s + n] for m in range(k) for n in range(k)]) for j in range(ow)] for i in range(oh)]


def mean(v):
    return Fr(sum(v), len(v))


def pool_backward(x, g, k, s, kind):
    dx = zeros(len(x), len(x[0]))
    for i in range(len(g)):
        for j in range(len(g[0])):
            cells = [(i * s + m, j * s + n) for m in range(k) for n in range(k)]
            if kind == "max":
                a, b = max(cells, key=lambda c: x[c[0]][c[1]])
                dx[a][b] += g[i][j]
            else:
                for a, b in cells:
                    dx[a][b] += Fr(g[i][j], k * k)
    return dx


def conv_backward(v, kern, g, s):
    """S2 §1.2.5: dK[m][n] = sum_jk G[j][k] V[j*s+m][k*s+n]; dV[j][k] = sum over (j',m) with j'*s+m = j."""
    kh, kw = len(kern), len(kern[0])
    dk = [[sum(g[j][k] * v[j * s + m][k * s + n] for j in range(len(g)) for k in range(len(g[0])))
           for n in range(kw)] for m in range(kh)]
    dv = zeros(len(v), len(v[0]))
    for j in range(len(g)):
        for k in range(len(g[0])):
            for m in range(kh):
                for n in range(kw):
                    dv[j * s + m][k * s + n] += g[j][k] * kern[m][n]
    return dv, dk, sum(map(sum, g))


def finite_diff_input(v, kern, g, s, eps=1e-6):
    def loss(vv):
        z = xcorr(vv, kern, s)
        return sum(z[i][j] * g[i][j] for i in range(len(z)) for j in range(len(z[0])))
    out = zeros(len(v), len(v[0]))
    for a in range(len(v)):
        for b in range(len(v[0])):
            vp = [row[:] for row in v]; vm = [row[:] for row in v]
            vp[a][b] += eps; vm[a][b] -= eps
            out[a][b] = round((loss(vp) - loss(vm)) / (2 * eps), 6)
    return out


def dilate(g, s):
    m, n = len(g), len(g[0])
    y = zeros((m - 1) * s + 1, (n - 1) * s + 1)
    for i in range(m):
        for j in range(n):
            y[i * s][j * s] = g[i][j]
    return y


def show(tag, value):
    print(f"{tag}: {value}")


A = [[2, 5, 0, 1], [6, 7, 1, 2], [3, 0, 4, 0], [3, 9, 7, 4]]
K1 = [[1, 0, 1], [-1, 1, 0], [0, 1, -1]]
B = [[1, 3, 0, 2, 4], [4, 7, 4, 1, 0], [4, 6, 0, 0, 6], [3, 2, 8, 1, 2], [3, 5, 0, 7, 3]]
P = [[1, 3, 0, 3], [2, 2, 4, 1], [4, 2, 0, 0], [3, 3, 3, 1]]

show("E01", xcorr(A, K1))
show("E02 ch1 (K2 = rot180(K1))", xcorr(A, rot180(K1)))
show("E03 stride 2", xcorr(B, K1, 2))
show("E03 stride 1", xcorr(B, K1, 1))
X4 = [[1, 1, 1, 1, 1], [-1, 0, -3, 0, 1], [2, 1, 1, -1, 0], [0, -1, 1, 2, 1], [1, 2, 1, 1, 1]]
W4 = [[1, 0, 0], [0, 0, 0], [0, 0, -1]]
show("E04 true conv", xcorr(X4, rot180(W4)))
show("E04 xcorr unflipped", xcorr(X4, W4))
NG = [[3, 0, 1, 2, 7, 4], [1, 5, 8, 9, 3, 1], [2, 7, 2, 5, 1, 3], [0, 1, 3, 1, 7, 8], [4, 2, 1, 6, 2, 8], [2, 4, 5, 2, 3, 9]]
VERT = [[1, 0, -1]] * 3
show("E05", xcorr(NG, VERT))
show("E06", xcorr([[10, 10, 10, 0, 0, 0]] * 6, VERT))
KX = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
show("E07 conv(B, Kx)", xcorr(B, KX))
show("E07 separable", xcorr(xcorr(B, [[1], [2], [1]]), [[-1, 0, 1]]))
show("E07 conv(B, Ky)", xcorr(B, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]))
q = Fr(1, 4); h = Fr(1, 2)
x9 = [[1, 2, 3, 4, 5]]
show("E09 full", [float(v) for v in xcorr(x9, [[q, h, 1]], p=(0, 0, 2, 2))[0]])
show("E09 valid", [float(v) for v in xcorr(x9, [[q, h, 1]])[0]])
show("E09 causal", [float(v) for v in xcorr(x9, [[q, h, 1]], p=(0, 0, 2, 0))[0]])
die = [[Fr(1, 6)] * 6]
show("E10 full (x36)", [v * 36 for v in xcorr(die, die, p=(0, 0, 5, 5))[0]])
show("E11", xcorr([[0, 0, 1, 0, 0]], [[1, 2, 3]], p=(0, 0, 1, 1)))
X12 = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
show("E12 stride 2", xcorr(X12, [[1, 1], [1, 1]], 2))
show("E12 4*avg", [[4 * v for v in r] for r in pool(X12, 2, 2, mean)])
show("E23 max", pool(P, 2, 2, max))
show("E23 avg", pool(P, 2, 2, mean))
show("E24 max s1", pool(P, 2, 1, max))
show("E24 avg s1", [[float(v) for v in r] for r in pool(P, 2, 1, mean)])
show("E26", [[float(v) for v in r] for r in pool([[i * 20 + j for j in range(20)] for i in range(20)], 10, 10, mean)])
G = [[1, 2], [3, 4]]
X27 = [[9, 1, 1, 9], [1, 1, 1, 1], [1, 1, 1, 1], [9, 1, 1, 9]]
show("E27 max", pool_backward(X27, G, 2, 2, "max"))
show("E27/E28 avg", [[float(v) for v in r] for r in pool_backward(X27, G, 2, 2, "avg")])
show("E28 max", pool_backward(P, G, 2, 2, "max"))
A29 = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
W29 = [[1, 2], [3, 4]]
D29 = [[1, -1], [2, 0]]
show("E29 forward", xcorr(A29, W29))
dv, dk, db = conv_backward(A29, W29, D29, 1)
show("E29 dA", dv)
show("E29 dA = pad(d,1) * rot180(W)", xcorr(pad(D29, 1, 1, 1, 1), rot180(W29)))
show("E29 finite differences", finite_diff_input(A29, W29, D29, 1))
show("E30 dW, db", (dk, db))
dv, dk, db = conv_backward(B, K1, G, 2)
show("E31 dilated", dilate(G, 2))
show("E31 dB", dv)
show("E31 dB = pad(dilated,2) * rot180(K1)", xcorr(pad(dilate(G, 2), 2, 2, 2, 2), rot180(K1)))
show("E31 finite differences", finite_diff_input(B, K1, G, 2))
show("E31 dK1, db", (dk, db))
# E32: 2 inputs x 2 outputs, 2x2 kernels, 3x3 input (data chosen for the test).
X32 = [[[1, 2, 0], [3, -1, 2], [0, 1, 4]], [[2, 0, 1], [-2, 3, 1], [1, 1, 0]]]
W32 = [[[[1, 2], [0, -1]], [[2, 0], [1, 1]]], [[[-1, 1], [3, 0]], [[0, 2], [-2, 1]]]]
D32 = [[[1, 0], [2, -1]], [[0, 3], [1, 2]]]
dx32 = [zeros(3, 3), zeros(3, 3)]
for o in range(2):
    for c in range(2):
        t = xcorr(pad(D32[o], 1, 1, 1, 1), rot180(W32[o][c]))
        dx32[c] = [[dx32[c][i][j] + t[i][j] for j in range(3)] for i in range(3)]
show("E32 forward", [[[sum(xcorr(X32[c], W32[o][c])[i][j] for c in range(2)) for j in range(2)] for i in range(2)] for o in range(2)])
show("E32 dX", dx32)
show("E32 dW", [[conv_backward(X32[c], W32[o][c], D32[o], 1)[1] for c in range(2)] for o in range(2)])
F1 = [math.exp(v) for v in (1, 2, 3)]
show("F01 softmax", [f"{v / sum(F1):.17g}" for v in F1])
show("F01 log_softmax", [f"{math.log(v / sum(F1)):.17g}" for v in F1])
show("F01 cross-entropy, target 2", f"{-math.log(F1[2] / sum(F1)):.17g}")
show("F16 d CE / d logits", [f"{v / sum(F1) - (i == 2):.17g}" for i, v in enumerate(F1)])
SIG1 = 1 / (1 + math.exp(-1))
show("F02 sigmoid(1), tanh(1)", [f"{v:.17g}" for v in (SIG1, math.tanh(1))])
show("F02 sigmoid'(1), tanh'(1)", [f"{v:.17g}" for v in (SIG1 * (1 - SIG1), 1 - math.tanh(1) ** 2)])
show("F09 full true conv", xcorr([[1, 2, 3]], [[1, 1]], p=(0, 0, 1, 1)))
show("F10 full true conv", xcorr(pad([[5, 6], [7, 8]], 1, 1, 1, 1), rot180([[1, 2], [3, 4]])))
