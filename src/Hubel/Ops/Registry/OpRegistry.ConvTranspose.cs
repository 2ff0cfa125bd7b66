namespace Hubel.Ops.Registry;

// conv_transpose1d/2d/3d: input [N, Cin, *in], weight [Cin, Cout/groups, *kernel], optional bias [Cout];
// out = (in-1)·S - 2P + D(K-1) + outputPadding + 1. PyTorch side (tools/golden/torch_ops/conv_nd.py):
// torch.nn.functional.conv_transpose1d/2d/3d with the same arguments.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ConvTransposeOps()
    {
        yield return new OpInfo("conv_transpose1d",
        [
            ConvT("conv_transpose1d", "basic", [2, 3, 4], [3, 2, 3]),
            ConvT("conv_transpose1d", "notes_checkerboard_k3_s2", [1, 1, 4], [1, 1, 3], stride: [2]),
            ConvT("conv_transpose1d", "stride3_pad1_outpad2_no_bias", [2, 2, 3], [2, 3, 4], bias: false, stride: [3], padding: [1], outputPadding: [2]),
            ConvT("conv_transpose1d", "dilation2_outpad1_stride1", [1, 2, 4], [2, 2, 3], dilation: [2], outputPadding: [1]),
            ConvT("conv_transpose1d", "groups2_stride2", [2, 4, 3], [4, 1, 2], stride: [2], groups: 2),
            ConvT("conv_transpose1d", "batch1_in1", [1, 2, 1], [2, 3, 2]),
        ], [.. ConvTErrors(1)])
        {
            Method = (Func<Tensor, Tensor, Tensor?, int, int, int, int, int, Tensor>)F.ConvTranspose1d,
        };

        yield return new OpInfo("conv_transpose2d",
        [
            ConvT("conv_transpose2d", "basic", [2, 3, 3, 3], [3, 2, 3, 3]),
            ConvT("conv_transpose2d", "notes_2x2_k3_s2_to_5x5", [1, 1, 2, 2], [1, 1, 3, 3], stride: [2, 2]),
            ConvT("conv_transpose2d", "notes_2x2_k4_s3_to_7x7", [1, 1, 2, 2], [1, 1, 4, 4], stride: [3, 3]),
            ConvT("conv_transpose2d", "notes_3x3_k3_s2_p1_to_5x5", [1, 2, 3, 3], [2, 1, 3, 3], stride: [2, 2], padding: [1, 1]),
            ConvT("conv_transpose2d", "no_bias_nonsquare", [2, 2, 3, 4], [2, 3, 2, 3], bias: false),
            ConvT("conv_transpose2d", "stride_2x1_pad_1x0", [1, 2, 3, 4], [2, 2, 3, 2], stride: [2, 1], padding: [1, 0]),
            ConvT("conv_transpose2d", "stride_gt_kernel_outpad", [2, 2, 3, 2], [2, 2, 2, 2], stride: [3, 3], outputPadding: [2, 1]),
            ConvT("conv_transpose2d", "dilation_2x1_outpad_1x0", [1, 2, 3, 3], [2, 2, 2, 3], dilation: [2, 1], outputPadding: [1, 0]),
            ConvT("conv_transpose2d", "groups2", [2, 4, 3, 3], [4, 3, 2, 2], stride: [2, 2], groups: 2),
            ConvT("conv_transpose2d", "depthwise", [1, 3, 3, 4], [3, 1, 3, 3], groups: 3, padding: [1, 1]),
            ConvT("conv_transpose2d", "pointwise_1x1", [2, 3, 2, 3], [3, 4, 1, 1]),
            ConvT("conv_transpose2d", "input_1x1", [2, 2, 1, 1], [2, 3, 3, 2]),
            ConvT("conv_transpose2d", "pad_crops_to_1x1", [1, 2, 2, 2], [2, 1, 2, 2], padding: [1, 1]),
            ConvT("conv_transpose2d", "mixed", [2, 4, 3, 4], [4, 2, 3, 2], stride: [2, 3], padding: [1, 1], outputPadding: [1, 2], dilation: [1, 2], groups: 2),
            ConvT("conv_transpose2d", "empty_batch", [0, 2, 3, 3], [2, 2, 3, 3]),
        ], [.. ConvTErrors(2)])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Size2?, Size2?, Size2?, int, Size2?, Tensor>)F.ConvTranspose2d,
        };

        yield return new OpInfo("conv_transpose3d",
        [
            ConvT("conv_transpose3d", "basic", [2, 2, 2, 3, 2], [2, 3, 2, 2, 2]),
            ConvT("conv_transpose3d", "stride2_pad1_outpad1_no_bias", [1, 2, 2, 2, 3], [2, 2, 3, 3, 3], bias: false, stride: [2, 2, 2], padding: [1, 1, 1], outputPadding: [1, 0, 1]),
            ConvT("conv_transpose3d", "dilation_groups2", [1, 4, 2, 3, 2], [4, 1, 2, 2, 2], dilation: [2, 1, 2], groups: 2),
            ConvT("conv_transpose3d", "stride_1_2_3", [2, 1, 2, 2, 2], [1, 2, 2, 3, 2], stride: [1, 2, 3]),
            ConvT("conv_transpose3d", "depth1", [1, 2, 1, 3, 3], [2, 2, 1, 2, 2], stride: [1, 2, 2]),
        ], [.. ConvTErrors(3)])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Size3?, Size3?, Size3?, int, Size3?, Tensor>)F.ConvTranspose3d,
        };
    }

    private static OpSample ConvT(string op, string name, int[] x, int[] w, bool bias = true,
        int[]? stride = null, int[]? padding = null, int[]? outputPadding = null, int[]? dilation = null, int groups = 1)
    {
        int rank = x.Length - 2;
        int[] Or(int[]? v, int fill) => v ?? Enumerable.Repeat(fill, rank).ToArray();
        int[] s = Or(stride, 1), p = Or(padding, 0), outPad = Or(outputPadding, 0), d = Or(dilation, 1);
        int[][] shapes = bias ? [x, w, [w[1] * groups]] : [x, w];
        var attrs = Attrs(("stride", s), ("padding", p), ("output_padding", outPad), ("dilation", d), ("groups", groups));
        return new OpSample($"{op}/{name}", shapes, attrs, t => CallConvT(rank, t[0], t[1], bias ? t[2] : null, s, p, outPad, groups, d)) { BatchedInputs = [0] };
    }

    private static Tensor CallConvT(int rank, Tensor x, Tensor w, Tensor? b, int[] s, int[] p, int[] op, int groups, int[] d) => rank switch
    {
        1 => F.ConvTranspose1d(x, w, b, s[0], p[0], op[0], groups, d[0]),
        2 => F.ConvTranspose2d(x, w, b, (s[0], s[1]), (p[0], p[1]), (op[0], op[1]), groups, (d[0], d[1])),
        _ => F.ConvTranspose3d(x, w, b, (s[0], s[1], s[2]), (p[0], p[1], p[2]), (op[0], op[1], op[2]), groups, (d[0], d[1], d[2])),
    };

    /// <summary>The same bad calls for every rank (shapes lifted to the rank).</summary>
    private static IEnumerable<ErrorCase> ConvTErrors(int rank)
    {
        int[] Sp(int v) => Enumerable.Repeat(v, rank).ToArray();
        int[] One(int v) => [.. Enumerable.Repeat(1, rank - 1), v];
        Tensor X(int n, int c, int size) => T([n, c, .. Sp(size)]);
        Tensor W(int cin, int cout, int k) => T([cin, cout, .. Sp(k)]);
        var x = X(1, 4, 3);
        var w = W(4, 2, 3);
        Func<Tensor> Call(Tensor xx, Tensor? ww, Tensor? b = null, int[]? s = null, int[]? p = null, int[]? op = null, int groups = 1, int[]? d = null) =>
            () => CallConvT(rank, xx, ww!, b, s ?? Sp(1), p ?? Sp(0), op ?? Sp(0), groups, d ?? Sp(1));
        yield return Error<ArgumentOutOfRangeException>("stride 0", Call(x, w, s: One(0)), "stride");
        yield return Error<ArgumentOutOfRangeException>("dilation 0", Call(x, w, d: One(0)), "dilation");
        yield return Error<ArgumentOutOfRangeException>("negative padding", Call(x, w, p: One(-1)), "padding");
        yield return Error<ArgumentOutOfRangeException>("negative output padding", Call(x, w, op: One(-1)), "outputPadding");
        yield return Error<ArgumentOutOfRangeException>("output padding equal to stride (stride 2, dilation 1)", Call(x, w, s: Sp(2), op: One(2)), "outputPadding");
        yield return Error<ArgumentOutOfRangeException>("output padding 1 at stride 1, dilation 1", Call(x, w, op: One(1)), "outputPadding");
        yield return Error<ArgumentOutOfRangeException>("padding crops the output below 1", Call(x, w, p: One(3)), "padding");
        yield return Error<ArgumentOutOfRangeException>("groups 0", Call(x, w, groups: 0), "groups");
        yield return Error<ArgumentOutOfRangeException>("groups not dividing Cin", Call(X(1, 3, 3), W(3, 2, 3), groups: 2), "groups");
        yield return Error<ArgumentException>("weight Cin differs from input channels", Call(x, W(3, 2, 3)), "weight");
        yield return Error<ArgumentException>("bias length differs from Cout", Call(x, w, T(3)), "bias");
        yield return Error<ArgumentException>("bias length Cout/groups instead of Cout", Call(x, W(4, 1, 3), T(1), groups: 2), "bias");
        yield return Error<ArgumentException>("empty spatial input", Call(T([1, 4, .. One(0)]), w), "input");
        yield return Error<ArgumentException>("input of the wrong rank", Call(T(1, 4), w), "input");
        yield return Error<ArgumentException>("weight of the wrong rank", Call(x, T(4, 2)), "weight");
        yield return Error<ArgumentException>("weight dtype differs", Call(x, T32([4, 2, .. Sp(3)])), "weight");
        yield return Error<ArgumentNullException>("weight null", Call(x, null), "weight");
    }
}
