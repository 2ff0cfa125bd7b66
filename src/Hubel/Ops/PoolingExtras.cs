using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Power-average (LP) pooling, max pooling with indices and its inverse (max unpooling), and
/// cross-channel max pooling.</summary>
public static partial class F
{
    /// <summary>Power-average pooling over [N, C, H, W] (PyTorch's lp_pool2d): y = (Σ_window x^p)^(1/p), so p = 1 is
    /// sum pooling, p = 2 is L2 pooling (sqrt of the sum of squares) and p → ∞ approaches max pooling. No padding;
    /// output size as in <see cref="MaxPool2d"/>. As in PyTorch, a negative window sum (odd or fractional p with
    /// negative inputs) gives NaN, and the clipped last window of ceil mode is scaled by kernel area / window area.</summary>
    /// <param name="normType">the power p, finite and > 0.</param>
    public static Tensor LpPool2d(Tensor input, double normType, Size2 kernel, Size2? stride = null, bool ceilMode = false)
    {
        if (!(normType > 0) || double.IsInfinity(normType))
            throw new ArgumentOutOfRangeException(nameof(normType), $"normType must be finite and > 0; got {normType}");
        var g = PoolShape(input, kernel, stride, 0, 1, ceilMode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OutH, g.OutW], input.DType);
        if (x.DType == DType.Float32) AdaptivePoolKernels.LpForward<float>(Mem<float>(x), MutMem<float>(y), g, (float)normType);
        else AdaptivePoolKernels.LpForward<double>(Mem<double>(x), MutMem<double>(y), g, normType);
        return Graph.Record(y, "lp_pool2d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) AdaptivePoolKernels.LpBackward<float>(Mem<float>(x), Mem<float>(y), Mem<float>(dy), MutMem<float>(dx), g, (float)normType);
            else AdaptivePoolKernels.LpBackward<double>(Mem<double>(x), Mem<double>(y), Mem<double>(dy), MutMem<double>(dx), g, normType);
            return [dx];
        });
    }

    /// <summary>Power-average pooling over [N, C, L] → [N, C, L_out] (2-D pooling of the [N, C, 1, L] view).</summary>
    public static Tensor LpPool1d(Tensor input, double normType, int kernel, int? stride = null, bool ceilMode = false)
    {
        int l = Pool1dCheck(input, kernel, stride, 0, 1);
        var y = LpPool2d(input.Reshape(input.Size(0), input.Size(1), 1, l), normType, (1, kernel), (1, stride ?? kernel), ceilMode);
        return y.Reshape(y.Size(0), y.Size(1), y.Size(3));
    }

    /// <summary>Max pooling (as <see cref="MaxPool2d"/>) that also returns, for every output, the flat index h·W + w of
    /// its maximum within its H×W input plane (PyTorch's return_indices=True), as a float64 tensor of whole numbers
    /// shaped like the values; <see cref="MaxUnpool2d"/> takes it back.</summary>
    public static (Tensor Values, Tensor Indices) MaxPool2dWithIndices(Tensor input, Size2 kernel, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, bool ceilMode = false)
    {
        var g = PoolShape(input, kernel, stride, padding ?? 0, dilation ?? 1, ceilMode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OutH, g.OutW], input.DType);
        var argmax = new int[y.Numel];
        if (x.DType == DType.Float32) PoolKernels.MaxForward<float>(Mem<float>(x), MutMem<float>(y), argmax, g);
        else PoolKernels.MaxForward<double>(Mem<double>(x), MutMem<double>(y), argmax, g);
        var values = Graph.Record(y, "max_pool2d_with_indices", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) PoolKernels.MaxBackward<float>(Mem<float>(dy), argmax, MutMem<float>(dx), g);
            else PoolKernels.MaxBackward<double>(Mem<double>(dy), argmax, MutMem<double>(dx), g);
            return [dx];
        });
        return (values, IndexTensor(argmax, y.ShapeArray));
    }

    /// <summary>Max unpooling [N, C, H, W] → [N, C, H_out, W_out] (PyTorch's max_unpool2d): each input value goes to
    /// the flat position indices[n, c, h, w] of its output plane, zeros elsewhere. H_out = (H - 1)·S - 2P + K unless
    /// <paramref name="outputSize"/> picks one in (H_out - S, H_out + S), as PyTorch allows. Backward gathers dy at
    /// the same positions.</summary>
    /// <param name="indices">from <see cref="MaxPool2dWithIndices"/>: same shape as input, whole numbers in [0, H_out·W_out).</param>
    public static Tensor MaxUnpool2d(Tensor input, Tensor indices, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? outputSize = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(indices);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (!indices.ShapeArray.AsSpan().SequenceEqual(input.ShapeArray))
            throw new ArgumentException($"indices must have the input's shape {ShapeMath.Format(input.ShapeArray)}; got {ShapeMath.Format(indices.ShapeArray)}", nameof(indices));
        kernel.AtLeast(1, nameof(kernel));
        var s = (stride ?? kernel).AtLeast(1, nameof(stride));
        var p = padding ?? 0;
        if (p.H < 0 || p.W < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {p}");
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        long dh = (long)(h - 1) * s.H - 2L * p.H + kernel.H, dw = (long)(w - 1) * s.W - 2L * p.W + kernel.W;
        var size = outputSize ?? new Size2((int)Math.Clamp(dh, int.MinValue, int.MaxValue), (int)Math.Clamp(dw, int.MinValue, int.MaxValue));
        if (outputSize is null && (dh < 1 || dw < 1))
            throw new ArgumentOutOfRangeException(nameof(padding), $"output size (H-1)·S - 2P + K = ({dh}, {dw}) must be >= 1; padding {p} is too large");
        if (size.H < 1 || size.W < 1 || size.H <= dh - s.H || size.H >= dh + s.H || size.W <= dw - s.W || size.W >= dw + s.W)
            throw new ArgumentOutOfRangeException(nameof(outputSize), $"outputSize {size} must be >= 1 and within the stride of the default ({dh}, {dw}): ({dh - s.H}, {dh + s.H}) × ({dw - s.W}, {dw + s.W}) exclusive");
        int outPlane = ShapeMath.Numel([size.H, size.W], nameof(outputSize));
        var idx = indices.ToDoubleArray();
        var flat = new int[idx.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            double v = idx[i];
            if (!(v >= 0 && v < outPlane) || v != Math.Floor(v))
                throw new ArgumentOutOfRangeException(nameof(indices), $"indices must be whole numbers in [0, {outPlane}) (the output plane {size}); got {v} at flat position {i}");
            flat[i] = (int)v;
        }
        var x = input.Detach().Contiguous();
        var y = Tensor.Zeros([n, c, size.H, size.W], input.DType);
        int planes = n * c, inPlane = h * w;
        if (x.DType == DType.Float32) AdaptivePoolKernels.UnpoolForward<float>(Mem<float>(x), flat, MutMem<float>(y), planes, inPlane, outPlane);
        else AdaptivePoolKernels.UnpoolForward<double>(Mem<double>(x), flat, MutMem<double>(y), planes, inPlane, outPlane);
        return Graph.Record(y, "max_unpool2d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.Empty(x.ShapeArray, x.DType);
            if (x.DType == DType.Float32) AdaptivePoolKernels.UnpoolBackward<float>(Mem<float>(dy), flat, MutMem<float>(dx), planes, inPlane, outPlane);
            else AdaptivePoolKernels.UnpoolBackward<double>(Mem<double>(dy), flat, MutMem<double>(dx), planes, inPlane, outPlane);
            return [dx];
        });
    }

    /// <summary>Cross-channel max pooling [N, C, ...] → [N, C/k, ...]: output channel j is the elementwise max of input
    /// channels j·k .. j·k + k - 1 (max pooling across feature maps instead of across space). Backward routes each
    /// gradient to the channel that won.</summary>
    /// <param name="kernel">k, the group size: >= 1 and dividing C.</param>
    public static Tensor ChannelMaxPool(Tensor input, int kernel)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2) throw new ArgumentException($"input must be [N, C, ...]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be >= 1; got {kernel}");
        int n = input.Size(0), c = input.Size(1);
        if (c % kernel != 0) throw new ArgumentException($"kernel ({kernel}) must divide the channel count ({c})", nameof(kernel));
        int spatial = 1;
        for (int d = 2; d < input.Rank; d++) spatial *= input.Size(d);
        var shape = input.ShapeArray.ToArray();
        shape[1] = c / kernel;
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty(shape, input.DType);
        var argmax = new int[y.Numel];
        if (x.DType == DType.Float32) AdaptivePoolKernels.ChannelMaxForward<float>(Mem<float>(x), MutMem<float>(y), argmax, n, c, spatial, kernel);
        else AdaptivePoolKernels.ChannelMaxForward<double>(Mem<double>(x), MutMem<double>(y), argmax, n, c, spatial, kernel);
        return Graph.Record(y, "channel_max_pool", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            // argmax is the flat index within an image, so each image is one plane of the scatter.
            if (x.DType == DType.Float32) Pool3dKernels.ScatterArgmax<float>(Mem<float>(dy), argmax, MutMem<float>(dx), n, c * spatial, shape[1] * spatial);
            else Pool3dKernels.ScatterArgmax<double>(Mem<double>(dy), argmax, MutMem<double>(dx), n, c * spatial, shape[1] * spatial);
            return [dx];
        });
    }
}
