using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>Max and average pooling over [N, C, L] (1-D) and [N, C, D, H, W] (3-D). Output size per dimension:
/// floor((L + 2P - D(K-1) - 1)/S) + 1 (ceil instead of floor with ceilMode; a ceil-mode window must start inside
/// the input or its left padding). Stride defaults to the kernel; a stride below the kernel overlaps windows.
/// 1-D pooling is 2-D pooling of the [N, C, 1, L] view (same kernels, same backward); 3-D has its own kernels.</summary>
public static partial class F
{
    /// <summary>Max pooling over [N, C, L] → [N, C, L_out].</summary>
    public static Tensor MaxPool1d(Tensor input, int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        int l = Pool1dCheck(input, kernel, stride, padding, dilation);
        var y = MaxPool2d(input.Reshape(input.Size(0), input.Size(1), 1, l), (1, kernel), (1, stride ?? kernel), (0, padding), (1, dilation), ceilMode);
        return y.Reshape(y.Size(0), y.Size(1), y.Size(3));
    }

    /// <summary>Average pooling over [N, C, L] → [N, C, L_out]; <paramref name="countIncludePad"/> as in <see cref="AvgPool2d"/>.</summary>
    public static Tensor AvgPool1d(Tensor input, int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        int l = Pool1dCheck(input, kernel, stride, padding, 1);
        var y = AvgPool2d(input.Reshape(input.Size(0), input.Size(1), 1, l), (1, kernel), (1, stride ?? kernel), (0, padding), ceilMode, countIncludePad);
        return y.Reshape(y.Size(0), y.Size(1), y.Size(3));
    }

    /// <summary>Checks what the 2-D path cannot name correctly (rank, and the 1-D arguments themselves); returns L.</summary>
    private static int Pool1dCheck(Tensor input, int kernel, int? stride, int padding, int dilation)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 3) throw new ArgumentException($"input must be [N, C, L]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (kernel < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"kernel must be >= 1; got {kernel}");
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be >= 1; got {stride}");
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), $"dilation must be >= 1; got {dilation}");
        if (padding < 0 || padding > kernel / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be in [0, kernel/2 = {kernel / 2}]; got {padding}");
        if (input.Size(2) < 1) throw new ArgumentException($"input length must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        return input.Size(2);
    }

    /// <summary>Max pooling over [N, C, D, H, W] → [N, C, D_out, H_out, W_out].</summary>
    public static Tensor MaxPool3d(Tensor input, Size3 kernel, Size3? stride = null, Size3? padding = null, Size3? dilation = null, bool ceilMode = false)
    {
        var g = Pool3dShape(input, kernel, stride, padding ?? 0, dilation ?? 1, ceilMode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OutD, g.OutH, g.OutW], input.DType);
        var argmax = new int[y.Numel];
        if (x.DType == DType.Float32) Pool3dKernels.MaxForward<float>(Mem<float>(x), MutMem<float>(y), argmax, g);
        else Pool3dKernels.MaxForward<double>(Mem<double>(x), MutMem<double>(y), argmax, g);
        return Graph.Record(y, "max_pool3d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) Pool3dKernels.ScatterArgmax<float>(Mem<float>(dy), argmax, MutMem<float>(dx), g.Planes, g.InPlane, g.OutPlane);
            else Pool3dKernels.ScatterArgmax<double>(Mem<double>(dy), argmax, MutMem<double>(dx), g.Planes, g.InPlane, g.OutPlane);
            return [dx];
        });
    }

    /// <summary>Average pooling over [N, C, D, H, W]; <paramref name="countIncludePad"/> as in <see cref="AvgPool2d"/>.</summary>
    public static Tensor AvgPool3d(Tensor input, Size3 kernel, Size3? stride = null, Size3? padding = null, bool ceilMode = false, bool countIncludePad = true)
    {
        var g = Pool3dShape(input, kernel, stride, padding ?? 0, 1, ceilMode);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([g.N, g.C, g.OutD, g.OutH, g.OutW], input.DType);
        if (x.DType == DType.Float32) Pool3dKernels.AvgForward<float>(Mem<float>(x), MutMem<float>(y), g, countIncludePad);
        else Pool3dKernels.AvgForward<double>(Mem<double>(x), MutMem<double>(y), g, countIncludePad);
        return Graph.Record(y, "avg_pool3d", [input], dy =>
        {
            dy = dy.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) Pool3dKernels.AvgBackward<float>(Mem<float>(dy), MutMem<float>(dx), g, countIncludePad);
            else Pool3dKernels.AvgBackward<double>(Mem<double>(dy), MutMem<double>(dx), g, countIncludePad);
            return [dx];
        });
    }

    /// <summary>Validates 3-D pooling arguments (PyTorch's rules, as <see cref="PoolShape"/> for 2-D).</summary>
    internal static Pool3dGeometry Pool3dShape(Tensor input, Size3 kernel, Size3? stride, Size3 padding, Size3 dilation, bool ceilMode)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 5) throw new ArgumentException($"input must be [N, C, D, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        kernel.AtLeast(1, nameof(kernel));
        var s = (stride ?? kernel).AtLeast(1, nameof(stride));
        dilation.AtLeast(1, nameof(dilation));
        if (padding.D < 0 || padding.H < 0 || padding.W < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {padding}");
        if (padding.D > kernel.D / 2 || padding.H > kernel.H / 2 || padding.W > kernel.W / 2)
            throw new ArgumentOutOfRangeException(nameof(padding), $"padding ({padding}) must be at most half the kernel size ({kernel})");
        int n = input.Size(0), c = input.Size(1), d = input.Size(2), h = input.Size(3), w = input.Size(4);
        if (d < 1 || h < 1 || w < 1) throw new ArgumentException($"input depth, height and width must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        int od = ConvGeometry.OutputSize(d, padding.D, padding.D, kernel.D, s.D, dilation.D, nameof(kernel), ceilMode);
        int oh = ConvGeometry.OutputSize(h, padding.H, padding.H, kernel.H, s.H, dilation.H, nameof(kernel), ceilMode);
        int ow = ConvGeometry.OutputSize(w, padding.W, padding.W, kernel.W, s.W, dilation.W, nameof(kernel), ceilMode);
        return new Pool3dGeometry(n, c, d, h, w, kernel, s, padding, dilation, od, oh, ow);
    }
}
