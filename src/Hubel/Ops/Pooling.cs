using System.Numerics;
using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Max and average pooling over [N, C, H, W]. Output size per dimension:
/// floor((H + 2P - D(K-1) - 1)/S) + 1 (ceil instead of floor with ceilMode). Stride defaults to the
/// kernel (non-overlapping); a stride smaller than the kernel gives AlexNet's overlapping pooling.</summary>
public static partial class F
{
    public static Tensor MaxPool2d(Tensor input, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceilMode = false)
    {
        var g = PoolShape(input, kernel, stride, padding ?? 0, dilation ?? 1, ceilMode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OutH, g.OutW], input.DType);
        if (MaxPoolInterior.Applies(g))
        {
            // No argmax kept: backward finds each window's winner again from x and y (same element, see MaxPoolInterior).
            if (x.DType == DType.Float32) MaxPoolInterior.Forward<float>(Mem<float>(x), MutMem<float>(y), g);
            else MaxPoolInterior.Forward<double>(Mem<double>(x), MutMem<double>(y), g);
            return Graph.Record(y, "max_pool2d", [input], dy =>
            {
                dy = dy.Contiguous();
                // When the windows tile the input exactly the kernel writes every element of dx; zeroing it first would be
                // one more pass over the largest tensor of the pool (LeNet's pool1: 1.2 MB a step).
                var dx = MaxPoolInterior.WritesEveryInput(g, x.DType) ? Tensor.Empty(x.ShapeArray, x.DType) : Tensor.ZerosLike(x);
                if (x.DType == DType.Float32) MaxPoolInterior.Backward<float>(Mem<float>(x), Mem<float>(y), Mem<float>(dy), MutMem<float>(dx), g);
                else MaxPoolInterior.Backward<double>(Mem<double>(x), Mem<double>(y), Mem<double>(dy), MutMem<double>(dx), g);
                return [dx];
            });
        }
        var argmax = MemoryScope.Allocate<int>(y.Numel, zeroed: false);   // the kernel writes every entry
        if (x.DType == DType.Float32) PoolKernels.MaxForward<float>(Mem<float>(x), MutMem<float>(y), argmax, g);
        else PoolKernels.MaxForward<double>(Mem<double>(x), MutMem<double>(y), argmax, g);
        return Graph.Record(y, "max_pool2d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) PoolKernels.MaxBackward<float>(Mem<float>(dy), argmax, MutMem<float>(dx), g);
            else PoolKernels.MaxBackward<double>(Mem<double>(dy), argmax, MutMem<double>(dx), g);
            return [dx];
        });
    }

    /// <param name="countIncludePad">whether zero padding counts in the divisor (PyTorch's default: true).</param>
    public static Tensor AvgPool2d(Tensor input, Size2 kernel, Size2? stride = null, Size2? padding = null, bool ceilMode = false, bool countIncludePad = true)
    {
        var pad = padding ?? 0;
        var g = PoolShape(input, kernel, stride, pad, 1, ceilMode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OutH, g.OutW], input.DType);
        if (x.DType == DType.Float32) PoolKernels.AvgForward<float>(Mem<float>(x), MutMem<float>(y), g, countIncludePad, pad.H, pad.W);
        else PoolKernels.AvgForward<double>(Mem<double>(x), MutMem<double>(y), g, countIncludePad, pad.H, pad.W);
        return Graph.Record(y, "avg_pool2d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) PoolKernels.AvgBackward<float>(Mem<float>(dy), MutMem<float>(dx), g, countIncludePad, pad.H, pad.W);
            else PoolKernels.AvgBackward<double>(Mem<double>(dy), MutMem<double>(dx), g, countIncludePad, pad.H, pad.W);
            return [dx];
        });
    }

    /// <summary>Validates pooling arguments (PyTorch's rules) and returns the geometry.</summary>
    internal static ConvGeometry PoolShape(Tensor input, Size2 kernel, Size2? stride, Size2 padding, Size2 dilation, bool ceilMode)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        kernel.AtLeast(1, nameof(kernel));
        var s = (stride ?? kernel).AtLeast(1, nameof(stride));
        dilation.AtLeast(1, nameof(dilation));
        if (padding.H < 0 || padding.W < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {padding}");
        if (padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding ({padding}) must be at most half the kernel size ({kernel})");
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        // As in PyTorch: an empty batch is fine, an empty image is not (a window in the padding alone would give -inf).
        if (h < 1 || w < 1) throw new ArgumentException($"input height and width must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        int oh = ConvGeometry.OutputSize(h, padding.H, padding.H, kernel.H, s.H, dilation.H, nameof(kernel), ceilMode);
        int ow = ConvGeometry.OutputSize(w, padding.W, padding.W, kernel.W, s.W, dilation.W, nameof(kernel), ceilMode);
        return new ConvGeometry(n, c, h, w, kernel.H, kernel.W, s.H, s.W, dilation.H, dilation.W, padding.H, padding.W, oh, ow);
    }
}
