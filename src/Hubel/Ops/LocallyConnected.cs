using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>The notes' unshared convolutions (S2 §3.1 局部连接 and §3.2 拼接卷积).
/// Locally connected (DeepFace): Z[n, i, j, k] = Σ_l Σ_m Σ_n' V[n, l, j·SH - PH + m, k·SW - PW + n'] · W[j, k, i, l, m, n'] + b[i, j, k],
/// a convolution whose kernel differs at every output position. Weight layout [OH, OW, Cout, Cin, KH, KW]: the output
/// position first, then a Conv2d weight [Cout, Cin, KH, KW] for that position, so W[j, k] is the kernel used at (j, k)
/// and W[j, k] = K for all (j, k) is <see cref="Conv2d"/> with K. Bias [Cout, OH, OW]: one per output unit.
/// Tiled: W[j % TH, k % TW] from a weight [TH, TW, Cout, Cin, KH, KW] (bias [Cout, TH, TW] tiled the same way);
/// TH = TW = 1 is Conv2d, a tile covering the output is locally connected.
/// These are compositions (im2col, then one small GEMM per output position through batched MatMul), so autograd
/// derives the backward; the work is the same multiply-adds as a direct kernel (Cout·Cin·KH·KW per output unit).</summary>
public static partial class F
{
    /// <summary>Locally connected 2-D layer: input [N, C, H, W], weight [OH, OW, Cout, C, KH, KW], bias [Cout, OH, OW];
    /// output [N, Cout, OH, OW] with OH = floor((H + 2PH - KH)/SH) + 1 (likewise OW), which must match weight's first two sizes.</summary>
    /// <exception cref="ArgumentException">wrong ranks, dtypes or shapes (weight's output size or channels not matching the input).</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride below 1, negative padding, or a kernel larger than the padded input.</exception>
    public static Tensor LocallyConnected2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null)
    {
        var (s, p) = UnsharedShape(input, weight, bias, stride ?? 1, padding ?? 0, tiled: false);
        return LocalCore(input, weight, bias, s, p);
    }

    /// <summary>Locally connected 1-D layer: input [N, C, L], weight [OL, Cout, C, K], bias [Cout, OL]; output [N, Cout, OL]
    /// with OL = floor((L + 2P - K)/S) + 1. It is <see cref="LocallyConnected2d"/> on a 1 x L image.</summary>
    /// <exception cref="ArgumentException">wrong ranks, dtypes or shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride below 1, negative padding, or a kernel larger than the padded input.</exception>
    public static Tensor LocallyConnected1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 3) throw new ArgumentException($"input must be [N, C, L]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (weight.Rank != 4) throw new ArgumentException($"weight must be [OL, Cout, C, K]; got shape {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        if (bias is not null && bias.Rank != 2) throw new ArgumentException($"bias must be [Cout, OL]; got shape {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"stride must be >= 1; got {stride}");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"padding must be >= 0; got {padding}");
        if (input.Size(2) >= 1 && weight.Size(3) >= 1)
        {
            int ol = ConvGeometry.OutputSize(input.Size(2), padding, padding, weight.Size(3), stride, 1, nameof(weight));
            if (weight.Size(0) != ol)
                throw new ArgumentException($"weight is for an output of length {weight.Size(0)}; this input, kernel, stride and padding give {ol}", nameof(weight));
        }
        var x2 = input.Unsqueeze(2);
        var w2 = weight.Reshape(1, weight.Size(0), weight.Size(1), weight.Size(2), 1, weight.Size(3));
        var b2 = bias?.Unsqueeze(1);
        var (s, p) = UnsharedShape(x2, w2, b2, (1, stride), (0, padding), tiled: false);
        var y = LocalCore(x2, w2, b2, s, p);
        return y.Reshape(y.Size(0), y.Size(1), y.Size(3));
    }

    /// <summary>Tiled convolution: input [N, C, H, W], weight [TH, TW, Cout, C, KH, KW] (a tile of TH x TW kernels),
    /// bias [Cout, TH, TW]; output [N, Cout, OH, OW] (as <see cref="Conv2d"/>) where position (j, k) uses kernel
    /// W[j % TH, k % TW] and bias b[:, j % TH, k % TW]. Tiles larger than the output are allowed (the extra kernels get zero gradient).</summary>
    /// <exception cref="ArgumentException">wrong ranks, dtypes or shapes.</exception>
    /// <exception cref="ArgumentOutOfRangeException">stride below 1, negative padding, or a kernel larger than the padded input.</exception>
    public static Tensor TiledConv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null)
    {
        var (s, p) = UnsharedShape(input, weight, bias, stride ?? 1, padding ?? 0, tiled: true);
        int oh = ConvGeometry.OutputSize(input.Size(2), p.H, p.H, weight.Size(4), s.H, 1, nameof(weight));
        int ow = ConvGeometry.OutputSize(input.Size(3), p.W, p.W, weight.Size(5), s.W, 1, nameof(weight));
        int th = weight.Size(0), tw = weight.Size(1), rh = (oh + th - 1) / th, rw = (ow + tw - 1) / tw;
        int[] kernelShape = [weight.Size(2), weight.Size(3), weight.Size(4), weight.Size(5)];
        // Position a·TH + i uses tile row i = (a·TH + i) % TH: repeat the tile RH x RW times, then cut to OH x OW.
        var full = weight.Reshape([1, th, 1, tw, .. kernelShape]).BroadcastTo([rh, th, rw, tw, .. kernelShape])
            .Reshape([rh * th, rw * tw, .. kernelShape]).Slice(0, 0, oh).Slice(1, 0, ow);
        Tensor? fullBias = null;
        if (bias is not null)
        {
            int cout = bias.Size(0);
            fullBias = bias.Reshape(cout, 1, th, 1, tw).BroadcastTo(cout, rh, th, rw, tw).Reshape(cout, rh * th, rw * tw)
                .Slice(1, 0, oh).Slice(2, 0, ow);
        }
        return LocalCore(input, full, fullBias, s, p);
    }

    /// <summary>im2col, then for every output position l: out[l] = cols[l] [N, K] x W[l]ᵀ [K, Cout].</summary>
    private static Tensor LocalCore(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding)
    {
        int n = input.Size(0), oh = weight.Size(0), ow = weight.Size(1), cout = weight.Size(2);
        int k = weight.Size(3) * weight.Size(4) * weight.Size(5), l = oh * ow;
        var cols = Im2Col(input, (weight.Size(4), weight.Size(5)), stride, padding);          // [N, K, L]
        var perPosition = MatMul(cols.Permute(2, 0, 1), weight.Reshape(l, cout, k).Transpose(1, 2)); // [L, N, Cout]
        var y = perPosition.Permute(1, 2, 0).Reshape(n, cout, oh, ow);
        return bias is null ? y : Add(y, bias);
    }

    /// <summary>Validates the unshared ops' arguments (before any compute); returns stride and padding.</summary>
    private static (Size2 Stride, Size2 Padding) UnsharedShape(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, bool tiled)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        string layout = tiled ? "[TH, TW, Cout, C, KH, KW]" : "[OH, OW, Cout, C, KH, KW]";
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (weight.Rank != 6) throw new ArgumentException($"weight must be {layout}; got shape {ShapeMath.Format(weight.ShapeArray)}", nameof(weight));
        if (weight.DType != input.DType) throw new ArgumentException($"weight dtype {weight.DType} differs from input dtype {input.DType}", nameof(weight));
        stride.AtLeast(1, nameof(stride));
        padding.AtLeast(0, nameof(padding));
        int c = input.Size(1), h = input.Size(2), w = input.Size(3);
        if (h < 1 || w < 1) throw new ArgumentException($"input height and width must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        for (int d = 0; d < 6; d++)
            if (weight.Size(d) < 1) throw new ArgumentOutOfRangeException(nameof(weight), $"every weight size must be >= 1; got {ShapeMath.Format(weight.ShapeArray)}");
        if (weight.Size(3) != c)
            throw new ArgumentException($"weight has {weight.Size(3)} input channels (dimension 3 of {layout}); input has {c}", nameof(weight));
        int oh = ConvGeometry.OutputSize(h, padding.H, padding.H, weight.Size(4), stride.H, 1, nameof(weight));
        int ow = ConvGeometry.OutputSize(w, padding.W, padding.W, weight.Size(5), stride.W, 1, nameof(weight));
        if (!tiled && (weight.Size(0) != oh || weight.Size(1) != ow))
            throw new ArgumentException($"weight is for a {weight.Size(0)}x{weight.Size(1)} output; this input, kernel, stride and padding give {oh}x{ow}", nameof(weight));
        if (bias is not null)
        {
            int[] expected = [weight.Size(2), weight.Size(0), weight.Size(1)];
            if (!bias.Shape.SequenceEqual(expected))
                throw new ArgumentException($"bias must have shape {ShapeMath.Format(expected)} ([Cout, {(tiled ? "TH, TW" : "OH, OW")}]); got {ShapeMath.Format(bias.ShapeArray)}", nameof(bias));
            if (bias.DType != input.DType) throw new ArgumentException($"bias dtype {bias.DType} differs from input dtype {input.DType}", nameof(bias));
        }
        ShapeMath.Numel([input.Size(0), weight.Size(2), oh, ow], "output");
        return (stride, padding);
    }
}
