namespace Hubel.Ops.Registry;

// pad, conv1d and conv3d. PyTorch side (tools/golden/torch_ops/conv_nd.py): torch.nn.functional.pad (mode names
// constant/reflect/replicate/circular) and conv1d/conv3d after an explicit F.pad computed from the padding scheme's definition.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ConvNdOps()
    {
        yield return new OpInfo("pad",
        [
            Pad("zeros_1d", [2, 3, 5], [1, 2]),
            Pad("zeros_2d_asymmetric", [1, 2, 3, 4], [0, 2, 1, 0]),
            Pad("zeros_3d", [1, 1, 2, 3, 2], [1, 0, 0, 1, 2, 1]),
            Pad("zeros_last_dim_of_rank2", [3, 4], [2, 1]),
            Pad("reflect_1d", [2, 2, 5], [2, 3], PaddingMode.Reflect),
            Pad("reflect_1d_unbatched", [3, 4], [3, 1], PaddingMode.Reflect),
            Pad("reflect_2d", [2, 2, 4, 5], [1, 2, 3, 1], PaddingMode.Reflect),
            Pad("reflect_2d_size_minus_one", [1, 1, 3, 3], [2, 2, 2, 2], PaddingMode.Reflect),
            Pad("reflect_3d", [1, 2, 3, 3, 4], [1, 2, 2, 0, 1, 1], PaddingMode.Reflect),
            Pad("replicate_1d", [2, 2, 3], [3, 1], PaddingMode.Replicate),
            Pad("replicate_2d_pad_gt_size", [1, 2, 2, 3], [4, 0, 1, 3], PaddingMode.Replicate),
            Pad("replicate_2d_unbatched_size1", [2, 1, 3], [1, 1, 2, 2], PaddingMode.Replicate),
            Pad("replicate_3d", [1, 1, 2, 3, 2], [1, 1, 0, 2, 2, 1], PaddingMode.Replicate),
            Pad("circular_1d", [2, 2, 4], [2, 3], PaddingMode.Circular),
            Pad("circular_2d_pad_eq_size", [1, 2, 3, 3], [3, 1, 0, 3], PaddingMode.Circular),
            Pad("circular_3d", [1, 1, 2, 3, 3], [1, 1, 2, 0, 1, 2], PaddingMode.Circular),
            Pad("zero_amounts", [1, 2, 3, 3], [0, 0, 0, 0], PaddingMode.Reflect),
        ],
        [.. PadErrors()])
        {
            Method = (Func<Tensor, int[], PaddingMode, Tensor>)F.Pad,
        };

        yield return new OpInfo("conv1d",
        [
            Conv1("basic", [2, 3, 7], [4, 3, 3]),
            Conv1("no_bias_batch1", [1, 2, 5], [3, 2, 2], bias: false),
            Conv1("out_1", [2, 2, 4], [3, 2, 4]),
            Conv1("stride2", [2, 2, 9], [3, 2, 3], stride: 2),
            Conv1("stride_gt_kernel", [1, 2, 10], [2, 2, 2], stride: 3),
            Conv1("dilation2_pad1", [2, 2, 8], [2, 2, 3], dilation: 2, padding: 1),
            Conv1("groups2", [2, 4, 6], [6, 2, 3], groups: 2),
            Conv1("depthwise", [1, 3, 6], [3, 1, 3], groups: 3),
            Conv1("pad_same", [2, 2, 6], [3, 2, 3], padding: Padding.Same),
            Conv1("pad_same_even_kernel_stride2", [1, 2, 7], [2, 2, 4], padding: Padding.Same, stride: 2),
            Conv1("pad_full", [1, 2, 4], [2, 2, 3], padding: Padding.Full),
            Conv1("pad_asymmetric", [2, 2, 5], [3, 2, 3], padding: Padding.Explicit1d(2, 0)),
            Conv1("pad_width_part_of_2d", [1, 2, 5], [2, 2, 3], padding: Padding.Explicit(0, 1), stride: 2),
            Conv1("empty_batch", [0, 2, 5], [3, 2, 3]),
        ],
        [.. Conv1dErrors()])
        {
            Method = (Func<Tensor, Tensor, Tensor?, int, Padding?, int, int, Tensor>)F.Conv1d,
        };

        yield return new OpInfo("conv3d",
        [
            Conv3("basic", [2, 2, 4, 4, 4], [3, 2, 3, 3, 3]),
            Conv3("no_bias_batch1_nonsquare", [1, 2, 3, 5, 4], [2, 2, 2, 3, 2], bias: false),
            Conv3("out_1x1x1", [2, 2, 2, 3, 3], [2, 2, 2, 3, 3]),
            Conv3("stride_2_1_2", [1, 2, 5, 4, 5], [2, 2, 3, 2, 3], stride: (2, 1, 2)),
            Conv3("stride_gt_kernel", [1, 1, 7, 5, 6], [2, 1, 2, 2, 2], stride: 3),
            Conv3("dilation_2_1_1_pad1", [1, 2, 5, 4, 4], [2, 2, 3, 2, 2], dilation: (2, 1, 1), padding: 1),
            Conv3("groups2", [2, 4, 3, 4, 3], [4, 2, 2, 2, 2], groups: 2),
            Conv3("pad_same", [1, 2, 3, 4, 3], [2, 2, 3, 3, 2], padding: Padding.Same),
            Conv3("pad_same_stride2", [1, 1, 5, 4, 5], [2, 1, 3, 2, 3], padding: Padding.Same, stride: 2),
            Conv3("pad_full", [1, 1, 2, 3, 2], [2, 1, 2, 2, 2], padding: Padding.Full),
            Conv3("pad_asymmetric", [2, 1, 3, 3, 4], [2, 1, 2, 3, 2], padding: Padding.Explicit3d(1, 0, 0, 2, 1, 1)),
            Conv3("depth1_as_2d", [2, 2, 1, 5, 4], [3, 2, 1, 3, 2]),
            Conv3("empty_batch", [0, 2, 3, 3, 3], [2, 2, 2, 2, 2]),
        ],
        [.. Conv3dErrors()])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Size3?, Padding?, Size3?, int, Tensor>)F.Conv3d,
        };
    }

    private static string ModeAttr(PaddingMode m) => m == PaddingMode.Zeros ? "constant" : m.ToString().ToLowerInvariant();

    private static OpSample Pad(string name, int[] x, int[] pad, PaddingMode mode = PaddingMode.Zeros) =>
        new($"pad/{name}", [x], Attrs(("pad", pad), ("mode", ModeAttr(mode))), t => F.Pad(t[0], pad, mode))
        { BatchedInputs = x.Length > pad.Length / 2 ? [0] : null };   // dimension 0 is not padded

    private static OpSample Conv1(string name, int[] x, int[] w, bool bias = true, int stride = 1, Padding? padding = null, int dilation = 1, int groups = 1)
    {
        var p = padding ?? Padding.Valid;
        int[][] shapes = bias ? [x, w, [w[0]]] : [x, w];
        var attrs = Attrs(("stride", new[] { stride }), ("padding", PaddingNdAttr(p, 1)), ("dilation", new[] { dilation }), ("groups", groups));
        return new OpSample($"conv1d/{name}", shapes, attrs,
            t => F.Conv1d(t[0], t[1], bias ? t[2] : null, stride, p, dilation, groups)) { BatchedInputs = [0] };
    }

    private static OpSample Conv3(string name, int[] x, int[] w, bool bias = true, Size3? stride = null, Padding? padding = null, Size3? dilation = null, int groups = 1)
    {
        Size3 s = stride ?? 1, d = dilation ?? 1;
        var p = padding ?? Padding.Valid;
        int[][] shapes = bias ? [x, w, [w[0]]] : [x, w];
        var attrs = Attrs(("stride", s.ToArray()), ("padding", PaddingNdAttr(p, 3)), ("dilation", d.ToArray()), ("groups", groups));
        return new OpSample($"conv3d/{name}", shapes, attrs,
            t => F.Conv3d(t[0], t[1], bias ? t[2] : null, s, p, d, groups)) { BatchedInputs = [0] };
    }

    /// <summary>"valid", "same", "full", or [before, after] per spatial dimension, outermost first.</summary>
    private static object PaddingNdAttr(Padding p, int rank) => p switch
    {
        Padding.ExplicitNdPadding e => e.Amounts,
        Padding.ExplicitPadding e when rank == 1 && e.Top == 0 && e.Bottom == 0 => new[] { e.Left, e.Right },
        Padding.ExplicitPadding e => Enumerable.Repeat(e.Left, 2 * rank).ToArray(),
        _ => p.ToString(),
    };

    private static IEnumerable<ErrorCase> PadErrors()
    {
        var x = T(1, 2, 3, 4);
        yield return Error<ArgumentNullException>("input null", () => F.Pad(null!, [1, 1]), "input");
        yield return Error<ArgumentNullException>("pad null", () => F.Pad(x, null!), "pad");
        yield return Error<ArgumentException>("odd number of amounts", () => F.Pad(x, [1, 1, 1]), "pad");
        yield return Error<ArgumentException>("no amounts", () => F.Pad(x, []), "pad");
        yield return Error<ArgumentException>("more than 3 pairs", () => F.Pad(x, [1, 1, 1, 1, 1, 1, 1, 1]), "pad");
        yield return Error<ArgumentOutOfRangeException>("negative amount", () => F.Pad(x, [1, -1]), "pad");
        yield return Error<ArgumentOutOfRangeException>("reflect padding equal to the input size", () => F.Pad(T(1, 2, 4), [4, 0], PaddingMode.Reflect), "pad");
        yield return Error<ArgumentOutOfRangeException>("reflect padding larger than height", () => F.Pad(x, [0, 0, 0, 5], PaddingMode.Reflect), "pad");
        yield return Error<ArgumentOutOfRangeException>("circular padding larger than the input size", () => F.Pad(T(1, 2, 4), [5, 0], PaddingMode.Circular), "pad");
        yield return Error<ArgumentException>("reflect 1 dim of a rank-4 input", () => F.Pad(x, [1, 1], PaddingMode.Reflect), "input");
        yield return Error<ArgumentException>("replicate 3 dims of a rank-3 input", () => F.Pad(T(2, 3, 4), [1, 1, 1, 1, 1, 1], PaddingMode.Replicate), "input");
        yield return Error<ArgumentException>("zeros: more pairs than dimensions", () => F.Pad(T(4), [1, 1, 1, 1]), "input");
        yield return Error<ArgumentOutOfRangeException>("undefined mode", () => F.Pad(x, [1, 1], (PaddingMode)7), "mode");
    }

    private static IEnumerable<ErrorCase> Conv1dErrors()
    {
        var x = T(2, 4, 6);
        var w = T(6, 4, 3);
        yield return Error<ArgumentOutOfRangeException>("stride 0", () => F.Conv1d(x, w, stride: 0), "stride");
        yield return Error<ArgumentOutOfRangeException>("dilation 0", () => F.Conv1d(x, w, dilation: 0), "dilation");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.Conv1d(x, w, padding: -1), "padding");
        yield return Error<ArgumentOutOfRangeException>("negative asymmetric padding", () => F.Conv1d(x, w, padding: Padding.Explicit1d(1, -1)), "padding");
        yield return Error<ArgumentOutOfRangeException>("2-D padding with a height part", () => F.Conv1d(x, w, padding: Padding.Explicit(1, 2)), "padding");
        yield return Error<ArgumentOutOfRangeException>("3-D explicit padding", () => F.Conv1d(x, w, padding: Padding.Explicit3d(1, 1, 1, 1, 1, 1)), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel larger than input", () => F.Conv1d(T(1, 4, 2), w), "weight");
        yield return Error<ArgumentOutOfRangeException>("dilated kernel larger than input", () => F.Conv1d(x, w, dilation: 3), "weight");
        yield return Error<ArgumentOutOfRangeException>("groups 0", () => F.Conv1d(x, w, groups: 0), "groups");
        yield return Error<ArgumentOutOfRangeException>("groups not dividing input channels", () => F.Conv1d(T(1, 5, 6), T(6, 1, 3), groups: 3), "groups");
        yield return Error<ArgumentOutOfRangeException>("groups not dividing output channels", () => F.Conv1d(x, T(3, 2, 3), groups: 2), "groups");
        yield return Error<ArgumentException>("weight channels not C/groups", () => F.Conv1d(x, T(6, 3, 3)), "weight");
        yield return Error<ArgumentException>("empty sequence", () => F.Conv1d(T(1, 4, 0), w, padding: 2), "input");
        yield return Error<ArgumentException>("input rank 4", () => F.Conv1d(T(1, 4, 6, 6), w), "input");
        yield return Error<ArgumentException>("weight rank 4", () => F.Conv1d(x, T(6, 4, 3, 3)), "weight");
        yield return Error<ArgumentException>("bias length differs from Cout", () => F.Conv1d(x, w, T(5)), "bias");
        yield return Error<ArgumentException>("weight dtype differs", () => F.Conv1d(x, T32(6, 4, 3)), "weight");
        yield return Error<ArgumentNullException>("weight null", () => F.Conv1d(x, null!), "weight");
    }

    private static IEnumerable<ErrorCase> Conv3dErrors()
    {
        var x = T(1, 2, 4, 4, 4);
        var w = T(4, 2, 3, 3, 3);
        yield return Error<ArgumentOutOfRangeException>("stride 0 in depth only", () => F.Conv3d(x, w, stride: (0, 1, 1)), "stride");
        yield return Error<ArgumentOutOfRangeException>("dilation negative", () => F.Conv3d(x, w, dilation: (1, -1, 1)), "dilation");
        yield return Error<ArgumentOutOfRangeException>("negative padding", () => F.Conv3d(x, w, padding: -2), "padding");
        yield return Error<ArgumentOutOfRangeException>("negative padding on one side", () => F.Conv3d(x, w, padding: Padding.Explicit3d(0, 0, 0, 0, -1, 0)), "padding");
        yield return Error<ArgumentOutOfRangeException>("1-D explicit padding", () => F.Conv3d(x, w, padding: Padding.Explicit1d(1, 1)), "padding");
        yield return Error<ArgumentOutOfRangeException>("2-D (height, width) padding", () => F.Conv3d(x, w, padding: (1, 2)), "padding");
        yield return Error<ArgumentOutOfRangeException>("kernel deeper than input", () => F.Conv3d(T(1, 2, 2, 4, 4), w), "weight");
        yield return Error<ArgumentOutOfRangeException>("groups not dividing channels", () => F.Conv3d(T(1, 3, 4, 4, 4), T(4, 1, 3, 3, 3), groups: 2), "groups");
        yield return Error<ArgumentException>("weight channels not C/groups", () => F.Conv3d(x, T(4, 1, 3, 3, 3)), "weight");
        yield return Error<ArgumentException>("empty depth", () => F.Conv3d(T(1, 2, 0, 4, 4), w, padding: 1), "input");
        yield return Error<ArgumentException>("input rank 4", () => F.Conv3d(T(2, 4, 4, 4), w), "input");
        yield return Error<ArgumentException>("weight rank 4", () => F.Conv3d(x, T(4, 2, 3, 3)), "weight");
        yield return Error<ArgumentException>("bias rank 2", () => F.Conv3d(x, w, T(4, 1)), "bias");
        yield return Error<ArgumentException>("bias dtype differs", () => F.Conv3d(x, w, T32(4)), "bias");
        yield return Error<ArgumentNullException>("input null", () => F.Conv3d(null!, w), "input");
    }
}
