using Hubel.Backends.Cpu;

namespace Hubel.Ops;

/// <summary>
/// Turns the <see cref="ConvAlgorithm"/> a caller asked for into the kernel that runs a 2-D convolution: a forced algorithm
/// must fit the shape (else an <see cref="ArgumentException"/> naming <c>algorithm</c>), and the default
/// (<see cref="ConvAlgorithm.Direct"/>) takes the heuristic below. Tests force an algorithm for every conv call of a
/// block with <see cref="Force"/>, so the registry samples can run through each kernel unchanged.
/// </summary>
internal static class ConvKernelChoice
{
    [ThreadStatic] private static ConvAlgorithm? _forced;

    /// <summary>Until disposed, calls on this thread that leave the algorithm at its default use <paramref name="algorithm"/>.</summary>
    public static ForceScope Force(ConvAlgorithm algorithm)
    {
        var previous = _forced;
        _forced = algorithm;
        return new ForceScope(previous);
    }

    public readonly struct ForceScope(ConvAlgorithm? previous) : IDisposable
    {
        public void Dispose() => _forced = previous;
    }

    /// <summary>Whether <paramref name="algorithm"/> can compute this convolution.</summary>
    public static bool Applies(ConvAlgorithm algorithm, in ConvGeometry g, int groups, int outChannels) => algorithm switch
    {
        ConvAlgorithm.Direct or ConvAlgorithm.Im2colGemm => true,
        ConvAlgorithm.Fft => g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1,
        ConvAlgorithm.SmallChannels => DirectConvKernels.Applies(g, groups),
        ConvAlgorithm.Depthwise => groups > 1 && groups == g.C && outChannels % groups == 0,
        ConvAlgorithm.Pointwise => PointwiseConvKernels.Applies(g, groups),
        ConvAlgorithm.Winograd => WinogradConv.Applies(g, groups, outChannels),
        ConvAlgorithm.Winograd4x4 => WinogradConv.Applies(g, groups, outChannels, tile: 4),
        ConvAlgorithm.ImplicitGemm => ImplicitGemmConv.Applies(g, groups),
        _ => false,
    };

    /// <summary>The spatial-domain kernel to run (never <see cref="ConvAlgorithm.Direct"/> or <see cref="ConvAlgorithm.Fft"/>).</summary>
    public static ConvAlgorithm Resolve(ConvAlgorithm algorithm, in ConvGeometry g, int groups, int outChannels)
    {
        if (algorithm == ConvAlgorithm.Direct && _forced is { } forced && forced is not ConvAlgorithm.Direct and not ConvAlgorithm.Fft) algorithm = forced;
        if (algorithm == ConvAlgorithm.Direct) return Heuristic(g, groups, outChannels);
        if (!Applies(algorithm, g, groups, outChannels))
            throw new ArgumentException($"convolution algorithm {algorithm} does not fit this shape ({Describe(g, groups, outChannels)}); " +
                $"{Requirement(algorithm)}", nameof(algorithm));
        return algorithm;
    }

    /// <summary>The kernel for the forward pass: <see cref="Resolve"/>'s, except that where the heuristic chose the implicit
    /// GEMM and the float32 small-plane engine (AVX-512) fits, the engine runs the forward pass when the GEMM would pad its
    /// 16-channel blocks or the batch is tiny; the backward pass keeps the implicit GEMM, which wins there. Forward, µs,
    /// two threads, median of 20 alternated (min), implicit against direct: network3 conv2 (C20 K40 5x5 on 12x12) N=10
    /// 230 (209) against 166 (163), N=1 60 (56) against 20 (20); LeNet-5 conv2 (C6 K16 5x5 on 14x14) N=1 9.3 (8.3) against
    /// 6.0 (5.2), but N=64 234 (183) against 321 (233), and whole forward + backward passes favour the GEMM (network3 N=10
    /// 717-818 against 951-966). A forced algorithm runs both passes.</summary>
    public static ConvAlgorithm ResolveForward(ConvAlgorithm algorithm, in ConvGeometry g, int groups, int outChannels, Tensors.DType dtype)
    {
        var kernel = Resolve(algorithm, g, groups, outChannels);
        bool heuristic = algorithm == ConvAlgorithm.Direct && _forced is null or ConvAlgorithm.Direct or ConvAlgorithm.Fft;
        return heuristic && kernel == ConvAlgorithm.ImplicitGemm && dtype == Tensors.DType.Float32 && DirectConvF32Grad.Enabled
            && (outChannels % ImplicitGemmConv.CoBlock != 0 || g.N <= 2)
            && SmallPlaneConvF32.Applies(DirectConvF32Grad.ForwardPlan(g, outChannels))
            ? ConvAlgorithm.SmallChannels : kernel;
    }

