namespace Hubel.Ops.Registry;

// max/avg pooling in 1-D ([N, C, L]) and 3-D ([N, C, D, H, W]). PyTorch side: tools/golden/torch_ops/pooling.py
// (F.max_pool1d/avg_pool1d/max_pool3d/avg_pool3d). Max-pool inputs are distinct grid values (no ties to flip).
// The adaptive, global, SPP, LP, unpool and cross-channel entries are in OpRegistry.PoolingMore.cs.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> PoolingOps() => [.. Pool1d3dOps(), .. PoolingMoreOps()];

    private static IEnumerable<OpInfo> Pool1d3dOps()
    {
        yield return new OpInfo("max_pool1d",
        [
            MaxPool1("k2", [2, 3, 8], 2),
            MaxPool1("batch1_notes_e20_n6_w3_s2", [1, 1, 6], 3, stride: 2),
            MaxPool1("overlapping_k3_s2_pad1", [2, 2, 9], 3, stride: 2, padding: 1),
            MaxPool1("overlapping_k3_s2_ceil", [1, 2, 8], 3, stride: 2, ceilMode: true),
            MaxPool1("stride_gt_kernel", [2, 1, 11], 2, stride: 3),
            MaxPool1("dilation2_pad1_ceil", [1, 2, 10], 3, stride: 2, padding: 1, dilation: 2, ceilMode: true),
            MaxPool1("out_1", [2, 2, 4], 4),
            MaxPool1("empty_batch", [0, 2, 6], 2),
        ],
        [.. Pool1dErrors("max", (x, k, s, p, d) => F.MaxPool1d(x, k, s, p, d))])
        {
            Method = (Func<Tensor, int, int?, int, int, bool, Tensor>)F.MaxPool1d,
        };

        yield return new OpInfo("avg_pool1d",
        [
            AvgPool1("k2", [2, 3, 8], 2),
            AvgPool1("batch1_notes_e20_n6_w3_s2", [1, 1, 6], 3, stride: 2),
            AvgPool1("overlapping_k3_s2_pad1_count_include_pad", [2, 2, 9], 3, stride: 2, padding: 1),
            AvgPool1("overlapping_k3_s2_pad1_exclude_pad", [2, 2, 9], 3, stride: 2, padding: 1, countIncludePad: false),
            AvgPool1("ceil_pad1_count_include_pad", [1, 2, 8], 3, stride: 2, padding: 1, ceilMode: true),
            AvgPool1("ceil_pad1_exclude_pad", [1, 2, 8], 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
            AvgPool1("stride_gt_kernel", [2, 1, 11], 2, stride: 3),
            AvgPool1("out_1", [2, 2, 4], 4),
        ],
        [.. Pool1dErrors("avg", (x, k, s, p, _) => F.AvgPool1d(x, k, s, p))])
        {
            Method = (Func<Tensor, int, int?, int, bool, bool, Tensor>)F.AvgPool1d,
        };

        yield return new OpInfo("max_pool3d",
        [
            MaxPool3("k2", [2, 2, 4, 4, 4], 2),
            MaxPool3("batch1_overlapping_k3_s2", [1, 2, 5, 6, 7], 3, stride: 2),
            MaxPool3("overlapping_k3_s2_pad1_ceil", [1, 1, 6, 5, 6], 3, stride: 2, padding: 1, ceilMode: true),
            MaxPool3("kernel_1x2x3_stride_1x1x2", [2, 1, 3, 4, 7], (1, 2, 3), stride: (1, 1, 2)),
            MaxPool3("stride_gt_kernel", [1, 2, 5, 5, 5], 2, stride: 3),
            MaxPool3("dilation_2x1x2_pad1", [1, 2, 6, 5, 6], 3, stride: (2, 1, 2), padding: 1, dilation: (2, 1, 2)),
            MaxPool3("out_1x1x1", [2, 2, 3, 3, 3], 3),
            MaxPool3("empty_batch", [0, 2, 4, 4, 4], 2),
        ],
        [.. Pool3dErrors("max", (x, k, s, p, d) => F.MaxPool3d(x, k, s, p, d))])
        {
            Method = (Func<Tensor, Size3, Size3?, Size3?, Size3?, bool, Tensor>)F.MaxPool3d,
        };

        yield return new OpInfo("avg_pool3d",
        [
            AvgPool3("k2", [2, 2, 4, 4, 4], 2),
            AvgPool3("batch1_overlapping_k3_s2", [1, 2, 5, 6, 7], 3, stride: 2),
            AvgPool3("pad1_count_include_pad", [1, 2, 5, 4, 6], 3, stride: 2, padding: 1),
            AvgPool3("pad1_exclude_pad", [1, 2, 5, 4, 6], 3, stride: 2, padding: 1, countIncludePad: false),
            AvgPool3("ceil_pad1_count_include_pad", [1, 1, 6, 5, 6], 3, stride: 2, padding: 1, ceilMode: true),
            AvgPool3("ceil_pad1_exclude_pad", [1, 1, 6, 5, 6], 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
            AvgPool3("kernel_1x2x3_pad_0x1x1", [2, 1, 3, 4, 7], (1, 2, 3), stride: (1, 2, 2), padding: (0, 1, 1)),
            AvgPool3("stride_gt_kernel", [1, 2, 5, 5, 5], 2, stride: 3),
            AvgPool3("out_1x1x1", [2, 2, 3, 3, 3], 3),
        ],
        [.. Pool3dErrors("avg", (x, k, s, p, _) => F.AvgPool3d(x, k, s, p))])
        {
            Method = (Func<Tensor, Size3, Size3?, Size3?, bool, bool, Tensor>)F.AvgPool3d,
        };
    }

    private static int[] Triple(Size3 s) => [s.D, s.H, s.W];

    private static OpSample MaxPool1(string name, int[] x, int kernel, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        int s = stride ?? kernel;
        var attrs = Attrs(("kernel_size", kernel), ("stride", s), ("padding", padding), ("dilation", dilation), ("ceil_mode", ceilMode));
        return new OpSample($"max_pool1d/{name}", [x], attrs, t => F.MaxPool1d(t[0], kernel, s, padding, dilation, ceilMode))
        {
            BatchedInputs = [0],
            Values = [SampleValues.Distinct],
        };
    }

    private static OpSample AvgPool1(string name, int[] x, int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        int s = stride ?? kernel;
        var attrs = Attrs(("kernel_size", kernel), ("stride", s), ("padding", padding), ("ceil_mode", ceilMode), ("count_include_pad", countIncludePad));
        return new OpSample($"avg_pool1d/{name}", [x], attrs, t => F.AvgPool1d(t[0], kernel, s, padding, ceilMode, countIncludePad))
        {
            BatchedInputs = [0],
        };
    }

    private static OpSample MaxPool3(string name, int[] x, Size3 kernel, Size3? stride = null, Size3? padding = null, Size3? dilation = null, bool ceilMode = false)
    {
        Size3 s = stride ?? kernel, p = padding ?? 0, d = dilation ?? 1;
        var attrs = Attrs(("kernel_size", Triple(kernel)), ("stride", Triple(s)), ("padding", Triple(p)), ("dilation", Triple(d)), ("ceil_mode", ceilMode));
        return new OpSample($"max_pool3d/{name}", [x], attrs, t => F.MaxPool3d(t[0], kernel, s, p, d, ceilMode))
        {
            BatchedInputs = [0],
            Values = [SampleValues.Distinct],
        };
    }

    private static OpSample AvgPool3(string name, int[] x, Size3 kernel, Size3? stride = null, Size3? padding = null, bool ceilMode = false, bool countIncludePad = true)
    {
        Size3 s = stride ?? kernel, p = padding ?? 0;
        var attrs = Attrs(("kernel_size", Triple(kernel)), ("stride", Triple(s)), ("padding", Triple(p)), ("ceil_mode", ceilMode),
            ("count_include_pad", countIncludePad));
        return new OpSample($"avg_pool3d/{name}", [x], attrs, t => F.AvgPool3d(t[0], kernel, s, p, ceilMode, countIncludePad))
        {
            BatchedInputs = [0],
        };
    }

    private static IEnumerable<ErrorCase> Pool1dErrors(string kind, Func<Tensor, int, int?, int, int, Tensor> f)
    {
        var x = T(2, 3, 8);
        yield return Error<ArgumentOutOfRangeException>("kernel 0", () => f(x, 0, null, 0, 1), "kernel");
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => f(x, 2, 0, 0, 1), "stride");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => f(x, 3, null, -1, 1), "padding");
        yield return Error<ArgumentOutOfRangeException>("padding more than half the kernel", () => f(x, 3, null, 2, 1), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel longer than padded input", () => f(T(1, 1, 3), 5, null, 0, 1), "kernel");
        yield return Error<ArgumentException>("input rank 4", () => f(T(1, 2, 3, 8), 2, null, 0, 1), "input");
        yield return Error<ArgumentException>("empty sequence", () => f(T(1, 2, 0), 2, null, 0, 1), "input");
        yield return Error<ArgumentNullException>("input null", () => f(null!, 2, null, 0, 1), "input");
        if (kind == "max") yield return Error<ArgumentOutOfRangeException>("dilation 0", () => f(x, 2, null, 0, 0), "dilation");
    }

    private static IEnumerable<ErrorCase> Pool3dErrors(string kind, Func<Tensor, Size3, Size3?, Size3?, Size3, Tensor> f)
    {
        var x = T(1, 2, 4, 5, 6);
        yield return Error<ArgumentOutOfRangeException>("kernel 0", () => f(x, 0, null, null, 1), "kernel");
        yield return Error<ArgumentOutOfRangeException>("kernel depth negative", () => f(x, (-1, 2, 2), null, null, 1), "kernel");
        yield return Error<ArgumentOutOfRangeException>("stride 0 in width", () => f(x, 2, (1, 1, 0), null, 1), "stride");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => f(x, 3, null, (0, -1, 0), 1), "padding");
        yield return Error<ArgumentOutOfRangeException>("padding more than half the kernel in depth", () => f(x, 3, null, (2, 1, 1), 1), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel deeper than padded input", () => f(x, (5, 2, 2), null, null, 1), "kernel");
        yield return Error<ArgumentException>("empty volume (depth 0)", () => f(T(1, 2, 0, 5, 6), 2, null, 1, 1), "input");
        yield return Error<ArgumentException>("input rank 4", () => f(T(2, 4, 5, 6), 2, null, null, 1), "input");
        yield return Error<ArgumentNullException>("input null", () => f(null!, 2, null, null, 1), "input");
        if (kind == "max") yield return Error<ArgumentOutOfRangeException>("dilation 0", () => f(x, 2, null, null, (1, 0, 1)), "dilation");
    }
}
