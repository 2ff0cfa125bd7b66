using Hubel.Autograd;
using Hubel.Ops;
using Hubel.Ops.Registry;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Backends;

/// <summary>Every conv2d registry sample run through every kernel that fits its shape (forced for the whole call, forward and
/// backward): float64 gradcheck and PyTorch parity in float64 and float32, as the registry tests do for the default choice.</summary>
public class ConvAlgorithmTests
{
    private static readonly ConvAlgorithm[] Forcible =
        [ConvAlgorithm.Im2colGemm, ConvAlgorithm.SmallChannels, ConvAlgorithm.Depthwise, ConvAlgorithm.Pointwise, ConvAlgorithm.Winograd,
            ConvAlgorithm.ImplicitGemm, ConvAlgorithm.Winograd4x4];

    private static IEnumerable<(string Id, ConvAlgorithm Algorithm)> Fitting()
    {
        foreach (var (op, sample) in OpRegistry.AllSamples)
        {
            if (op.Name != "conv2d") continue;
            foreach (var algorithm in Forcible)
                if (Fits(sample, algorithm)) yield return (sample.Id, algorithm);
        }
    }

    /// <summary>Whether the forced algorithm accepts the sample (an inapplicable one throws, naming <c>algorithm</c>).</summary>
    private static bool Fits(OpSample sample, ConvAlgorithm algorithm)
    {
        using var _ = ConvKernelChoice.Force(algorithm);
        try { sample.Invoke(sample.MakeInputs(DType.Float64, requiresGrad: false)); return true; }
        catch (ArgumentException e) when (e.ParamName == "algorithm") { return false; }
    }

    public static TheoryData<string, ConvAlgorithm> Cases => [.. Fitting()];

