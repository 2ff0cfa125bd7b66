using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.Notes.NotesAssert;

namespace Hubel.Tests.Notes;

/// <summary>Multi-channel and general strided convolution gradients (docs/notes-examples.md E32–E34), checked
/// through <c>Backward()</c> of <see cref="F.Conv2d"/> against the notes' formulas written out as loops, against
/// derived numbers (tools/notes/derive_examples.py) and against finite differences. Seeds: S2 = 002_6e1674edcb7ec153.txt,
/// S3 = 003_3200e69dd95b7c53.txt, S4 = 004_a7da2731f31c01ab.txt.</summary>
public class MultiChannelBackpropExamples
{
    /// <summary>A deterministic small-integer tensor (no RNG, so the expected numbers are reproducible by hand).</summary>
    private static Tensor Pattern(int[] shape, int salt)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(i => (double)((i * 7 + salt * 3) % 11 - 5)).ToArray(), shape);
    }

    // E32 — S4 "有多个卷积核时的梯度计算": ∂J/∂a22 = (δz111 w122 + δz112 w121 + δz121 w112 + δz122 w111) + (δz211 w222 + …) and
    // δ_out = Σ_m δ_in_m * W_m^rot180 (9); "有多个输入时的梯度计算": δ_out1 = δ_in * W_1^rot180 (14), δ_out2 = δ_in * W_2^rot180
    // (15) (stated formulas; erratum J13: the LHS a_111/a_211 there mean a_122/a_222). Derived instance: 2 input
    // channels, 2 filters of 2x2 on 3x3 (data in tools/notes/derive_examples.py), checked against derived numbers,
    // the per-channel sum formula run as forward convolutions, and central finite differences.
    [Fact]
    public void E32_TwoInputsTwoFilters_InputGradientIsSumOverFiltersOfFullConvWithRot180()
    {
        double[] xs = [1, 2, 0, 3, -1, 2, 0, 1, 4, 2, 0, 1, -2, 3, 1, 1, 1, 0];
        double[] ws = [1, 2, 0, -1, 2, 0, 1, 1, -1, 1, 3, 0, 0, 2, -2, 1];
        double[] ds = [1, 0, 2, -1, 0, 3, 1, 2];
        var x = Tensor.FromArray(xs, [1, 2, 3, 3]).RequireGrad();
        var w = Tensor.FromArray(ws, [2, 2, 2, 2]).RequireGrad();
        var delta = Tensor.FromArray(ds, [1, 2, 2, 2]);
        var z = F.Conv2d(x, w);
        Equal([11, 4, -2, 6, 17, -8, 1, 6], z.ToDoubleArray());
        z.Backward(delta);
        Equal([1, -1, 3, 1, 10, 0, 3, 4, 1, 2, 0, 6, 5, -5, 7, 0, -2, 1], x.Grad!.ToDoubleArray());
        Equal([8, -2, 2, -3, -5, 5, -1, 5, 7, 3, -1, 15, 4, 8, 12, 4], w.Grad!.ToDoubleArray());

        // (9): for input channel c, δ_out_c = Σ_m full(δ_m) ⋆ rot180(W_mc).
        for (int c = 0; c < 2; c++)
        {
            var sum = new double[3, 3];
            for (int m = 0; m < 2; m++)
            {
                var wmc = Rot180(Plane(w.Detach(), m, c));
                var part = Plane(F.Conv2d(Image(Plane(delta, 0, m)), Image(wmc), padding: Padding.Full));
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++) sum[i, j] += part[i, j];
            }
            Equal(sum, x.Grad!, c: c);
        }

        // Central finite differences of J = Σ δ·Z (exact up to rounding: Z is linear in x).
        var grad = x.Grad!.ToDoubleArray();
        for (int k = 0; k < xs.Length; k++)
        {
            double J(double h)
            {
                var moved = (double[])xs.Clone();
                moved[k] += h;
                var zz = F.Conv2d(Tensor.FromArray(moved, [1, 2, 3, 3]), w.Detach()).ToDoubleArray();
                return zz.Zip(ds, (a, b) => a * b).Sum();
            }
            Assert.Equal(grad[k], (J(1e-3) - J(-1e-3)) / 2e-3, 9);
        }
    }

    // E33 — S3 003_3200e69dd95b7c53.txt "反向传播": "dw[0,0,:,:]=x[0,0,:3,:3] * dout[0,0,0] + x[0,0,:3,2:5] * dout[0,0,1] +
    // x[0,0,6:9,6:9] * dout[0,3,3]" (stated; erratum J15: dout has 4 indices, read dout[0,0,i,j]). Implied geometry: 7x7 input,
    // pad 1 (9x9 padded), 3x3 filter, stride 2, 4x4 dout. Checked: dw[f,c] = Σ_ij x_pad[c, 2i:2i+3, 2j:2j+3] · dout[f,i,j].
    [Fact]
    public void E33_KernelGradient_IsSumOfPaddedInputPatchesTimesDout_7x7_Pad1_Stride2()
    {
        var x = Pattern([1, 2, 7, 7], salt: 1);
        var w = Pattern([2, 2, 3, 3], salt: 2).RequireGrad();
        var y = F.Conv2d(x, w, stride: 2, padding: 1);
        Shape([1, 2, 4, 4], y);
        var dout = Pattern([1, 2, 4, 4], salt: 3);
        y.Backward(dout);

        double XPad(int c, int r, int q) => r is >= 1 and <= 7 && q is >= 1 and <= 7 ? x[0, c, r - 1, q - 1] : 0;
        for (int f = 0; f < 2; f++)
            for (int c = 0; c < 2; c++)
            {
                var expected = new double[3, 3];
                for (int i = 0; i < 4; i++)
                    for (int j = 0; j < 4; j++)
                        for (int m = 0; m < 3; m++)
                            for (int n = 0; n < 3; n++) expected[m, n] += XPad(c, 2 * i + m, 2 * j + n) * dout[0, f, i, j];
                Equal(expected, w.Grad!, f, c);
            }
    }

    // E34 — S2 §1.2.5 "梯度计算" (stated formulas, no numbers): Z_{i,j,k} = Σ_l Σ_m Σ_n V_{l, j·s+m, k·s+n} K_{i,l,m,n};
    // ∂J/∂K_{i,l,m,n} = Σ_j Σ_k G_{i,j,k} V_{l, j·s+m, k·s+n}; ∂J/∂V_{l,j,k} = Σ over (i, j', m, k', n) with j'·s+m = j and
    // k'·s+n = k of G_{i,j',k'} K_{i,l,m,n}. Brute-force oracle for 2 input and 3 output channels, 8x8, 3x3, stride 2
    // (output 3x3; row and column 7 are read by no window, so their gradient is 0).
    [Fact]
    public void E34_GeneralStridedGradientFormulas_MatchBackward()
    {
        const int cin = 2, cout = 3, size = 8, k = 3, s = 2, o = 3;
        var v = Pattern([1, cin, size, size], salt: 4).RequireGrad();
        var kern = Pattern([cout, cin, k, k], salt: 5).RequireGrad();
        var g = Pattern([1, cout, o, o], salt: 6);
        var z = F.Conv2d(v, kern, stride: s);

        var zRef = new double[cout * o * o];
        var dK = new double[cout, cin, k, k];
        var dV = new double[cin, size, size];
        for (int i = 0; i < cout; i++)
            for (int j = 0; j < o; j++)
                for (int q = 0; q < o; q++)
                    for (int l = 0; l < cin; l++)
                        for (int m = 0; m < k; m++)
                            for (int n = 0; n < k; n++)
                            {
                                zRef[(i * o + j) * o + q] += v[0, l, j * s + m, q * s + n] * kern[i, l, m, n];
                                dK[i, l, m, n] += g[0, i, j, q] * v[0, l, j * s + m, q * s + n];
                                dV[l, j * s + m, q * s + n] += g[0, i, j, q] * kern[i, l, m, n];
                            }
        Equal(zRef, z.ToDoubleArray());
        z.Backward(g);
        Equal(dK.Cast<double>().ToArray(), kern.Grad!.ToDoubleArray());
        Equal(dV.Cast<double>().ToArray(), v.Grad!.ToDoubleArray());
        for (int l = 0; l < cin; l++)
            for (int t = 0; t < size; t++)
            {
                Assert.Equal(0, v.Grad![0, l, 7, t]);
                Assert.Equal(0, v.Grad![0, l, t, 7]);
            }
    }
}
