namespace Hubel.Ops.Registry;

// The special convolutions and the notes' analysis tools: im2col / col2im (PyTorch: F.unfold / F.fold),
// locally connected 1-D/2-D and tiled convolution (no PyTorch op: the golden values come from a float64
// reference written from the notes' formula in tools/golden/torch_ops/convx.py), and the FFT convolution
// (PyTorch: F.conv2d, as for conv2d).
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ConvXOps()
    {
        yield return new OpInfo("im2col",
        [
            Unfold("basic_k3", [2, 3, 5, 5], 3),
            Unfold("kernel_2x3_stride_2x1_pad_1x0_dilation_1x2", [1, 2, 7, 6], (2, 3), stride: (2, 1), padding: (1, 0), dilation: (1, 2)),
            Unfold("kernel_1x1", [2, 3, 4, 4], 1),
            Unfold("stride_gt_kernel", [1, 2, 7, 8], 2, stride: 3),
            Unfold("out_1x1", [1, 2, 3, 3], 3),
            Unfold("pad2_larger_than_half_kernel", [1, 1, 3, 3], 3, padding: 2),
            Unfold("empty_batch", [0, 2, 4, 4], 2),
        ],
        [
            Error<ArgumentOutOfRangeException>("kernel 0", () => F.Im2Col(T(1, 2, 5, 5), 0), "kernel"),
            Error<ArgumentOutOfRangeException>("stride 0", () => F.Im2Col(T(1, 2, 5, 5), 2, stride: (1, 0)), "stride"),
            Error<ArgumentOutOfRangeException>("dilation 0", () => F.Im2Col(T(1, 2, 5, 5), 2, dilation: 0), "dilation"),
            Error<ArgumentOutOfRangeException>("negative padding", () => F.Im2Col(T(1, 2, 5, 5), 2, padding: -1), "padding"),
            Error<ArgumentOutOfRangeException>("kernel larger than padded input", () => F.Im2Col(T(1, 2, 3, 5), 6, padding: 1), "kernel"),
            Error<ArgumentException>("input rank 3", () => F.Im2Col(T(2, 5, 5), 2), "input"),
            Error<ArgumentException>("empty image (height 0), even with padding", () => F.Im2Col(T(1, 2, 0, 5), 1, padding: 1), "input"),
            Error<ArgumentNullException>("input null", () => F.Im2Col(null!, 2), "input"),
        ])
        {
            Method = (Func<Tensor, Size2, Size2?, Size2?, Size2?, Tensor>)F.Im2Col,
        };

        yield return new OpInfo("col2im",
        [
            Fold("basic_k3", [2, 27, 9], (5, 5), 3),
            Fold("overlapping_k3_s2", [1, 18, 9], (7, 7), 3, stride: 2),
            Fold("kernel_2x3_stride_2x1_pad_1x0_dilation_1x2", [1, 12, 8], (7, 6), (2, 3), stride: (2, 1), padding: (1, 0), dilation: (1, 2)),
            Fold("stride_gt_kernel_leaves_gaps", [1, 8, 6], (7, 8), 2, stride: 3),
            Fold("kernel_1x1", [2, 3, 12], (3, 4), 1),
            Fold("empty_batch", [0, 8, 9], (4, 4), 2, stride: 1),
        ],
        [
            Error<ArgumentOutOfRangeException>("outputSize 0", () => F.Col2Im(T(1, 8, 9), (0, 4), 2), "outputSize"),
            Error<ArgumentOutOfRangeException>("kernel 0", () => F.Col2Im(T(1, 8, 9), (4, 4), (2, 0)), "kernel"),
            Error<ArgumentOutOfRangeException>("stride 0", () => F.Col2Im(T(1, 8, 9), (4, 4), 2, stride: 0), "stride"),
            Error<ArgumentOutOfRangeException>("dilation negative", () => F.Col2Im(T(1, 8, 9), (4, 4), 2, dilation: -1), "dilation"),
            Error<ArgumentOutOfRangeException>("negative padding", () => F.Col2Im(T(1, 8, 9), (4, 4), 2, padding: (0, -1)), "padding"),
            Error<ArgumentOutOfRangeException>("kernel larger than padded output", () => F.Col2Im(T(1, 25, 1), (4, 4), 5), "kernel"),
            Error<ArgumentException>("dimension 1 not a multiple of KH·KW", () => F.Col2Im(T(1, 7, 9), (4, 4), 2), "input"),
            Error<ArgumentException>("column count differs from the number of windows", () => F.Col2Im(T(1, 8, 8), (4, 4), 2), "input"),
            Error<ArgumentException>("input rank 4", () => F.Col2Im(T(1, 2, 4, 9), (4, 4), 2), "input"),
            Error<ArgumentNullException>("input null", () => F.Col2Im(null!, (4, 4), 2), "input"),
        ])
        {
            Method = (Func<Tensor, Size2, Size2, Size2?, Size2?, Size2?, Tensor>)F.Col2Im,
        };

        yield return new OpInfo("locally_connected2d",
        [
            Local("basic", [2, 3, 5, 5], [3, 3, 4, 3, 3, 3]),
            Local("no_bias", [2, 2, 4, 4], [3, 3, 3, 2, 2, 2], bias: false),
            Local("stride2_pad1", [1, 2, 6, 5], [3, 3, 2, 2, 3, 3], stride: 2, padding: 1),
            Local("kernel_2x3_stride_2x1", [2, 2, 5, 6], [2, 4, 3, 2, 2, 3], stride: (2, 1)),
            Local("kernel_1x1", [2, 3, 3, 4], [3, 4, 2, 3, 1, 1]),
            Local("out_1x1_batch1", [1, 2, 3, 3], [1, 1, 2, 2, 3, 3]),
            Local("empty_batch", [0, 2, 4, 4], [3, 3, 2, 2, 2, 2]),
        ],
        [.. LocalErrors()])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Size2?, Size2?, Tensor>)F.LocallyConnected2d,
            Reference = "float64 reference from the notes' definition (PyTorch has no such op)",
        };

        yield return new OpInfo("locally_connected1d",
        [
            Local1d("basic", [2, 3, 8], [6, 4, 3, 3]),
            Local1d("stride2_pad1_no_bias", [1, 2, 7], [4, 2, 2, 3], bias: false, stride: 2, padding: 1),
            Local1d("kernel_1", [2, 2, 5], [5, 3, 2, 1]),
        ],
        [
            Error<ArgumentException>("input rank 4", () => F.LocallyConnected1d(T(1, 2, 1, 8), T(6, 3, 2, 3)), "input"),
            Error<ArgumentException>("weight rank 6", () => F.LocallyConnected1d(T(1, 2, 8), T(1, 6, 3, 2, 1, 3)), "weight"),
            Error<ArgumentException>("bias rank 1", () => F.LocallyConnected1d(T(1, 2, 8), T(6, 3, 2, 3), T(3)), "bias"),
            Error<ArgumentException>("weight output length differs", () => F.LocallyConnected1d(T(1, 2, 8), T(5, 3, 2, 3)), "weight"),
            Error<ArgumentOutOfRangeException>("stride 0", () => F.LocallyConnected1d(T(1, 2, 8), T(6, 3, 2, 3), stride: 0), "stride"),
            Error<ArgumentOutOfRangeException>("negative padding", () => F.LocallyConnected1d(T(1, 2, 8), T(6, 3, 2, 3), padding: -1), "padding"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor?, int, int, Tensor>)F.LocallyConnected1d,
            Reference = "float64 reference from the notes' definition (PyTorch has no such op)",
        };

        yield return new OpInfo("tiled_conv2d",
        [
            Tiled("tile2", [2, 2, 6, 6], [2, 2, 3, 2, 3, 3]),
            Tiled("tile_4x3_not_dividing_output", [1, 2, 7, 6], [4, 3, 2, 2, 2, 2]),
            Tiled("tile1_is_conv", [2, 3, 5, 5], [1, 1, 4, 3, 3, 3]),
            Tiled("tile_covers_output_is_local", [1, 2, 4, 4], [2, 2, 3, 2, 3, 3]),
            Tiled("tile_larger_than_output", [1, 2, 4, 4], [3, 3, 2, 2, 3, 3]),
            Tiled("stride2_pad1_no_bias", [1, 2, 7, 7], [2, 2, 2, 2, 3, 3], bias: false, stride: 2, padding: 1),
        ],
        [
            Error<ArgumentException>("weight rank 5", () => F.TiledConv2d(T(1, 2, 6, 6), T(2, 2, 3, 2, 3)), "weight"),
            Error<ArgumentOutOfRangeException>("tile size 0", () => F.TiledConv2d(T(1, 2, 6, 6), T(0, 2, 3, 2, 3, 3)), "weight"),
            Error<ArgumentException>("weight channels differ from input", () => F.TiledConv2d(T(1, 2, 6, 6), T(2, 2, 3, 4, 3, 3)), "weight"),
            Error<ArgumentException>("bias per output position instead of per tile", () => F.TiledConv2d(T(1, 2, 6, 6), T(2, 2, 3, 2, 3, 3), T(3, 4, 4)), "bias"),
            Error<ArgumentOutOfRangeException>("stride 0", () => F.TiledConv2d(T(1, 2, 6, 6), T(2, 2, 3, 2, 3, 3), stride: 0), "stride"),
            Error<ArgumentOutOfRangeException>("negative padding", () => F.TiledConv2d(T(1, 2, 6, 6), T(2, 2, 3, 2, 3, 3), padding: -1), "padding"),
            Error<ArgumentOutOfRangeException>("kernel larger than input", () => F.TiledConv2d(T(1, 2, 2, 6), T(2, 2, 3, 2, 3, 3)), "weight"),
            Error<ArgumentNullException>("weight null", () => F.TiledConv2d(T(1, 2, 6, 6), null!), "weight"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Size2?, Size2?, Tensor>)F.TiledConv2d,
            Reference = "float64 reference from the notes' definition (PyTorch has no such op)",
        };

        yield return DepthwiseOps();

        yield return new OpInfo("conv2d_fft",
        [
            Fft("basic", [2, 3, 5, 5], [4, 3, 3, 3]),
            Fft("no_bias", [2, 3, 5, 5], [4, 3, 3, 3], bias: false),
            Fft("pad_same", [2, 2, 6, 5], [3, 2, 3, 3], padding: Padding.Same),
            Fft("pad_full", [1, 2, 4, 4], [2, 2, 3, 3], padding: Padding.Full),
            Fft("pad_explicit_asymmetric", [2, 2, 5, 6], [3, 2, 3, 2], padding: Padding.Explicit(1, 0, 2, 1)),
            Fft("large_kernel_7x5", [1, 2, 12, 10], [2, 2, 7, 5]),
            Fft("non_power_of_two_9x9", [1, 2, 9, 9], [2, 2, 2, 2]),
            Fft("groups2", [1, 4, 6, 6], [4, 2, 3, 3], groups: 2),
            Fft("depthwise", [2, 3, 5, 5], [3, 1, 3, 3], groups: 3),
            Fft("kernel_1x1", [2, 3, 4, 3], [2, 3, 1, 1]),
            Fft("kernel_equals_input_out_1x1", [1, 2, 3, 3], [2, 2, 3, 3]),
            Fft("empty_batch", [0, 2, 4, 4], [3, 2, 3, 3]),
        ],
        [
            Error<ArgumentOutOfRangeException>("groups 0", () => F.Conv2dFft(T(1, 4, 5, 5), T(4, 4, 3, 3), groups: 0), "groups"),
            Error<ArgumentOutOfRangeException>("negative padding", () => F.Conv2dFft(T(1, 4, 5, 5), T(4, 4, 3, 3), padding: -1), "padding"),
            Error<ArgumentOutOfRangeException>("kernel larger than input", () => F.Conv2dFft(T(1, 4, 2, 5), T(4, 4, 3, 3)), "weight"),
            Error<ArgumentException>("weight channels not C/groups", () => F.Conv2dFft(T(1, 4, 5, 5), T(4, 4, 3, 3), groups: 2), "weight"),
            Error<ArgumentException>("bias length differs from Cout", () => F.Conv2dFft(T(1, 4, 5, 5), T(4, 4, 3, 3), T(3)), "bias"),
            Error<ArgumentException>("weight dtype differs", () => F.Conv2dFft(T(1, 4, 5, 5), T32(4, 4, 3, 3)), "weight"),
            Error<ArgumentException>("input rank 3", () => F.Conv2dFft(T(4, 5, 5), T(4, 4, 3, 3)), "input"),
            Error<ArgumentNullException>("input null", () => F.Conv2dFft(null!, T(4, 4, 3, 3)), "input"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Padding?, int, Tensor>)F.Conv2dFft,
        };
    }

    /// <summary>More depthwise cases of <see cref="F.Conv2d"/> (which runs them on the direct depthwise kernel), kept under their
    /// own name so conv2d's golden file is untouched; PyTorch side: F.conv2d. Method is null: conv2d's entry covers the overload.</summary>
    private static OpInfo DepthwiseOps() => new("conv2d_depthwise",
    [
        Depthwise("stride2_pad1", [2, 4, 7, 7], [4, 1, 3, 3], stride: 2, padding: 1),
        Depthwise("dilation2_multiplier3_pad_same", [1, 2, 8, 7], [6, 1, 3, 3], dilation: 2, padding: Padding.Same),
        Depthwise("asymmetric_pad_stride_2x1_kernel_3x2", [2, 3, 6, 9], [3, 1, 3, 2], stride: (2, 1), padding: Padding.Explicit(1, 0, 2, 1)),
        Depthwise("kernel_5x5_larger_than_input_pad_full", [1, 3, 4, 4], [3, 1, 5, 5], padding: Padding.Full),
        Depthwise("stride3_gt_kernel", [1, 2, 8, 8], [2, 1, 2, 2], stride: 3),
        Depthwise("no_bias_multiplier2", [2, 2, 5, 5], [4, 1, 3, 3], bias: false),
        Depthwise("kernel_1x1", [1, 3, 4, 4], [3, 1, 1, 1]),
        Depthwise("wide_rows_vector_path", [1, 2, 3, 37], [2, 1, 3, 3], padding: 1),
        Depthwise("empty_batch", [0, 3, 4, 4], [3, 1, 3, 3]),
    ],
    [
        Error<ArgumentException>("depthwise weight with 2 channels per group", () => F.Conv2d(T(1, 3, 5, 5), T(3, 2, 3, 3), groups: 3), "weight"),
        Error<ArgumentOutOfRangeException>("output channels not a multiple of the channels", () => F.Conv2d(T(1, 3, 5, 5), T(4, 1, 3, 3), groups: 3), "groups"),
        Error<ArgumentOutOfRangeException>("stride 0", () => F.Conv2d(T(1, 3, 5, 5), T(3, 1, 3, 3), stride: 0, groups: 3), "stride"),
    ]);

    private static OpSample Depthwise(string name, int[] x, int[] w, bool bias = true, Size2? stride = null, Padding? padding = null, Size2? dilation = null)
    {
        Size2 s = stride ?? 1, d = dilation ?? 1;
        var p = padding ?? Padding.Valid;
        int groups = x[1];
        int[][] shapes = bias ? [x, w, [w[0]]] : [x, w];
        var attrs = Attrs(("stride", Pair(s)), ("padding", PaddingAttr(p)), ("dilation", Pair(d)), ("groups", groups));
        return new OpSample($"conv2d_depthwise/{name}", shapes, attrs, t => F.Conv2d(t[0], t[1], bias ? t[2] : null, s, p, d, groups)) { BatchedInputs = [0] };
    }

    private static OpSample Unfold(string name, int[] x, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? dilation = null)
    {
        Size2 s = stride ?? 1, p = padding ?? 0, d = dilation ?? 1;
        var attrs = Attrs(("kernel_size", Pair(kernel)), ("stride", Pair(s)), ("padding", Pair(p)), ("dilation", Pair(d)));
        return new OpSample($"im2col/{name}", [x], attrs, t => F.Im2Col(t[0], kernel, s, p, d)) { BatchedInputs = [0] };
    }

    private static OpSample Fold(string name, int[] col, Size2 output, Size2 kernel, Size2? stride = null, Size2? padding = null, Size2? dilation = null)
    {
        Size2 s = stride ?? 1, p = padding ?? 0, d = dilation ?? 1;
        var attrs = Attrs(("output_size", Pair(output)), ("kernel_size", Pair(kernel)), ("stride", Pair(s)), ("padding", Pair(p)), ("dilation", Pair(d)));
        return new OpSample($"col2im/{name}", [col], attrs, t => F.Col2Im(t[0], output, kernel, s, p, d)) { BatchedInputs = [0] };
    }

    private static OpSample Local(string name, int[] x, int[] w, bool bias = true, Size2? stride = null, Size2? padding = null)
    {
        Size2 s = stride ?? 1, p = padding ?? 0;
        int[][] shapes = bias ? [x, w, [w[2], w[0], w[1]]] : [x, w];
        return new OpSample($"locally_connected2d/{name}", shapes, Attrs(("stride", Pair(s)), ("padding", Pair(p))),
            t => F.LocallyConnected2d(t[0], t[1], bias ? t[2] : null, s, p)) { BatchedInputs = [0] };
    }

    private static OpSample Local1d(string name, int[] x, int[] w, bool bias = true, int stride = 1, int padding = 0)
    {
        int[][] shapes = bias ? [x, w, [w[1], w[0]]] : [x, w];
        return new OpSample($"locally_connected1d/{name}", shapes, Attrs(("stride", stride), ("padding", padding)),
            t => F.LocallyConnected1d(t[0], t[1], bias ? t[2] : null, stride, padding)) { BatchedInputs = [0] };
    }

    private static OpSample Tiled(string name, int[] x, int[] w, bool bias = true, Size2? stride = null, Size2? padding = null)
    {
        Size2 s = stride ?? 1, p = padding ?? 0;
        int[][] shapes = bias ? [x, w, [w[2], w[0], w[1]]] : [x, w];
        return new OpSample($"tiled_conv2d/{name}", shapes, Attrs(("stride", Pair(s)), ("padding", Pair(p))),
            t => F.TiledConv2d(t[0], t[1], bias ? t[2] : null, s, p)) { BatchedInputs = [0] };
    }

    private static OpSample Fft(string name, int[] x, int[] w, bool bias = true, Padding? padding = null, int groups = 1)
    {
        var p = padding ?? Padding.Valid;
        int[][] shapes = bias ? [x, w, [w[0]]] : [x, w];
        var attrs = Attrs(("stride", new[] { 1, 1 }), ("padding", PaddingAttr(p)), ("dilation", new[] { 1, 1 }), ("groups", groups));
        return new OpSample($"conv2d_fft/{name}", shapes, attrs, t => F.Conv2dFft(t[0], t[1], bias ? t[2] : null, p, groups)) { BatchedInputs = [0] };
    }

    private static IEnumerable<ErrorCase> LocalErrors()
    {
        var x = T(1, 2, 5, 5);
        var w = T(3, 3, 4, 2, 3, 3);
        yield return Error<ArgumentException>("input rank 3", () => F.LocallyConnected2d(T(2, 5, 5), w), "input");
        yield return Error<ArgumentException>("weight rank 4 (a Conv2d weight)", () => F.LocallyConnected2d(x, T(4, 2, 3, 3)), "weight");
        yield return Error<ArgumentException>("weight channels differ from input", () => F.LocallyConnected2d(x, T(3, 3, 4, 3, 3, 3)), "weight");
        yield return Error<ArgumentException>("weight output size differs from the geometry", () => F.LocallyConnected2d(x, T(2, 3, 4, 2, 3, 3)), "weight");
        yield return Error<ArgumentException>("weight output size for another stride", () => F.LocallyConnected2d(x, w, stride: 2), "weight");
        yield return Error<ArgumentException>("bias per channel only", () => F.LocallyConnected2d(x, w, T(4)), "bias");
        yield return Error<ArgumentException>("bias with positions swapped", () => F.LocallyConnected2d(x, w, T(3, 3, 4)), "bias");
        yield return Error<ArgumentException>("weight dtype differs", () => F.LocallyConnected2d(x, T32(3, 3, 4, 2, 3, 3)), "weight");
        yield return Error<ArgumentException>("bias dtype differs", () => F.LocallyConnected2d(x, w, T32(4, 3, 3)), "bias");
        yield return Error<ArgumentException>("empty image (width 0)", () => F.LocallyConnected2d(T(1, 2, 5, 0), w), "input");
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => F.LocallyConnected2d(x, w, stride: 0), "stride");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.LocallyConnected2d(x, w, padding: (-1, 0)), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel larger than padded input", () => F.LocallyConnected2d(x, T(1, 1, 4, 2, 8, 3), padding: 1), "weight");
        yield return Error<ArgumentOutOfRangeException>("empty kernel", () => F.LocallyConnected2d(x, T(3, 3, 4, 2, 0, 3)), "weight");
        yield return Error<ArgumentNullException>("input null", () => F.LocallyConnected2d(null!, w), "input");
        yield return Error<ArgumentNullException>("weight null", () => F.LocallyConnected2d(x, null!), "weight");
    }
}
