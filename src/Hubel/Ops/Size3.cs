namespace Hubel.Ops;

/// <summary>A depth/height/width triple for 3-D kernel sizes, strides, paddings and dilations; an int means the
/// same in all three.</summary>
public readonly record struct Size3(int D, int H, int W)
{
    public static implicit operator Size3(int all) => new(all, all, all);
    public static implicit operator Size3((int D, int H, int W) dhw) => new(dhw.D, dhw.H, dhw.W);
    public override string ToString() => D == H && H == W ? D.ToString() : $"({D}, {H}, {W})";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless every part is >= <paramref name="min"/>.</summary>
    internal Size3 AtLeast(int min, string name)
    {
        if (D < min || H < min || W < min)
            throw new ArgumentOutOfRangeException(name, $"{name} must be >= {min} in every dimension; got {this}");
        return this;
    }

    internal int[] ToArray() => [D, H, W];
}
