namespace Hubel.Ops.Registry;

// conv2d: cross-correlation over [N, C, H, W] with weight [Cout, C/groups, KH, KW] and optional bias [Cout].
// PyTorch side: torch.nn.functional.conv2d (padding 'same' at stride 1 through torch's own 'same';
// the other padding schemes through explicit amounts computed in gen_parity.py).
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ConvOps()
    {
        yield return new OpInfo("conv2d",
        [
            Conv("basic", [2, 3, 5, 5], [4, 3, 3, 3]),
            Conv("no_bias", [2, 3, 5, 5], [4, 3, 3, 3], bias: false),
            Conv("batch1", [1, 2, 4, 4], [3, 2, 3, 3]),
            Conv("out_1x1", [2, 3, 3, 3], [2, 3, 3, 3]),
            Conv("out_1x1_no_bias_batch1", [1, 2, 2, 3], [3, 2, 2, 3], bias: false),
            Conv("nonsquare_input_kernel", [2, 2, 5, 7], [3, 2, 2, 3]),
            Conv("kernel_1x3", [1, 2, 4, 6], [2, 2, 1, 3]),
            Conv("kernel_3x1", [1, 2, 6, 4], [2, 2, 3, 1], padding: Padding.Same),
            Conv("stride2", [2, 2, 7, 7], [3, 2, 3, 3], stride: 2),
            Conv("stride_gt_kernel", [2, 2, 7, 8], [3, 2, 2, 2], stride: 3),
            Conv("stride_2x1", [1, 2, 7, 6], [2, 2, 3, 2], stride: (2, 1)),
            Conv("groups2", [2, 4, 5, 5], [6, 2, 3, 3], groups: 2),
            Conv("groups2_no_bias_stride2", [1, 4, 6, 5], [4, 2, 2, 2], bias: false, stride: 2, groups: 2),
            Conv("depthwise", [2, 3, 5, 5], [3, 1, 3, 3], groups: 3),
            Conv("depthwise_multiplier2", [1, 2, 5, 4], [4, 1, 3, 3], groups: 2, padding: 1),
            Conv("dilation2", [2, 2, 7, 7], [3, 2, 3, 3], dilation: 2),
            Conv("dilation_2x3_pad1", [1, 2, 7, 8], [2, 2, 3, 2], dilation: (2, 3), padding: 1),
            Conv("pad_valid", [2, 2, 4, 5], [3, 2, 3, 3], padding: Padding.Valid),
            Conv("pad_same", [2, 2, 5, 5], [3, 2, 3, 3], padding: Padding.Same),
            Conv("pad_same_even_kernel", [2, 2, 5, 6], [3, 2, 2, 4], padding: Padding.Same),
            Conv("pad_same_dilation2", [1, 2, 6, 6], [2, 2, 3, 3], padding: Padding.Same, dilation: 2),
            Conv("pad_same_stride2", [1, 2, 7, 6], [2, 2, 3, 3], padding: Padding.Same, stride: 2),
            Conv("pad_same_stride2_even_kernel", [1, 2, 6, 7], [2, 2, 4, 2], padding: Padding.Same, stride: 2),
            Conv("pad_full", [2, 2, 4, 4], [3, 2, 3, 3], padding: Padding.Full),
            Conv("pad_full_nonsquare_dilation", [1, 2, 3, 4], [2, 2, 2, 3], padding: Padding.Full, dilation: (1, 2)),
            Conv("pad_explicit1", [2, 2, 4, 5], [3, 2, 3, 3], padding: 1),
            Conv("pad_explicit_2x1_stride2", [1, 2, 5, 5], [2, 2, 3, 3], padding: (2, 1), stride: 2),
            Conv("pad_explicit_asymmetric", [2, 2, 4, 5], [3, 2, 3, 2], padding: Padding.Explicit(1, 0, 2, 1)),
            Conv("pointwise_1x1", [2, 4, 3, 5], [5, 4, 1, 1]),
            Conv("deep_c_k_gt_gemm_block", [2, 30, 4, 4], [4, 30, 3, 3]),
            Conv("larger_output", [2, 3, 12, 12], [4, 3, 3, 3], padding: 1),
            Conv("empty_batch", [0, 2, 4, 4], [3, 2, 3, 3]),
            Conv("pointwise_1x1_stride2", [1, 3, 5, 4], [2, 3, 1, 1], stride: 2),
            Conv("mixed_groups_stride_dilation_pad", [2, 4, 9, 8], [4, 2, 3, 2], stride: (2, 1), dilation: (1, 2), groups: 2,
                padding: Padding.Explicit(1, 2, 0, 1)),
        ],
        [.. ConvErrors()])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Size2?, Padding?, Size2?, int, ConvAlgorithm, Tensor>)F.Conv2d,
        };
    }

    private static OpSample Conv(string name, int[] x, int[] w, bool bias = true,
        Size2? stride = null, Padding? padding = null, Size2? dilation = null, int groups = 1)
    {
        Size2 s = stride ?? 1, d = dilation ?? 1;
        var p = padding ?? Padding.Valid;
        int[][] shapes = bias ? [x, w, [w[0]]] : [x, w];
        var attrs = Attrs(("stride", Pair(s)), ("padding", PaddingAttr(p)), ("dilation", Pair(d)), ("groups", groups));
        return new OpSample($"conv2d/{name}", shapes, attrs,
            t => F.Conv2d(t[0], t[1], bias ? t[2] : null, s, p, d, groups)) { BatchedInputs = [0] };
    }

    /// <summary>"valid", "same", "full", or [top, bottom, left, right].</summary>
    private static object PaddingAttr(Padding p) => p switch
    {
        Padding.ExplicitPadding e => new[] { e.Top, e.Bottom, e.Left, e.Right },
        _ => p.ToString(),
    };

    private static IEnumerable<ErrorCase> ConvErrors()
    {
        var x = T(2, 4, 5, 5);
        var w = T(6, 4, 3, 3);
        var b = T(6);
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => F.Conv2d(x, w, b, stride: 0), "stride");
        yield return Error<ArgumentException>("FFT algorithm with stride 2", () => F.Conv2d(x, w, b, stride: 2, algorithm: ConvAlgorithm.Fft), "algorithm");
        yield return Error<ArgumentException>("FFT algorithm with dilation 2", () => F.Conv2d(x, w, b, dilation: 2, algorithm: ConvAlgorithm.Fft), "algorithm");
        yield return Error<ArgumentOutOfRangeException>("unknown algorithm", () => F.Conv2d(x, w, b, algorithm: (ConvAlgorithm)99), "algorithm");
        yield return Error<ArgumentOutOfRangeException>("stride negative", () => F.Conv2d(x, w, b, stride: -1), "stride");
        yield return Error<ArgumentOutOfRangeException>("stride 0 in width only", () => F.Conv2d(x, w, b, stride: (1, 0)), "stride");
        yield return Error<ArgumentOutOfRangeException>("dilation 0", () => F.Conv2d(x, w, b, dilation: 0), "dilation");
        yield return Error<ArgumentOutOfRangeException>("dilation negative", () => F.Conv2d(x, w, b, dilation: (-2, 1)), "dilation");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.Conv2d(x, w, b, padding: -1), "padding");
        yield return Error<ArgumentOutOfRangeException>("negative padding on one side", () => F.Conv2d(x, w, b, padding: Padding.Explicit(0, 0, 1, -1)), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel larger than input", () => F.Conv2d(T(1, 4, 2, 5), w), "weight");
        yield return Error<ArgumentOutOfRangeException>("kernel larger than padded input", () => F.Conv2d(T(1, 4, 5, 5), T(2, 4, 8, 3), padding: 1), "weight");
        yield return Error<ArgumentOutOfRangeException>("output size below 1 (dilated kernel wider than input)", () => F.Conv2d(x, w, dilation: (1, 3)), "weight");
        yield return Error<ArgumentOutOfRangeException>("groups 0", () => F.Conv2d(x, w, b, groups: 0), "groups");
        yield return Error<ArgumentOutOfRangeException>("groups negative", () => F.Conv2d(x, w, b, groups: -2), "groups");
        yield return Error<ArgumentOutOfRangeException>("groups not dividing input channels", () => F.Conv2d(T(1, 5, 5, 5), T(6, 1, 3, 3), groups: 3), "groups");
        yield return Error<ArgumentOutOfRangeException>("groups not dividing output channels", () => F.Conv2d(T(1, 4, 5, 5), T(3, 2, 3, 3), groups: 2), "groups");
        yield return Error<ArgumentException>("weight channels not C/groups", () => F.Conv2d(x, T(6, 4, 3, 3), groups: 2), "weight");
        yield return Error<ArgumentException>("empty image (height 0), even with padding", () => F.Conv2d(T(1, 4, 0, 5), T(6, 4, 1, 1), padding: 1), "input");
        yield return Error<ArgumentException>("empty image (width 0)", () => F.Conv2d(T(1, 4, 5, 0), w), "input");
        yield return Error<ArgumentException>("input rank 3", () => F.Conv2d(T(4, 5, 5), w), "input");
        yield return Error<ArgumentException>("input rank 5", () => F.Conv2d(T(1, 1, 4, 5, 5), w), "input");
        yield return Error<ArgumentException>("weight rank 3", () => F.Conv2d(x, T(6, 4, 3)), "weight");
        yield return Error<ArgumentException>("bias length differs from Cout", () => F.Conv2d(x, w, T(5)), "bias");
        yield return Error<ArgumentException>("bias rank 2", () => F.Conv2d(x, w, T(6, 1)), "bias");
        yield return Error<ArgumentException>("weight dtype differs", () => F.Conv2d(x, T32(6, 4, 3, 3)), "weight");
        yield return Error<ArgumentException>("bias dtype differs", () => F.Conv2d(x, w, T32(6)), "bias");
        yield return Error<ArgumentNullException>("input null", () => F.Conv2d(null!, w), "input");
        yield return Error<ArgumentNullException>("weight null", () => F.Conv2d(x, null!), "weight");
    }
}
