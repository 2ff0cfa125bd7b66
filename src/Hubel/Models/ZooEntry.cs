using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Models;

/// <summary>One architecture of the zoo: its command-line name, a one-line description, the image side it was designed
/// for, the smallest side it runs on, and how to build it.</summary>
/// <param name="Name">lower-case name used by <c>hubel train --model</c> and stored in model files.</param>
/// <param name="DefaultSize">the side of the square images the architecture was designed for (224 for ImageNet models).</param>
/// <param name="MinSize">the smallest side the network runs on (every pooling/stride stage still has at least one
/// output); equal to <paramref name="DefaultSize"/> when <paramref name="FixedSize"/>.</param>
/// <param name="FixedSize">true when the weights depend on the input size (fully connected layers on an unpooled
/// feature map, locally connected layers): the network takes exactly DefaultSize x DefaultSize.</param>
public sealed record ZooEntry(string Name, string Description, int DefaultSize, int MinSize, Func<int, int, Rng?, Module> Factory,
    bool FixedSize = false)
{
    /// <summary>Whether the network can take <paramref name="height"/> x <paramref name="width"/> images.</summary>
    public bool Accepts(int height, int width) =>
        FixedSize ? height == DefaultSize && width == DefaultSize : height >= MinSize && width >= MinSize;

    /// <summary>The side to resize images of <paramref name="height"/> x <paramref name="width"/> to so the network accepts
    /// them: unchanged when accepted, else the fixed size or the minimum (never shrinks a side that is large enough).</summary>
    public (int Height, int Width) AdaptedSize(int height, int width) =>
        Accepts(height, width) ? (height, width)
        : FixedSize ? (DefaultSize, DefaultSize)
        : (Math.Max(height, MinSize), Math.Max(width, MinSize));

    /// <summary>Throws an <see cref="ArgumentException"/> naming the model, the input size and the size it needs
    /// unless the network can take <paramref name="height"/> x <paramref name="width"/> images.</summary>
    public void CheckInput(int height, int width)
    {
        if (Accepts(height, width)) return;
        string need = FixedSize ? $"exactly {DefaultSize}x{DefaultSize}" : $"at least {MinSize}x{MinSize}";
        throw new ArgumentException($"model '{Name}' needs input images of {need}; got {height}x{width}", nameof(height));
    }
}

/// <summary>Seeding helpers shared by the zoo's models.</summary>
internal static class ModelRng
{
    /// <summary>A generator for a dropout layer's masks drawn from the model's <paramref name="rng"/>, so a seeded model
    /// is reproducible; null (the layer then draws from <see cref="Init.Generator"/>) when no generator was given.</summary>
    public static Rng? Child(Rng? rng) => rng is null ? null : new Rng(rng.NextUInt64());
}
