using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>Fully connected layer y = x Wᵀ + b, W [out, in], initialised as PyTorch does.</summary>
public sealed class Linear : Module
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        InFeatures = inFeatures; OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.KaimingUniform([outFeatures, inFeatures], a: Math.Sqrt(5), rng: rng));
        if (bias) Bias = RegisterParameter("bias", Init.DefaultBias(outFeatures, inFeatures, rng));
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Tensor Weight { get; }
    public Tensor? Bias { get; }

    public override Tensor Forward(Tensor input) => F.Linear(input, Weight, Bias);

    public override string ExtraRepr() => $"in={InFeatures}, out={OutFeatures}" + (Bias is null ? ", bias=false" : "");
}
