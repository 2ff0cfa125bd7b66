using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>Squeeze-and-excitation (SENet): s = mean of each channel over its spatial positions (global average
/// pooling), a = σ(fc2(relu(fc1(s)))) with fc1: C → C/r and fc2: C/r → C, output x·a per channel.
/// [N, C, *] → same shape. Composed from existing ops (mean, linear, relu, sigmoid, broadcast multiply).</summary>
public sealed class SeBlock : Module
{
    public SeBlock(int channels, int reduction = 16, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reduction, 1);
        Channels = channels;
        Hidden = Math.Max(1, channels / reduction);
        Fc1 = RegisterModule("fc1", new Linear(channels, Hidden, rng: rng));
        Fc2 = RegisterModule("fc2", new Linear(Hidden, channels, rng: rng));
    }

    public int Channels { get; }
    public int Hidden { get; }
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 3 || input.Size(1) != Channels)
            throw new ArgumentException($"input must be [N, {Channels}, *] with at least one spatial dimension; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        var spatial = Enumerable.Range(2, input.Rank - 2).ToArray();
        var squeezed = F.Mean(input, spatial);                                   // [N, C]
        var excitation = F.Sigmoid(Fc2.Call(F.Relu(Fc1.Call(squeezed))));  // [N, C]
        int[] perChannel = [input.Size(0), Channels, .. Enumerable.Repeat(1, input.Rank - 2)];
        return F.Mul(input, excitation.Reshape(perChannel));
    }

    public override string ExtraRepr() => $"channels={Channels}, hidden={Hidden}";
}
