namespace Hubel.Ops;

/// <summary>How a convolution pads its input: the notes' three named schemes or explicit amounts.
/// <list type="bullet">
/// <item><see cref="Valid"/>: no padding; out = floor((W - K)/S) + 1.</item>
/// <item><see cref="Same"/>: out = ceil(W/S); the total padding max((out-1)S + D(K-1) + 1 - W, 0) is split with the extra
/// pixel at the bottom/right (as TensorFlow and PyTorch do).</item>
/// <item><see cref="Full"/>: D(K-1) on each side, so every partial overlap counts; out = W + D(K-1) at stride 1.</item>
/// <item><see cref="Explicit(int,int,int,int)"/>: the given amounts on each side (an int converts to the same on all sides).</item>
/// </list></summary>
public abstract partial record Padding
{
    private Padding() { }

    public static Padding Valid { get; } = new ValidPadding();
    public static Padding Same { get; } = new SamePadding();
    public static Padding Full { get; } = new FullPadding();

    public static Padding Explicit(int all) => new ExplicitPadding(all, all, all, all);
    public static Padding Explicit(int height, int width) => new ExplicitPadding(height, height, width, width);
    public static Padding Explicit(int top, int bottom, int left, int right) => new ExplicitPadding(top, bottom, left, right);

    public static implicit operator Padding(int all) => Explicit(all);
    public static implicit operator Padding((int H, int W) hw) => Explicit(hw.H, hw.W);

    public sealed record ValidPadding : Padding { public override string ToString() => "valid"; }
    public sealed record SamePadding : Padding { public override string ToString() => "same"; }
    public sealed record FullPadding : Padding { public override string ToString() => "full"; }

    public sealed record ExplicitPadding(int Top, int Bottom, int Left, int Right) : Padding
    {
        public override string ToString() => Top == Bottom && Left == Right ? (Top == Left ? $"{Top}" : $"({Top}, {Left})") : $"({Top}, {Bottom}, {Left}, {Right})";
    }

    /// <summary>Amounts on each side for an input of <paramref name="inH"/> x <paramref name="inW"/>.</summary>
    internal (int Top, int Bottom, int Left, int Right) Resolve(int inH, int inW, Size2 kernel, Size2 stride, Size2 dilation)
    {
        switch (this)
        {
            case ValidPadding: return (0, 0, 0, 0);
            case FullPadding:
                int fh = dilation.H * (kernel.H - 1), fw = dilation.W * (kernel.W - 1);
                return (fh, fh, fw, fw);
            case SamePadding:
                var (t, b) = SameSplit(inH, kernel.H, stride.H, dilation.H);
                var (l, r) = SameSplit(inW, kernel.W, stride.W, dilation.W);
                return (t, b, l, r);
            case ExplicitPadding e:
                if (e.Top < 0 || e.Bottom < 0 || e.Left < 0 || e.Right < 0)
                    throw new ArgumentOutOfRangeException("padding", $"padding must be >= 0 on every side; got {e}");
                return (e.Top, e.Bottom, e.Left, e.Right);
            default: throw new ArgumentOutOfRangeException("padding", "unknown padding kind");
        }
    }

    private static (int Before, int After) SameSplit(int input, int k, int s, int d)
    {
        long output = (input + (long)s - 1) / s;
        long total = Math.Max((output - 1) * s + (long)d * (k - 1) + 1 - input, 0);
        return ((int)(total / 2), (int)(total - total / 2));
    }
}
