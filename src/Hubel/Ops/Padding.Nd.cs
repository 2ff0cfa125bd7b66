namespace Hubel.Ops;

// Padding for the 1-D and 3-D convolutions. Kept in its own file so the 2-D Padding stays as it was.
public abstract partial record Padding
{
    /// <summary>Asymmetric 1-D padding: <paramref name="left"/> before and <paramref name="right"/> after the sequence.</summary>
    public static Padding Explicit1d(int left, int right) => new ExplicitNdPadding([left, right]);

    /// <summary>Asymmetric 3-D padding, each dimension's (before, after) in D, H, W order.</summary>
    public static Padding Explicit3d(int front, int back, int top, int bottom, int left, int right) =>
        new ExplicitNdPadding([front, back, top, bottom, left, right]);

    /// <summary>Explicit amounts for any rank: (before, after) per spatial dimension, outermost first.</summary>
    public sealed record ExplicitNdPadding(int[] Amounts) : Padding
    {
        public override string ToString() => $"({string.Join(", ", Amounts)})";
    }

    /// <summary>(before, after) per spatial dimension for an input of the given spatial sizes.
    /// An int padding (<see cref="Explicit(int)"/>) pads every dimension of any rank; for 1-D, the width part of a
    /// 2-D explicit padding with zero height (<c>Explicit(0, p)</c>) is also accepted.</summary>
    internal (int Before, int After)[] ResolveNd(int[] input, int[] kernel, int[] stride, int[] dilation)
    {
        int rank = input.Length;
        var result = new (int Before, int After)[rank];
        for (int i = 0; i < rank; i++)
        {
            result[i] = this switch
            {
                ValidPadding => (0, 0),
                FullPadding => (dilation[i] * (kernel[i] - 1), dilation[i] * (kernel[i] - 1)),
                SamePadding => SameSplit(input[i], kernel[i], stride[i], dilation[i]),
                ExplicitPadding e when e.Top == e.Bottom && e.Bottom == e.Left && e.Left == e.Right => (e.Left, e.Left),
                ExplicitPadding e when rank == 1 && e.Top == 0 && e.Bottom == 0 => (e.Left, e.Right),
                ExplicitPadding e => throw new ArgumentOutOfRangeException("padding",
                    $"a {rank}-D convolution takes an int padding or Padding.Explicit{rank}d(...); got the 2-D padding {e}"),
                ExplicitNdPadding e when e.Amounts.Length == 2 * rank => (e.Amounts[2 * i], e.Amounts[2 * i + 1]),
                ExplicitNdPadding e => throw new ArgumentOutOfRangeException("padding",
                    $"a {rank}-D convolution needs {2 * rank} padding amounts (before, after per dimension); got {e.Amounts.Length}"),
                _ => throw new ArgumentOutOfRangeException("padding", "unknown padding kind"),
            };
            if (result[i].Before < 0 || result[i].After < 0)
                throw new ArgumentOutOfRangeException("padding", $"padding must be >= 0 on every side; got {this}");
        }
        return result;
    }
}
