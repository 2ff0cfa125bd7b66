using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>The conv layers' padding modes, as PyTorch's _ConvNd does it: a non-zero mode pads the input with
/// <see cref="F.Pad"/> by the amounts the padding scheme gives for this input size, then convolves unpadded.</summary>
internal static class ConvPadding
{
    public static PaddingMode Check(PaddingMode mode, string name)
    {
        if (!Enum.IsDefined(mode))
            throw new ArgumentOutOfRangeException(name, $"paddingMode must be one of {string.Join(", ", Enum.GetNames<PaddingMode>())}; got {(int)mode}");
        return mode;
    }

    /// <summary>The input padded by <paramref name="mode"/>; null when the convolution should pad by itself (zeros, or an
    /// input of the wrong rank, which the convolution then rejects with its own message).</summary>
    public static Tensor? Apply(Tensor input, Padding padding, PaddingMode mode, int[] kernel, int[] stride, int[] dilation)
    {
        ArgumentNullException.ThrowIfNull(input);
        int rank = kernel.Length;
        if (mode == PaddingMode.Zeros || input.Rank != rank + 2) return null;
        int[] spatial = input.ShapeArray[2..];
        (int Before, int After)[] amounts = rank == 2
            ? Pairs(padding.Resolve(spatial[0], spatial[1], (kernel[0], kernel[1]), (stride[0], stride[1]), (dilation[0], dilation[1])))
            : padding.ResolveNd(spatial, kernel, stride, dilation);
        // F.Pad lists the last dimension first.
        var pad = amounts.Reverse().SelectMany(a => new[] { a.Before, a.After }).ToArray();
        return F.Pad(input, pad, mode);
    }

    private static (int, int)[] Pairs((int Top, int Bottom, int Left, int Right) p) => [(p.Top, p.Bottom), (p.Left, p.Right)];

    /// <summary>Throws when an explicit amount is negative (the rest is checked against the input in Forward).</summary>
    public static Padding CheckPadding(Padding? padding, int rank)
    {
        var p = padding ?? Padding.Valid;
        int[] ones = Enumerable.Repeat(1, rank).ToArray();
        if (rank == 2) p.Resolve(1, 1, 1, 1, 1);
        else p.ResolveNd(ones, ones, ones, ones);
        return p;
    }
}
