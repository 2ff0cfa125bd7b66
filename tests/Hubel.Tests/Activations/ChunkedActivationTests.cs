using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Activations;

/// <summary>Activations over tensors big enough to be split across workers (2 x 64 K elements and up) give exactly the
/// elementwise rule, forward and backward, on one thread and on several, including from an offset view.</summary>
public class ChunkedActivationTests
{
    [Theory]
    [InlineData(300_001, false)]
    [InlineData(131_072, true)]
    public void Relu_split_over_workers_is_the_elementwise_rule(int n, bool serial)
    {
        using var scope = serial ? CpuThreads.Serial() : default(CpuThreads.SerialScope?);
        var rng = new Rng(2);
        var full = Tensor.Normal([n + 3], 0, 1, rng);
        var x = full.Slice(0, 3, n + 3).RequireGrad(false);   // an offset view: storage offset 3
        var leaf = x.Contiguous().RequireGrad();
        var y = F.Relu(leaf);
        var up = Tensor.Normal([n], 0, 1, rng);
        y.Backward(up);
        float[] xs = leaf.ToFloatArray(), ys = y.ToFloatArray(), us = up.ToFloatArray(), dx = leaf.Grad!.ToFloatArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Math.Max(xs[i], 0f), ys[i]);
            Assert.Equal(xs[i] > 0 ? us[i] : 0f, dx[i]);
        }
        var sig = F.Sigmoid(full.Slice(0, 3, n + 3)).ToFloatArray();
        var fx = full.ToFloatArray();
        for (int i = 0; i < n; i += 997) Assert.Equal(1 / (1 + Math.Exp(-fx[i + 3])), sig[i], 5);
    }
}
