using Hubel.Tensors;

namespace Hubel.Ops.Registry;

// Power-average (LP) pooling, max pooling with indices, max unpooling and cross-channel max pooling.
// PyTorch side: tools/golden/torch_ops/pooling.py. LP samples use even powers (or p = 1) because PyTorch, like
// Hubel, gives NaN for a negative window sum, and uniform inputs are signed.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> PoolingIndexOps()
    {
        OpSample Lp2(string name, int[] x, double p, Size2 k, Size2? stride = null, bool ceil = false)
        {
            Size2 s = stride ?? k;
            return Pool("lp_pool2d", name, x, Attrs(("norm_type", p), ("kernel_size", Pair(k)), ("stride", Pair(s)), ("ceil_mode", ceil)),
                t => F.LpPool2d(t, p, k, s, ceil), max: false);
        }
        yield return new OpInfo("lp_pool2d",
        [
            Lp2("l2_k2", [2, 2, 4, 6], 2, 2),
            Lp2("batch1_l2_overlapping_k3_s2", [1, 2, 7, 7], 2, 3, 2),
            Lp2("p1_sum_pooling_k2_s1", [2, 1, 4, 4], 1, 2, 1),
            Lp2("p4_kernel_2x3_stride_1x2", [1, 2, 5, 7], 4, (2, 3), (1, 2)),
            Lp2("l2_ceil_clipped_last_window", [1, 2, 5, 5], 2, 2, 2, ceil: true),
            Lp2("l2_stride_gt_kernel", [2, 1, 8, 7], 2, 2, 3),
            Lp2("p6_out_1x1", [2, 2, 3, 3], 6, 3),
        ],
        [
            Error<ArgumentOutOfRangeException>("norm type 0", () => F.LpPool2d(T(1, 2, 4, 4), 0, 2), "normType"),
            Error<ArgumentOutOfRangeException>("norm type negative", () => F.LpPool2d(T(1, 2, 4, 4), -2, 2), "normType"),
            Error<ArgumentOutOfRangeException>("norm type NaN", () => F.LpPool2d(T(1, 2, 4, 4), double.NaN, 2), "normType"),
            Error<ArgumentOutOfRangeException>("norm type infinite", () => F.LpPool2d(T(1, 2, 4, 4), double.PositiveInfinity, 2), "normType"),
            Error<ArgumentOutOfRangeException>("kernel 0", () => F.LpPool2d(T(1, 2, 4, 4), 2, 0), "kernel"),
            Error<ArgumentOutOfRangeException>("stride 0", () => F.LpPool2d(T(1, 2, 4, 4), 2, 2, 0), "stride"),
            Error<ArgumentOutOfRangeException>("kernel larger than input", () => F.LpPool2d(T(1, 2, 4, 4), 2, 5), "kernel"),
            Error<ArgumentException>("input rank 3", () => F.LpPool2d(T(2, 4, 4), 2, 2), "input"),
            Error<ArgumentNullException>("input null", () => F.LpPool2d(null!, 2, 2), "input"),
        ])
        {
            Method = (Func<Tensor, double, Size2, Size2?, bool, Tensor>)F.LpPool2d,
        };

        OpSample Lp1(string name, int[] x, double p, int k, int? stride = null, bool ceil = false)
        {
            int s = stride ?? k;
            return Pool("lp_pool1d", name, x, Attrs(("norm_type", p), ("kernel_size", k), ("stride", s), ("ceil_mode", ceil)),
                t => F.LpPool1d(t, p, k, s, ceil), max: false);
        }
        yield return new OpInfo("lp_pool1d",
        [
            Lp1("l2_k2", [2, 3, 8], 2, 2),
            Lp1("batch1_l2_overlapping_k3_s2_ceil", [1, 2, 8], 2, 3, 2, ceil: true),
            Lp1("p1_sum_pooling_k3_s1", [2, 1, 6], 1, 3, 1),
            Lp1("p4_stride_gt_kernel", [1, 2, 11], 4, 2, 3),
        ],
        [
            Error<ArgumentOutOfRangeException>("norm type 0", () => F.LpPool1d(T(1, 2, 8), 0, 2), "normType"),
            Error<ArgumentOutOfRangeException>("kernel 0", () => F.LpPool1d(T(1, 2, 8), 2, 0), "kernel"),
            Error<ArgumentOutOfRangeException>("stride negative", () => F.LpPool1d(T(1, 2, 8), 2, 2, -1), "stride"),
            Error<ArgumentException>("input rank 4", () => F.LpPool1d(T(1, 2, 8, 8), 2, 2), "input"),
            Error<ArgumentNullException>("input null", () => F.LpPool1d(null!, 2, 2), "input"),
        ])
        {
            Method = (Func<Tensor, double, int, int?, bool, Tensor>)F.LpPool1d,
        };

        OpSample MaxIdx(string name, int[] x, Size2 k, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceil = false)
        {
            Size2 s = stride ?? k, p = padding ?? 0, d = dilation ?? 1;
            var attrs = Attrs(("kernel_size", Pair(k)), ("stride", Pair(s)), ("padding", Pair(p)), ("dilation", Pair(d)), ("ceil_mode", ceil));
            return Pool("max_pool2d_with_indices", name, x, attrs, t => F.MaxPool2dWithIndices(t, k, s, p, d, ceil).Values, max: true);
        }
        yield return new OpInfo("max_pool2d_with_indices",
        [
            MaxIdx("k2", [2, 3, 4, 6], 2),
            MaxIdx("batch1_overlapping_k3_s2_pad1_ceil", [1, 2, 7, 6], 3, 2, 1, ceil: true),
            MaxIdx("dilation2_stride_gt_kernel", [2, 1, 9, 9], 2, 3, dilation: 2),
        ],
        [
            Error<ArgumentOutOfRangeException>("kernel 0", () => F.MaxPool2dWithIndices(T(1, 2, 4, 4), 0), "kernel"),
            Error<ArgumentOutOfRangeException>("padding more than half the kernel", () => F.MaxPool2dWithIndices(T(1, 2, 4, 4), 2, padding: 2), "padding"),
            Error<ArgumentException>("input rank 3", () => F.MaxPool2dWithIndices(T(2, 4, 4), 2), "input"),
            Error<ArgumentNullException>("input null", () => F.MaxPool2dWithIndices(null!, 2), "input"),
        ])
        {
            Method = (Func<Tensor, Size2, Size2?, Size2?, Size2?, bool, (Tensor, Tensor)>)F.MaxPool2dWithIndices,
        };

        yield return new OpInfo("max_unpool2d",
        [
            Unpool("k2_from_pooled_8x6", [2, 3, 8, 6], 2),
            Unpool("batch1_k2_pad1", [1, 2, 6, 6], 2, padding: 1),
            Unpool("kernel_2x3_stride_2x3", [2, 1, 4, 9], (2, 3)),
            Unpool("output_size_5x5_from_5x5", [1, 2, 5, 5], 2, outputSize: 5),
            Unpool("stride_gt_kernel", [1, 2, 8, 8], 2, stride: 3),
        ],
        [.. UnpoolErrors()])
        {
            Method = (Func<Tensor, Tensor, Size2, Size2?, Size2?, Size2?, Tensor>)F.MaxUnpool2d,
        };

        OpSample Cmp(string name, int[] x, int k) =>
            Pool("channel_max_pool", name, x, Attrs(("kernel_size", k)), t => F.ChannelMaxPool(t, k), max: true);
        yield return new OpInfo("channel_max_pool",
        [
            Cmp("k2_nchw", [2, 6, 3, 4], 2),
            Cmp("batch1_k3", [1, 6, 2, 5], 3),
            Cmp("k1_identity", [2, 3, 2, 2], 1),
            Cmp("k_equals_c", [2, 4, 3, 3], 4),
            Cmp("rank2_features", [3, 8], 2),
            Cmp("rank3_sequence", [2, 4, 5], 2),
        ],
        [
            Error<ArgumentOutOfRangeException>("kernel 0", () => F.ChannelMaxPool(T(1, 4, 2, 2), 0), "kernel"),
            Error<ArgumentException>("kernel does not divide the channels", () => F.ChannelMaxPool(T(1, 6, 2, 2), 4), "kernel"),
            Error<ArgumentException>("input rank 1", () => F.ChannelMaxPool(T(6), 2), "input"),
            Error<ArgumentNullException>("input null", () => F.ChannelMaxPool(null!, 2), "input"),
        ])
        {
            Method = (Func<Tensor, int, Tensor>)F.ChannelMaxPool,
        };
    }

    /// <summary>A max_unpool2d sample: the indices come from max pooling a fixed random [N, C, H, W] tensor with the
    /// same kernel/stride/padding (non-overlapping, so no index repeats); they travel to PyTorch as an attribute.</summary>
    private static OpSample Unpool(string name, int[] pooled, Size2 k, Size2? stride = null, Size2? padding = null, Size2? outputSize = null)
    {
        Size2 s = stride ?? k, p = padding ?? 0;
        var (values, indexTensor) = F.MaxPool2dWithIndices(Tensor.Uniform(pooled, -1, 1, new Rng(11), DType.Float64), k, s, p);
        var indices = Array.ConvertAll(indexTensor.ToDoubleArray(), v => (int)v);
        var attrs = Attrs(("kernel_size", Pair(k)), ("stride", Pair(s)), ("padding", Pair(p)), ("indices", indices));
        if (outputSize is { } o) attrs["output_size"] = Pair(o);
        return new OpSample($"max_unpool2d/{name}", [values.ShapeArray], attrs, t => F.MaxUnpool2d(t[0], indexTensor, k, s, p, outputSize));
    }

    private static IEnumerable<ErrorCase> UnpoolErrors()
    {
        var x = T(1, 2, 2, 2);
        Tensor Idx(params double[] v) => Tensor.FromArray(v.Length == 8 ? v : [.. v, .. new double[8 - v.Length]], [1, 2, 2, 2]);
        yield return Error<ArgumentOutOfRangeException>("index past the output plane", () => F.MaxUnpool2d(x, Idx(16), 2), "indices");
        yield return Error<ArgumentOutOfRangeException>("negative index", () => F.MaxUnpool2d(x, Idx(0, -1), 2), "indices");
        yield return Error<ArgumentOutOfRangeException>("fractional index", () => F.MaxUnpool2d(x, Idx(0, 1.5), 2), "indices");
        yield return Error<ArgumentOutOfRangeException>("NaN index", () => F.MaxUnpool2d(x, Idx(double.NaN), 2), "indices");
        yield return Error<ArgumentException>("indices shape differs from input", () => F.MaxUnpool2d(x, T(1, 2, 2, 3), 2), "indices");
        yield return Error<ArgumentNullException>("indices null", () => F.MaxUnpool2d(x, null!, 2), "indices");
        yield return Error<ArgumentOutOfRangeException>("kernel 0", () => F.MaxUnpool2d(x, Idx(0), 0), "kernel");
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => F.MaxUnpool2d(x, Idx(0), 2, 0), "stride");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.MaxUnpool2d(x, Idx(0), 2, padding: -1), "padding");
        yield return Error<ArgumentOutOfRangeException>("padding leaves no output", () => F.MaxUnpool2d(T(1, 2, 1, 1), Tensor.Zeros([1, 2, 1, 1], DType.Float64), 2, padding: 1), "padding");
        yield return Error<ArgumentOutOfRangeException>("output size a full stride below the default", () => F.MaxUnpool2d(x, Idx(0), 2, outputSize: 2), "outputSize");
        yield return Error<ArgumentOutOfRangeException>("output size a full stride above the default", () => F.MaxUnpool2d(x, Idx(0), 2, outputSize: (4, 6)), "outputSize");
        yield return Error<ArgumentException>("input rank 3", () => F.MaxUnpool2d(T(2, 2, 2), T(2, 2, 2), 2), "input");
        yield return Error<ArgumentNullException>("input null", () => F.MaxUnpool2d(null!, Idx(0), 2), "input");
    }
}
