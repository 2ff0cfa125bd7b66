using System.Globalization;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Nn.Layers;

/// <summary>x for x &gt; 0, negativeSlope·x otherwise (the notes' Leaky ReLU: 0.01, or 0.1).</summary>
public sealed class LeakyReLU : Module
{
    public LeakyReLU(double negativeSlope = 0.01)
    {
        if (!double.IsFinite(negativeSlope)) throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope, "negativeSlope must be a finite number");
        NegativeSlope = negativeSlope;
    }

    public double NegativeSlope { get; }
    public override Tensor Forward(Tensor input) => F.LeakyRelu(input, NegativeSlope);
    public override string ExtraRepr() => NegativeSlope == 0.01 ? "" : $"negativeSlope={Fmt(NegativeSlope)}";
    internal static string Fmt(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}

/// <summary>x for x &gt; 0, α(eˣ - 1) otherwise.</summary>
public sealed class ELU : Module
{
    public ELU(double alpha = 1.0)
    {
        if (!double.IsFinite(alpha)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be a finite number");
        Alpha = alpha;
    }

    public double Alpha { get; }
    public override Tensor Forward(Tensor input) => F.Elu(input, Alpha);
    public override string ExtraRepr() => Alpha == 1 ? "" : $"alpha={LeakyReLU.Fmt(Alpha)}";
}

/// <summary>log(1 + e^(βx))/β, linear above the threshold.</summary>
public sealed class Softplus : Module
{
    public Softplus(double beta = 1.0, double threshold = 20.0)
    {
        if (!(beta > 0) || !double.IsFinite(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be a positive finite number");
        if (!double.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a finite number");
        (Beta, Threshold) = (beta, threshold);
    }

    public double Beta { get; }
    public double Threshold { get; }
    public override Tensor Forward(Tensor input) => F.Softplus(input, Beta, Threshold);
    public override string ExtraRepr() => Beta == 1 && Threshold == 20 ? "" : $"beta={LeakyReLU.Fmt(Beta)}, threshold={LeakyReLU.Fmt(Threshold)}";
}

/// <summary>PReLU with a learned negative slope: one shared (numParameters = 1) or one per channel (numParameters = C),
/// initialised to init (PyTorch: 0.25). Parameter name: weight.</summary>
public sealed class PReLU : Module
{
    public PReLU(int numParameters = 1, double init = 0.25, DType dtype = DType.Float32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numParameters, 1);
        if (!double.IsFinite(init)) throw new ArgumentOutOfRangeException(nameof(init), init, "init must be a finite number");
        Weight = RegisterParameter("weight", Tensor.Full([numParameters], init, dtype));
    }

    public Tensor Weight { get; }
    public override Tensor Forward(Tensor input) => F.Prelu(input, Weight);
    public override string ExtraRepr() => Weight.Numel == 1 ? "" : $"numParameters={Weight.Numel}";
}

/// <summary>Randomized ReLU: slope ~ U(lower, upper) per element in training (from <see cref="Rng"/>), the mean
/// slope (lower + upper)/2 in evaluation.</summary>
public sealed class RReLU : Module
{
    public RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, Rng? rng = null)
    {
        if (!double.IsFinite(lower)) throw new ArgumentOutOfRangeException(nameof(lower), lower, "lower must be a finite number");
        if (!double.IsFinite(upper) || upper < lower) throw new ArgumentOutOfRangeException(nameof(upper), upper, $"upper must be finite and >= lower ({lower})");
        (Lower, Upper, Rng) = (lower, upper, rng ?? new Rng(Init.Generator.NextUInt64()));
    }

    public double Lower { get; }
    public double Upper { get; }
    /// <summary>The generator of the training-time slopes; by default a child of <see cref="Init.Generator"/>.</summary>
    public Rng Rng { get; }
    public override Tensor Forward(Tensor input) => F.Rrelu(input, Lower, Upper, IsTraining, Rng);
    public override string ExtraRepr() => $"lower={LeakyReLU.Fmt(Lower)}, upper={LeakyReLU.Fmt(Upper)}";
}

/// <summary>Maxout over channels: [N, C·k, *] → [N, C, *], max over each group of k consecutive channels.</summary>
public sealed class Maxout : Module
{
    public Maxout(int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        K = k;
    }

    public int K { get; }
    public override Tensor Forward(Tensor input) => F.Maxout(input, K);
    public override string ExtraRepr() => $"k={K}";
}
