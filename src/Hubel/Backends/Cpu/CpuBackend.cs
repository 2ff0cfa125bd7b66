using System.Numerics;
using System.Numerics.Tensors;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>The CPU behind <see cref="IBackend"/>: every method delegates to the existing kernels of this folder
/// (packed GEMM, im2col/depthwise convolution, pooling), so the seam adds one interface call per op and no copies.</summary>
internal sealed class CpuBackend : IBackend
{
    public static CpuBackend Instance { get; } = new();

    private CpuBackend() { }

    public Device Device => Device.Cpu;

    public Memory<T> Allocate<T>(int length, bool zeroed) where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return zeroed ? new T[length] : GC.AllocateUninitializedArray<T>(length);
    }

    public void Synchronize() { }

    public void Gemm<T>(bool transA, bool transB, int m, int n, int k, ReadOnlyMemory<T> a, int lda, ReadOnlyMemory<T> b, int ldb,
        Memory<T> c, int ldc, bool accumulate) where T : unmanaged, IFloatingPointIeee754<T> =>
        Cpu.Gemm.Run<T>(transA, transB, m, n, k, a.Span, lda, b.Span, ldb, c.Span, ldc, accumulate);

    // The kernel per shape: ConvKernelChoice's heuristic for Direct (the default), else the forced algorithm
    // (depthwise, small-channel direct, pointwise GEMM or im2col + GEMM); see docs/conv-variants.md.
    public void Conv2dForward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, in ConvGeometry g, int groups, int outChannels,
        ConvAlgorithm kernel = ConvAlgorithm.Direct) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (ConvKernelChoice.Resolve(kernel, g, groups, outChannels))
        {
            case ConvAlgorithm.Depthwise: DepthwiseKernels.Forward<T>(x, w, b, y, g, outChannels); break;
            case ConvAlgorithm.SmallChannels: DirectConvKernels.Forward<T>(x, w, b, y, g, outChannels); break;
            case ConvAlgorithm.Pointwise: PointwiseConvKernels.Forward<T>(x, w, b, y, g, outChannels); break;
            case ConvAlgorithm.Winograd: WinogradConv.Forward<T>(x, w, b, y, g, groups, outChannels); break;
            case ConvAlgorithm.Winograd4x4: WinogradConv.Forward<T>(x, w, b, y, g, groups, outChannels, tile: 4); break;
            case ConvAlgorithm.ImplicitGemm: ImplicitGemmConv.Forward<T>(x, w, b, y, g, outChannels); break;
            default: ConvNdKernels.Forward<T>(x, w, b, y, ConvGeometry3.From2d(g), groups, outChannels); break;
        }
    }

    public void Conv2dBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        in ConvGeometry g, int groups, int outChannels, ConvAlgorithm kernel = ConvAlgorithm.Direct) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (ConvKernelChoice.Resolve(kernel, g, groups, outChannels))
        {
            case ConvAlgorithm.Depthwise: DepthwiseKernels.Backward<T>(x, w, dy, dx, dw, db, g, outChannels); break;
            case ConvAlgorithm.SmallChannels: DirectConvKernels.Backward<T>(x, w, dy, dx, dw, db, g, outChannels); break;
            case ConvAlgorithm.Pointwise: PointwiseConvKernels.Backward<T>(x, w, dy, dx, dw, db, g, outChannels); break;
            case ConvAlgorithm.Winograd: WinogradConv.Backward<T>(x, w, dy, dx, dw, db, g, groups, outChannels); break;
            case ConvAlgorithm.Winograd4x4: WinogradConv.Backward<T>(x, w, dy, dx, dw, db, g, groups, outChannels, tile: 4); break;
            case ConvAlgorithm.ImplicitGemm: ImplicitGemmConv.Backward<T>(x, w, dy, dx, dw, db, g, outChannels); break;
            default: ConvNdKernels.Backward<T>(x, w, dy, dx, dw, db, ConvGeometry3.From2d(g), groups, outChannels); break;
        }
    }

    public void MaxPool2dForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int[] argmax, in ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        PoolKernels.MaxForward<T>(x, y, argmax, g);

    public void MaxPool2dBackward<T>(ReadOnlyMemory<T> dy, int[] argmax, Memory<T> dx, in ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        PoolKernels.MaxBackward<T>(dy, argmax, dx, g);

    public void AvgPool2dForward<T>(ReadOnlyMemory<T> x, Memory<T> y, in ConvGeometry g, bool countIncludePad, int padBottom, int padRight)
        where T : unmanaged, IFloatingPointIeee754<T> => PoolKernels.AvgForward<T>(x, y, g, countIncludePad, padBottom, padRight);

    public void AvgPool2dBackward<T>(ReadOnlyMemory<T> dy, Memory<T> dx, in ConvGeometry g, bool countIncludePad, int padBottom, int padRight)
        where T : unmanaged, IFloatingPointIeee754<T> => PoolKernels.AvgBackward<T>(dy, dx, g, countIncludePad, padBottom, padRight);

    public void ActivationForward<TAct, T>(ReadOnlyMemory<T> x, Memory<T> y) where TAct : IActivation where T : unmanaged, IFloatingPointIeee754<T> =>
        TAct.Forward(x.Span, y.Span);

    public void ActivationBackward<TAct, T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> y, ReadOnlyMemory<T> dy, Memory<T> dx)
        where TAct : IActivation where T : unmanaged, IFloatingPointIeee754<T> => TAct.Backward(x.Span, y.Span, dy.Span, dx.Span);

    public void Binary<TOp, T>(ReadOnlyMemory<T> a, ReadOnlyMemory<T> b, Memory<T> d) where TOp : IBinaryOp where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (a.Length != b.Length || d.Length != a.Length)
            throw new ArgumentException($"elementwise operands must have one length; got {a.Length}, {b.Length} -> {d.Length}", nameof(b));
        TOp.Apply(a.Span, b.Span, d.Span);
    }

    public void Sum<T>(ReadOnlyMemory<T> x, int outer, int reduce, int inner, Memory<T> y) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = x.Span;
        var dst = y.Span[..(outer * inner)];
        dst.Clear();
        for (int o = 0; o < outer; o++)
        {
            var row = dst.Slice(o * inner, inner);
            for (int r = 0; r < reduce; r++) TensorPrimitives.Add(row, src.Slice((o * reduce + r) * inner, inner), row);
        }
    }
}
