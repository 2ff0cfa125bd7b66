using Hubel.Autograd;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Optim;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Norm;

/// <summary>The fused batch norm (+ residual) + ReLU against the separate ops, and the float32 batch-norm kernels
/// against float64: values, every gradient, odd row lengths (S not a multiple of 8), sizes that split over workers.</summary>
public class BatchNormFusedTests
{
    public static TheoryData<int[], bool, bool, bool> Cases() => new()
    {
        { [4, 3, 5, 5], true, false, true },     // S = 25: vector body and scalar tail
        { [4, 3, 5, 5], true, true, true },
        { [3, 2, 7], false, true, true },        // [N, C, L], S = 7 < 8: scalar only
        { [2, 5, 4, 4], true, true, false },     // evaluation: running statistics
        { [16, 4, 64, 65], true, true, true },   // big enough to split the channels over workers
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fused_op_equals_batch_norm_then_add_then_relu(int[] shape, bool affine, bool residual, bool training)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var (fused, fusedGrads) = Run(shape, affine, residual, training, dtype, fuse: true);
            var (plain, plainGrads) = Run(shape, affine, residual, training, dtype, fuse: false);
            double tol = dtype == DType.Float64 ? 1e-12 : 2e-5;
            Tolerant.Equal($"{dtype} output", fused, plain, tol, tol);
            Assert.Equal(plainGrads.Length, fusedGrads.Length);
            for (int i = 0; i < plainGrads.Length; i++) Tolerant.Equal($"{dtype} gradient {i}", fusedGrads[i], plainGrads[i], tol, tol);
        }
    }

    private static (double[] Output, double[][] Grads) Run(int[] shape, bool affine, bool residual, bool training, DType dtype, bool fuse)
    {
        int c = shape[1];
        var rng = new Rng(17);
        // A mean far from zero: float32 statistics must not cancel.
        var x = Tensor.Normal(shape, 3, 2, rng, dtype); x.RequiresGrad = true;
        var r = residual ? Tensor.Normal(shape, 0, 1, rng, dtype) : null;
        if (r is not null) r.RequiresGrad = true;
        var w = affine ? Tensor.Normal([c], 1, 0.5, rng, dtype) : null;
        var b = affine ? Tensor.Normal([c], 0, 0.5, rng, dtype) : null;
        if (w is not null) { w.RequiresGrad = true; b!.RequiresGrad = true; }
        var rm = Tensor.Normal([c], 3, 0.1, rng, dtype);
        var rv = Tensor.Uniform([c], 1, 5, rng, dtype);
        var upstream = Tensor.Normal(shape, 0, 1, rng, dtype);
        var y = fuse
            ? F.BatchNormRelu(x, r, rm, rv, w, b, training, 0.1, 1e-5)
            : F.Relu(r is null ? F.BatchNorm(x, rm, rv, w, b, training, 0.1, 1e-5) : F.Add(F.BatchNorm(x, rm, rv, w, b, training, 0.1, 1e-5), r));
        y.Backward(upstream);
        var leaves = new[] { x, w, b, r }.Where(t => t is not null).Select(t => t!.Grad!.ToDoubleArray());
        return (y.ToDoubleArray(), [.. leaves, rm.ToDoubleArray(), rv.ToDoubleArray()]);
    }

    [Fact]
    public void Fused_op_passes_gradcheck()
    {
        var rng = new Rng(5);
        var x = Tensor.Normal([3, 2, 3, 3], 0, 1, rng, DType.Float64);
        var r = Tensor.Normal([3, 2, 3, 3], 0, 1, rng, DType.Float64);
        var w = Tensor.Normal([2], 1, 0.3, rng, DType.Float64);
        var b = Tensor.Normal([2], 0, 0.3, rng, DType.Float64);
        foreach (var t in new[] { x, r, w, b }) t.RequiresGrad = true;
        var result = GradCheck.Check(i => F.BatchNormRelu(i[0], i[1], null, null, i[2], i[3], training: true, 0.1, 1e-5), [x, r, w, b]);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Float32_statistics_and_gradients_match_float64()
    {
        var rng = new Rng(23);
        int[] shape = [8, 3, 9, 11];
        var x64 = Tensor.Normal(shape, 100, 0.01, rng, DType.Float64);   // mean 10^4 standard deviations from zero
        var g64 = Tensor.Normal(shape, 0, 1, rng, DType.Float64);
        double[] Forward(DType dtype, out double[] grad)
        {
            var x = x64.To(dtype); x.RequiresGrad = true;
            var y = F.BatchNorm(x, null, null, training: true);
            y.Backward(g64.To(dtype));
            grad = x.Grad!.ToDoubleArray();
            return y.ToDoubleArray();
        }
        var y32 = Forward(DType.Float32, out var dx32);
        var y64 = Forward(DType.Float64, out var dx64);
        // x itself is rounded to float32 (relative 6e-8 of 100, i.e. 6e-6 absolute = 6e-4 standard deviations).
        Tolerant.Equal("normalised output", y32, y64, 2e-3, 0);
        Tolerant.Equal("input gradient", dx32, dx64, 2e-1, 2e-3);
    }

    [Fact]
    public void ResNet_training_step_is_the_same_fused_and_layer_by_layer()
    {
        var a = Step(fuse: true);
        var b = Step(fuse: false);
        Assert.Equal(b.Length, a.Length);
        for (int i = 0; i < a.Length; i++) Tolerant.Equal($"parameter {i} after one step", a[i], b[i], 1e-5, 1e-4);
    }

    private static double[][] Step(bool fuse)
    {
        var rng = new Rng(8);
        var model = new ResNetCifar(8, rng: rng);
        var optimizer = new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 1e-4);
        var x = Tensor.Normal([4, 3, 8, 8], 0, 1, rng);
        using (fuse ? default(FusedInference.DisableScope?) : FusedInference.Disable())
        {
            var loss = F.CrossEntropy(model.Forward(x), [0, 3, 9, 3]);
            optimizer.ZeroGrad();
            loss.Backward();
            optimizer.Step();
        }
        return [.. model.Parameters().Select(p => p.ToDoubleArray()), .. model.NamedBuffers().Select(b => b.Value.ToDoubleArray())];
    }
}
