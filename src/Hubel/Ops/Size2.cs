namespace Hubel.Ops;

/// <summary>A height/width pair for kernel sizes, strides and dilations; an int means the same in both.</summary>
public readonly record struct Size2(int H, int W)
{
    public static implicit operator Size2(int both) => new(both, both);
    public static implicit operator Size2((int H, int W) hw) => new(hw.H, hw.W);
    public override string ToString() => H == W ? H.ToString() : $"({H}, {W})";

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="name"/> unless both parts are >= <paramref name="min"/>.</summary>
    internal Size2 AtLeast(int min, string name)
    {
        if (H < min || W < min)
            throw new ArgumentOutOfRangeException(name, $"{name} must be >= {min} in both dimensions; got {this}");
        return this;
    }
}
