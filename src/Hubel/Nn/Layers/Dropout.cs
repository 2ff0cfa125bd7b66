using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>Inverted dropout: in training zeroes each element with probability p and scales the rest by 1/(1 - p);
/// the identity after <see cref="Module.Eval"/>.</summary>
public sealed class Dropout : Module
{
    public Dropout(double p = 0.5, Rng? rng = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability p must be in [0, 1]");
        (P, Rng) = (p, rng ?? new Rng(Init.Generator.NextUInt64()));
    }

    public double P { get; }
    /// <summary>The generator of the masks; by default a child of <see cref="Init.Generator"/>, so <see cref="Init.ManualSeed"/>
    /// makes runs reproducible and two layers draw different masks.</summary>
    public Rng Rng { get; }
    public override Tensor Forward(Tensor input) => F.Dropout(input, P, IsTraining, Rng);
    public override string ExtraRepr() => $"p={LeakyReLU.Fmt(P)}";
}

/// <summary>Channel dropout over [N, C, H, W]: zeroes whole feature maps with probability p in training.</summary>
public sealed class Dropout2d : Module
{
    public Dropout2d(double p = 0.5, Rng? rng = null)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability p must be in [0, 1]");
        (P, Rng) = (p, rng ?? new Rng(Init.Generator.NextUInt64()));
    }

    public double P { get; }
    public Rng Rng { get; }
    public override Tensor Forward(Tensor input) => F.Dropout2d(input, P, IsTraining, Rng);
    public override string ExtraRepr() => $"p={LeakyReLU.Fmt(P)}";
}
