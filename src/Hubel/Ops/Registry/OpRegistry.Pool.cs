namespace Hubel.Ops.Registry;

// max_pool2d and avg_pool2d over [N, C, H, W]. PyTorch side: torch.nn.functional.max_pool2d / avg_pool2d.
// Max-pool inputs are distinct values on an even grid, so a finite difference never flips a window's argmax.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> PoolOps()
    {
        yield return new OpInfo("max_pool2d",
        [
            MaxPool("k2_planes_split_over_workers", [2, 4, 4, 4], 2),
            MaxPool("batch1_k2", [1, 2, 6, 4], 2),
            MaxPool("overlapping_k3_s2", [2, 2, 7, 7], 3, stride: 2),
            MaxPool("overlapping_k3_s2_ceil", [1, 2, 6, 6], 3, stride: 2, ceilMode: true),
            MaxPool("overlapping_k3_s2_pad1", [2, 2, 5, 6], 3, stride: 2, padding: 1),
            MaxPool("kernel_2x3_stride_1x2", [2, 2, 5, 7], (2, 3), stride: (1, 2)),
            MaxPool("stride_gt_kernel", [1, 2, 8, 7], 2, stride: 3),
            MaxPool("dilation2", [1, 2, 6, 6], 2, stride: 1, dilation: 2),
            MaxPool("dilation_2x1_pad1", [1, 1, 7, 5], 3, stride: 2, padding: 1, dilation: (2, 1)),
            MaxPool("out_1x1", [2, 3, 3, 3], 3),
            MaxPool("out_1x1_nonsquare", [1, 2, 2, 3], (2, 3)),
            MaxPool("ceil_pad1_last_window_dropped", [1, 2, 5, 5], 2, stride: 2, padding: 1, ceilMode: true),
            MaxPool("ceil_nonsquare", [2, 1, 5, 8], (2, 3), stride: (2, 3), ceilMode: true),
            MaxPool("ceil_dilation2_pad1", [1, 2, 8, 7], 3, stride: 2, padding: 1, dilation: 2, ceilMode: true),
            MaxPool("larger_input", [2, 4, 12, 12], 2),
            MaxPool("empty_batch", [0, 2, 4, 4], 2),
        ],
        [.. MaxPoolErrors()])
        {
            Method = (Func<Tensor, Size2, Size2?, Size2?, Size2?, bool, Tensor>)F.MaxPool2d,
        };

        yield return new OpInfo("avg_pool2d",
        [
            AvgPool("k2_planes_split_over_workers", [2, 4, 4, 4], 2),
            AvgPool("batch1_k2", [1, 2, 6, 4], 2),
            AvgPool("overlapping_k3_s2", [2, 2, 7, 7], 3, stride: 2),
            AvgPool("kernel_3x2_stride_2x1", [2, 2, 7, 5], (3, 2), stride: (2, 1)),
            AvgPool("stride_gt_kernel", [1, 2, 8, 7], 2, stride: 3),
            AvgPool("out_1x1", [2, 3, 3, 3], 3),
            AvgPool("pad1_count_include_pad", [2, 2, 5, 6], 3, stride: 2, padding: 1),
            AvgPool("pad1_exclude_pad", [2, 2, 5, 6], 3, stride: 2, padding: 1, countIncludePad: false),
            AvgPool("ceil_count_include_pad", [1, 2, 6, 6], 3, stride: 2, ceilMode: true),
            AvgPool("ceil_exclude_pad", [1, 2, 6, 6], 3, stride: 2, ceilMode: true, countIncludePad: false),
            AvgPool("ceil_pad1_count_include_pad", [1, 2, 6, 7], 3, stride: 2, padding: 1, ceilMode: true),
            AvgPool("ceil_pad1_exclude_pad", [1, 2, 6, 7], 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false),
            AvgPool("ceil_pad1_last_window_dropped", [1, 2, 5, 5], 2, stride: 2, padding: 1, ceilMode: true),
            AvgPool("pad_1x0_nonsquare", [2, 1, 5, 6], (2, 3), stride: (2, 2), padding: (1, 0)),
            AvgPool("larger_input", [2, 4, 12, 12], 2),
            AvgPool("empty_batch", [0, 2, 4, 4], 2),
        ],
        [.. AvgPoolErrors()])
        {
            Method = (Func<Tensor, Size2, Size2?, Size2?, bool, bool, Tensor>)F.AvgPool2d,
        };
    }

    private static OpSample MaxPool(string name, int[] x, Size2 kernel, Size2? stride = null, Size2? padding = null,
        Size2? dilation = null, bool ceilMode = false)
    {
        Size2 s = stride ?? kernel, p = padding ?? 0, d = dilation ?? 1;
        var attrs = Attrs(("kernel_size", Pair(kernel)), ("stride", Pair(s)), ("padding", Pair(p)), ("dilation", Pair(d)), ("ceil_mode", ceilMode));
        return new OpSample($"max_pool2d/{name}", [x], attrs, t => F.MaxPool2d(t[0], kernel, s, p, d, ceilMode))
        {
            BatchedInputs = [0],
            Values = [SampleValues.Distinct],
        };
    }

    private static OpSample AvgPool(string name, int[] x, Size2 kernel, Size2? stride = null, Size2? padding = null,
        bool ceilMode = false, bool countIncludePad = true)
    {
        Size2 s = stride ?? kernel, p = padding ?? 0;
        var attrs = Attrs(("kernel_size", Pair(kernel)), ("stride", Pair(s)), ("padding", Pair(p)), ("ceil_mode", ceilMode),
            ("count_include_pad", countIncludePad));
        return new OpSample($"avg_pool2d/{name}", [x], attrs, t => F.AvgPool2d(t[0], kernel, s, p, ceilMode, countIncludePad))
        {
            BatchedInputs = [0],
        };
    }

    private static IEnumerable<ErrorCase> MaxPoolErrors()
    {
        var x = T(2, 3, 6, 6);
        yield return Error<ArgumentOutOfRangeException>("kernel 0", () => F.MaxPool2d(x, 0), "kernel");
        yield return Error<ArgumentOutOfRangeException>("kernel negative", () => F.MaxPool2d(x, (2, -1)), "kernel");
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => F.MaxPool2d(x, 2, stride: 0), "stride");
        yield return Error<ArgumentOutOfRangeException>("stride negative", () => F.MaxPool2d(x, 2, stride: (-1, 1)), "stride");
        yield return Error<ArgumentOutOfRangeException>("dilation 0", () => F.MaxPool2d(x, 2, dilation: 0), "dilation");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.MaxPool2d(x, 3, padding: -1), "padding");
        yield return Error<ArgumentOutOfRangeException>("padding more than half the kernel", () => F.MaxPool2d(x, 3, padding: 2), "padding");
        yield return Error<ArgumentOutOfRangeException>("padding more than half the kernel in width", () => F.MaxPool2d(x, (4, 2), padding: (2, 2)), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel larger than padded input", () => F.MaxPool2d(T(1, 1, 3, 6), 5, padding: 0), "kernel");
        yield return Error<ArgumentOutOfRangeException>("output size below 1 (dilated kernel wider than input)", () => F.MaxPool2d(x, 3, dilation: 3), "kernel");
        yield return Error<ArgumentException>("empty image (height 0), even with padding", () => F.MaxPool2d(T(1, 3, 0, 6), 2, padding: 1), "input");
        yield return Error<ArgumentException>("input rank 3", () => F.MaxPool2d(T(3, 6, 6), 2), "input");
        yield return Error<ArgumentException>("input rank 2", () => F.MaxPool2d(T(6, 6), 2), "input");
        yield return Error<ArgumentNullException>("input null", () => F.MaxPool2d(null!, 2), "input");
    }

    private static IEnumerable<ErrorCase> AvgPoolErrors()
    {
        var x = T(2, 3, 6, 6);
        yield return Error<ArgumentOutOfRangeException>("kernel 0", () => F.AvgPool2d(x, 0), "kernel");
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => F.AvgPool2d(x, 2, stride: 0), "stride");
        yield return Error<ArgumentOutOfRangeException>("stride negative", () => F.AvgPool2d(x, 2, stride: -2), "stride");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.AvgPool2d(x, 3, padding: (0, -1)), "padding");
        yield return Error<ArgumentOutOfRangeException>("padding more than half the kernel", () => F.AvgPool2d(x, 2, padding: 2), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel larger than padded input", () => F.AvgPool2d(T(1, 1, 6, 3), (2, 6), padding: (0, 1)), "kernel");
        yield return Error<ArgumentException>("empty image (width 0), even with padding", () => F.AvgPool2d(T(1, 3, 6, 0), 2, padding: 1), "input");
        yield return Error<ArgumentException>("input rank 3", () => F.AvgPool2d(T(3, 6, 6), 2), "input");
        yield return Error<ArgumentException>("input rank 5", () => F.AvgPool2d(T(1, 2, 3, 6, 6), 2), "input");
        yield return Error<ArgumentNullException>("input null", () => F.AvgPool2d(null!, 2), "input");
    }
}