    [Fact]
    public void Every_algorithm_covers_some_sample()
    {
        var all = Fitting().ToList();
        foreach (var algorithm in Forcible)
            Assert.True(all.Count(c => c.Algorithm == algorithm) >= 1, $"{algorithm} fits only {all.Count(c => c.Algorithm == algorithm)} conv2d samples");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forced_algorithm_passes_gradcheck(string id, ConvAlgorithm algorithm)
    {
        var (op, sample) = OpRegistry.Sample(id);
        using var _ = ConvKernelChoice.Force(algorithm);
        var result = GradCheck.Check(t => sample.Invoke(t), sample.MakeInputs(DType.Float64), eps: 1e-6, atol: op.Tolerance.GradCheckAtol, rtol: op.Tolerance.GradCheckRtol);
        Assert.True(result.Passed, $"{id} under {algorithm}: {result.Message}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forced_algorithm_matches_pytorch(string id, ConvAlgorithm algorithm)
    {
        var (op, sample) = OpRegistry.Sample(id);
        var golden = RegistryData.Golden(sample);
        using var _ = ConvKernelChoice.Force(algorithm);
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            (double atol, double rtol) = dtype == DType.Float64 ? (op.Tolerance.Atol64, op.Tolerance.Rtol64) : (op.Tolerance.Atol32, op.Tolerance.Rtol32);
            var inputs = sample.MakeInputs(dtype);
            var output = sample.Invoke(inputs);
            Tolerant.Equal($"{id} {algorithm} ({dtype}) output", output.ToDoubleArray(), golden.Out, atol, rtol);
            output.Backward(sample.MakeUpstream(golden.OutShape, dtype));
            for (int i = 0; i < inputs.Length; i++)
                Tolerant.Equal($"{id} {algorithm} ({dtype}) gradient of input {i}", inputs[i].Grad!.ToDoubleArray(), golden.Grads[i]!, atol, rtol);
        }
    }

    [Theory]
    [InlineData(ConvAlgorithm.SmallChannels, 3, 1, 3)]   // stride 3 (1 and 2 are its own)
    [InlineData(ConvAlgorithm.Pointwise, 1, 1, 3)]       // 3x3 kernel
    [InlineData(ConvAlgorithm.Depthwise, 1, 1, 1)]       // groups 1
    [InlineData(ConvAlgorithm.Pointwise, 1, 2, 1)]       // 1x1 but grouped
    [InlineData(ConvAlgorithm.Winograd, 2, 1, 3)]        // stride 2
    [InlineData(ConvAlgorithm.Winograd, 1, 1, 5)]        // 5x5 kernel
    [InlineData(ConvAlgorithm.Winograd4x4, 2, 1, 3)]     // stride 2
    [InlineData(ConvAlgorithm.Winograd4x4, 1, 1, 5)]     // 5x5 kernel
    public void Forcing_an_algorithm_that_does_not_fit_throws(ConvAlgorithm algorithm, int stride, int groups, int k)
    {
        var x = Tensor.Zeros([1, 4, 6, 6]);
        var w = Tensor.Zeros([4, 4 / groups, k, k]);
        var e = Assert.Throws<ArgumentException>(() => F.Conv2d(x, w, stride: stride, groups: groups, algorithm: algorithm));
        Assert.Equal("algorithm", e.ParamName);
    }

    [Fact]
    public void The_heuristic_may_run_the_forward_pass_on_another_kernel_but_a_forced_algorithm_runs_both()
    {
        var g = new ConvGeometry(10, 20, 12, 12, 5, 5, 1, 1, 1, 1, 0, 0, 8, 8);
        Assert.Equal(ConvAlgorithm.ImplicitGemm, ConvKernelChoice.Resolve(ConvAlgorithm.Direct, g, 1, 40));
        var expected = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? ConvAlgorithm.SmallChannels : ConvAlgorithm.ImplicitGemm;
        Assert.Equal(expected, ConvKernelChoice.ResolveForward(ConvAlgorithm.Direct, g, 1, 40, DType.Float32));
        Assert.Equal(ConvAlgorithm.ImplicitGemm, ConvKernelChoice.ResolveForward(ConvAlgorithm.Direct, g, 1, 40, DType.Float64));
        Assert.Equal(ConvAlgorithm.ImplicitGemm, ConvKernelChoice.ResolveForward(ConvAlgorithm.ImplicitGemm, g, 1, 40, DType.Float32));
        using (ConvKernelChoice.Force(ConvAlgorithm.ImplicitGemm))
            Assert.Equal(ConvAlgorithm.ImplicitGemm, ConvKernelChoice.ResolveForward(ConvAlgorithm.Direct, g, 1, 40, DType.Float32));
        // 16 output channels fill the GEMM's blocks: the forward pass stays on it for a real batch.
        var lenet = new ConvGeometry(64, 6, 14, 14, 5, 5, 1, 1, 1, 1, 0, 0, 10, 10);
        Assert.Equal(ConvAlgorithm.ImplicitGemm, ConvKernelChoice.ResolveForward(ConvAlgorithm.Direct, lenet, 1, 16, DType.Float32));
    }

    /// <summary>Float32 shapes large enough for the kernels' vector and multi-worker paths (LeNet's and Nielsen's first
    /// layers take the direct kernel by default) must agree with im2col + GEMM.</summary>
    [Theory]
    [InlineData(ConvAlgorithm.SmallChannels, 64, 1, 28, 6, 5, 2)]
    [InlineData(ConvAlgorithm.SmallChannels, 10, 1, 28, 20, 5, 0)]
    [InlineData(ConvAlgorithm.SmallChannels, 3, 3, 13, 7, 3, 1)]
    [InlineData(ConvAlgorithm.SmallChannels, 2, 2, 5, 4, 3, 0)]      // rows narrower than a vector: scalar path
    [InlineData(ConvAlgorithm.Pointwise, 6, 16, 9, 24, 1, 0)]
    // The heuristic: Nielsen's conv2 and LeNet's conv2 at batch 1 run the forward pass on the small-plane engine (with
    // AVX-512) and the backward pass on the implicit GEMM.
    [InlineData(ConvAlgorithm.Direct, 10, 20, 12, 40, 5, 0)]
    [InlineData(ConvAlgorithm.Direct, 1, 6, 14, 16, 5, 0)]
    public void Kernel_agrees_with_im2col(ConvAlgorithm algorithm, int n, int c, int hw, int cout, int k, int pad)
    {
        var rng = new Rng(5);
        var x = Tensor.Uniform([n, c, hw, hw], -1, 1, rng).RequireGrad();
        var w = Tensor.Uniform([cout, c, k, k], -1, 1, rng).RequireGrad();
        var b = Tensor.Uniform([cout], -1, 1, rng).RequireGrad();
        Tensor[] Run(ConvAlgorithm a)
        {
            x.Grad = null; w.Grad = null; b.Grad = null;
            var y = F.Conv2d(x, w, b, padding: pad, algorithm: a);
            var up = Tensor.Uniform(y.Shape.ToArray(), -1, 1, new Rng(9));
            y.Backward(up);
            return [y.Detach(), x.Grad!, w.Grad!, b.Grad!];
        }
        var direct = Run(algorithm);
        var lowered = Run(ConvAlgorithm.Im2colGemm);
        string[] names = ["output", "input gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < 4; i++)
        {
            var e = lowered[i].ToDoubleArray();
            Tolerant.Equal(names[i], direct[i].ToDoubleArray(), e, 1e-4 * (e.Max(Math.Abs) + 1), 1e-5);
        }
    }
}
