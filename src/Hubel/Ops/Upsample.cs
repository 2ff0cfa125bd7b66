using System.Numerics;
using Hubel.Autograd;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>How <see cref="F.Upsample"/> reads between input pixels.</summary>
public enum UpsampleMode
{
    /// <summary>Copies the nearest input pixel at or before the source coordinate (PyTorch's "nearest").</summary>
    Nearest,
    /// <summary>Bilinear interpolation of the four surrounding input pixels.</summary>
    Bilinear,
}

/// <summary>Upsampling (resizing) of [N, C, H, W] to [N, C, outH, outW], as PyTorch's interpolate. With
/// <c>size</c> the output is that size; with <c>scaleFactor</c> s it is floor(H·s) × floor(W·s) and source
/// coordinates use 1/s. Output pixel o reads source coordinate o·scale (nearest), (o + ½)·scale - ½ clamped at 0
/// (bilinear), or o·(in - 1)/(out - 1) (bilinear with alignCorners). Each output is a fixed weighted sum of at most
/// four inputs, so backward scatters the gradient with the same weights.</summary>
public static partial class F
{
    /// <exception cref="ArgumentException">input not [N, C, H, W] or empty image; both or neither of size and scaleFactor;
    /// alignCorners with nearest.</exception>
    /// <exception cref="ArgumentOutOfRangeException">size &lt; 1; scaleFactor not positive and finite, or giving an empty output.</exception>
    public static Tensor Upsample(Tensor input, Size2? size = null, double? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        if (h < 1 || w < 1) throw new ArgumentException($"input height and width must be >= 1; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        if (size is not null && scaleFactor is not null) throw new ArgumentException("give either size or scaleFactor, not both", nameof(scaleFactor));
        if (size is null && scaleFactor is null) throw new ArgumentException("give size or scaleFactor", nameof(size));
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be Nearest or Bilinear");
        if (alignCorners && mode == UpsampleMode.Nearest)
            throw new ArgumentException("alignCorners applies only to interpolating modes (Bilinear)", nameof(alignCorners));
        int oh, ow;
        double scaleH, scaleW;
        if (size is { } sz)
        {
            sz.AtLeast(1, nameof(size));
            (oh, ow) = (sz.H, sz.W);
            (scaleH, scaleW) = ((double)h / oh, (double)w / ow);
        }
        else
        {
            double sf = scaleFactor!.Value;
            if (!(sf > 0) || !double.IsFinite(sf)) throw new ArgumentOutOfRangeException(nameof(scaleFactor), sf, "scaleFactor must be a positive finite number");
            double fh = Math.Floor(h * sf), fw = Math.Floor(w * sf);
            if (fh < 1 || fw < 1 || fh > int.MaxValue || fw > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(scaleFactor), sf, $"scaleFactor gives an output of {fh} x {fw} from {h} x {w}; each side must be in [1, {int.MaxValue}]");
            (oh, ow) = ((int)fh, (int)fw);
            (scaleH, scaleW) = (1 / sf, 1 / sf);
        }
        var rows = Taps(h, oh, scaleH, mode, alignCorners);
        var cols = Taps(w, ow, scaleW, mode, alignCorners);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([n, c, oh, ow], x.DType);
        if (x.DType == DType.Float32) ResizeForward<float>(x.Span<float>(), y.Span<float>(), n * c, h, w, rows, cols);
        else ResizeForward<double>(x.Span<double>(), y.Span<double>(), n * c, h, w, rows, cols);
        return Graph.Record(y, mode == UpsampleMode.Nearest ? "upsample_nearest" : "upsample_bilinear", [input], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.ZerosLike(x);
            if (x.DType == DType.Float32) ResizeBackward<float>(dy.Span<float>(), dx.Span<float>(), n * c, h, w, rows, cols);
            else ResizeBackward<double>(dy.Span<double>(), dx.Span<double>(), n * c, h, w, rows, cols);
            return [dx];
        });
    }

    /// <summary>For each output position along one axis: the two source indices and their weights.</summary>
    private readonly record struct Tap(int I0, int I1, double W0, double W1);

    private static Tap[] Taps(int inSize, int outSize, double scale, UpsampleMode mode, bool alignCorners)
    {
        var taps = new Tap[outSize];
        for (int o = 0; o < outSize; o++)
        {
            if (mode == UpsampleMode.Nearest)
            {
                int i = Math.Min((int)Math.Floor(o * scale), inSize - 1);
                taps[o] = new Tap(i, i, 1, 0);
                continue;
            }
            double src = alignCorners
                ? (outSize > 1 ? o * (inSize - 1.0) / (outSize - 1) : 0)
                : Math.Max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.Min((int)src, inSize - 1);
            int i1 = i0 < inSize - 1 ? i0 + 1 : i0;
            double l1 = src - i0;
            taps[o] = new Tap(i0, i1, 1 - l1, l1);
        }
        return taps;
    }

    private static void ResizeForward<T>(ReadOnlySpan<T> x, Span<T> y, int planes, int h, int w, Tap[] rows, Tap[] cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = rows.Length, ow = cols.Length;
        for (int p = 0; p < planes; p++)
        {
            var src = x.Slice(p * h * w, h * w);
            var dst = y.Slice(p * oh * ow, oh * ow);
            for (int r = 0; r < oh; r++)
            {
                var rt = rows[r];
                for (int q = 0; q < ow; q++)
                {
                    var ct = cols[q];
                    double top = ct.W0 * double.CreateTruncating(src[rt.I0 * w + ct.I0]) + ct.W1 * double.CreateTruncating(src[rt.I0 * w + ct.I1]);
                    double bottom = ct.W0 * double.CreateTruncating(src[rt.I1 * w + ct.I0]) + ct.W1 * double.CreateTruncating(src[rt.I1 * w + ct.I1]);
                    dst[r * ow + q] = T.CreateTruncating(rt.W0 * top + rt.W1 * bottom);
                }
            }
        }
    }

    private static void ResizeBackward<T>(ReadOnlySpan<T> dy, Span<T> dx, int planes, int h, int w, Tap[] rows, Tap[] cols) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int oh = rows.Length, ow = cols.Length;
        for (int p = 0; p < planes; p++)
        {
            var g = dy.Slice(p * oh * ow, oh * ow);
            var d = dx.Slice(p * h * w, h * w);
            for (int r = 0; r < oh; r++)
            {
                var rt = rows[r];
                for (int q = 0; q < ow; q++)
                {
                    var ct = cols[q];
                    T v = g[r * ow + q];
                    d[rt.I0 * w + ct.I0] += T.CreateTruncating(rt.W0 * ct.W0) * v;
                    d[rt.I0 * w + ct.I1] += T.CreateTruncating(rt.W0 * ct.W1) * v;
                    d[rt.I1 * w + ct.I0] += T.CreateTruncating(rt.W1 * ct.W0) * v;
                    d[rt.I1 * w + ct.I1] += T.CreateTruncating(rt.W1 * ct.W1) * v;
                }
            }
        }
    }
}
