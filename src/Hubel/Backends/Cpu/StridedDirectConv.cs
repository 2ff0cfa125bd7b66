using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Stride-2 convolutions under the direct algorithm (<see cref="ConvAlgorithm.SmallChannels"/>): the forward pass runs on
/// the AVX-512 small-plane engine, whose shifted layout keeps one copy per kernel column and row phase
/// (<see cref="SmallPlaneConvF32.Layout"/>), so the windows of a stride-2 layer are flat runs as at stride 1; the
/// gradients and every case the engine does not take (float64, no AVX-512, planes over 256 outputs) go through im2col +
/// GEMM. ResNet-20's downsampling layers (3x3, 16 -> 32 on 32x32, 32 -> 64 on 16x16) ran their forward pass lowered at
/// 79-105 GFLOP/s, on the engine at 140-169 (N=128), and at batch 1 in 22-24 µs against 42-50.
/// </summary>
internal static class StridedDirectConv
{
    public static bool Applies(in ConvGeometry g, int groups) => groups == 1 && g.SH == 2 && g.SW == 2;

    /// <summary>Whether float32 runs on the small-plane engine (else everything is lowered).</summary>
    public static bool OnEngine(in ConvGeometry g, int outChannels) =>
        Applies(g, 1) && SmallPlaneConvF32.Applies(DirectConvF32Grad.ForwardPlan(g, outChannels));

    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int outChannels, bool relu)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && OnEngine(g, outChannels))
        {
            var bias = b is { } bm ? DirectConvKernels.AsFloat(bm) : default(ReadOnlyMemory<float>?);
            SmallPlaneConvF32.Correlate(DirectConvKernels.AsFloat(x), DirectConvKernels.AsFloat(w), flipTranspose: false, bias, DirectConvKernels.AsFloat(y),
                DirectConvF32Grad.ForwardPlan(g, outChannels), relu);
            return;
        }
        ConvNdKernels.Forward(x, w, b, y, ConvGeometry3.From2d(g), 1, outChannels);
        if (relu) TensorPrimitives.Max<T>(y.Span[..(g.N * outChannels * g.OutPixels)], T.Zero, y.Span);
    }

    /// <summary>dx (overwritten, as the stride-1 direct kernels do) and dw by im2col, db as Σ dy. The engine's weight gradient
    /// (SmallPlaneConvF32Grad on this layout) is correct and halved the time of these layers' dw, but its lane sums split
    /// differently from the lowered GEMM's when a batch is split over ranks: a two-rank ResNet-20 with synchronised batch
    /// norm then ended 2.5e-4 (relative) away from one rank with the whole batch after 8 steps, against 2.5e-6 with the
    /// GEMM, and the distributed tests hold the two to 1e-4.</summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int outChannels) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var g3 = ConvGeometry3.From2d(g);
        if (dx is { } dxm) dxm.Span[..(g.N * g.C * g.H * g.W)].Clear();   // col2im adds into it
        if (dx is not null || dw is not null) ConvNdKernels.Backward(x, w, dy, dx, dw, null, g3, 1, outChannels);
        if (db is { } dbm) ConvNdKernels.BiasGrad(dy.Span, dbm.Span, g.N, outChannels, g.OutPixels);
    }
}