    /// <summary>Depthwise kernel for groups = C; the implicit GEMM for 5x5 and larger with 4+ input channels on small planes
    /// (see <see cref="ImplicitGemmConv.Preferred"/>); the direct kernel for stride 1 with few input channels (lowering would copy
    /// each pixel KH·KW times to feed a GEMM at most 3·KH·KW deep), or up to 3x3 with few channels or small planes (see
    /// <see cref="DirectConvKernels.Preferred"/>), where measurements favour it; plain GEMM for 1x1 on large
    /// planes; Winograd for 3x3 stride 1 with 16-128 channels (see <see cref="WinogradConv.Preferred"/> for the
    /// measurements), F(4x4, 3x3) on outputs of 20x20 and up, else F(2x2, 3x3) (<see cref="WinogradConv.PreferredTile"/>);
    /// im2col + GEMM otherwise.</summary>
    private static ConvAlgorithm Heuristic(in ConvGeometry g, int groups, int outChannels)
    {
        if (DepthwiseKernels.Applies(g, groups, outChannels)) return ConvAlgorithm.Depthwise;
        // Before the direct kernel: for 5x5 and larger with 4+ input channels on small planes (LeNet-5 conv2) both apply,
        // and the implicit GEMM's fwd+bwd took 2.4 ms against the direct kernel's 3.6 ms (batch 64, same run).
        if (ImplicitGemmConv.Preferred(g, groups, outChannels)) return ConvAlgorithm.ImplicitGemm;
        if (DirectConvKernels.Preferred(g, groups, outChannels)) return ConvAlgorithm.SmallChannels;
        // Per-image GEMMs only pay off on large planes: 0.51x im2col's time at 32x32 (C=Cout=64), 1.28x at 8x8.
        if (PointwiseConvKernels.Applies(g, groups) && g.OutPixels >= 256) return ConvAlgorithm.Pointwise;
        if (WinogradConv.Preferred(g, groups, outChannels))
            return WinogradConv.PreferredTile(g) == 4 ? ConvAlgorithm.Winograd4x4 : ConvAlgorithm.Winograd;
        return ConvAlgorithm.Im2colGemm;
    }

    /// <summary>Whether the backward kernel writes every element of the input gradient, so its buffer needs no zeroing
    /// (the others accumulate into it). The implicit GEMM's own input-gradient kernel writes every row it computes (LeNet-5's
    /// conv2 at batch 64 cleared 300 KB a step for it on one core); where it does not apply, the lowered path accumulates.</summary>
    public static bool OverwritesInputGrad(ConvAlgorithm kernel, in ConvGeometry g, Tensors.DType dtype) =>
        kernel == ConvAlgorithm.SmallChannels || (kernel == ConvAlgorithm.Depthwise && dtype == Tensors.DType.Float32 && DepthwiseF32.Applies(g))
        || (kernel == ConvAlgorithm.ImplicitGemm && ImplicitGemmInputGrad.Applies(g));

    private static string Requirement(ConvAlgorithm algorithm) => algorithm switch
    {
        ConvAlgorithm.SmallChannels => "it needs groups 1 and stride 1 or 2",
        ConvAlgorithm.Depthwise => "it needs groups equal to the input channels (> 1) and output channels a multiple of them",
        ConvAlgorithm.Pointwise => "it needs a 1x1 kernel, stride 1, no padding and groups 1",
        ConvAlgorithm.Fft => "it needs stride 1 and dilation 1",
        ConvAlgorithm.Winograd or ConvAlgorithm.Winograd4x4 => "it needs a 3x3 kernel, stride 1 and dilation 1",
        ConvAlgorithm.ImplicitGemm => "it needs groups 1, stride 1 and dilation 1",
        _ => "expected a shape the algorithm supports",
    };

    private static string Describe(in ConvGeometry g, int groups, int outChannels) =>
        $"C={g.C}, Cout={outChannels}, kernel {g.KH}x{g.KW}, stride {g.SH}x{g.SW}, dilation {g.DH}x{g.DW}, padding {g.PadTop},{g.PadLeft}, groups {groups}";
}
