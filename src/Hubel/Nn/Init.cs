using Hubel.Tensors;

namespace Hubel.Nn;

/// <summary>Weight initialisers (He/Kaiming and Glorot/Xavier) and the generator they draw from.
/// <see cref="ManualSeed"/> makes model construction reproducible, like torch.manual_seed.</summary>
public static class Init
{
    [ThreadStatic] private static Rng? _generator;

    /// <summary>The generator layers use when none is passed.</summary>
    public static Rng Generator => _generator ??= new Rng(0);

    public static void ManualSeed(ulong seed) => _generator = new Rng(seed);

    /// <summary>fan_in and fan_out of a weight [out, in, k...] (PyTorch's definition).</summary>
    public static (int FanIn, int FanOut) Fans(ReadOnlySpan<int> shape)
    {
        if (shape.Length < 2) throw new ArgumentException("fan in/out needs a weight of rank >= 2", nameof(shape));
        int receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>U(-b, b) with b = gain·√(3/fan_in); gain = √(2/(1+a²)). a=√5 is PyTorch's default for conv and linear.</summary>
    public static Tensor KaimingUniform(int[] shape, double a = 0, Rng? rng = null, DType dtype = DType.Float32)
    {
        var (fanIn, _) = Fans(shape);
        double bound = Math.Sqrt(2.0 / (1 + a * a)) * Math.Sqrt(3.0 / fanIn);
        return Tensor.Uniform(shape, -bound, bound, rng ?? Generator, dtype);
    }

    /// <summary>N(0, σ²) with σ = √(2/fan_in) (He et al. 2015, for ReLU networks).</summary>
    public static Tensor KaimingNormal(int[] shape, Rng? rng = null, DType dtype = DType.Float32)
    {
        var (fanIn, _) = Fans(shape);
        return Tensor.Normal(shape, 0, Math.Sqrt(2.0 / fanIn), rng ?? Generator, dtype);
    }

    /// <summary>U(-b, b) with b = gain·√(6/(fan_in + fan_out)) (Glorot and Bengio 2010).</summary>
    public static Tensor XavierUniform(int[] shape, double gain = 1, Rng? rng = null, DType dtype = DType.Float32)
    {
        var (fanIn, fanOut) = Fans(shape);
        double bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Tensor.Uniform(shape, -bound, bound, rng ?? Generator, dtype);
    }

    /// <summary>N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(int[] shape, double gain = 1, Rng? rng = null, DType dtype = DType.Float32)
    {
        var (fanIn, fanOut) = Fans(shape);
        return Tensor.Normal(shape, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), rng ?? Generator, dtype);
    }

    /// <summary>PyTorch's default bias: U(-1/√fan_in, 1/√fan_in).</summary>
    public static Tensor DefaultBias(int size, int fanIn, Rng? rng = null, DType dtype = DType.Float32)
    {
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        return Tensor.Uniform([size], -bound, bound, rng ?? Generator, dtype);
    }
}
