using System.Text;
using Hubel.Tensors;

namespace Hubel.Ops.Registry;

/// <summary>
/// One op as the generic tests see it (PyTorch's OpInfo): its sample inputs and its bad inputs, as data.
/// Every sample is gradchecked in float64, compared with stored PyTorch values in float64 and float32,
/// run on non-contiguous views and (where it has a batch) image by image; every error case must throw
/// its exception type naming its parameter, before any compute.
/// </summary>
/// <param name="Name">PyTorch-style op name; tools/golden/gen_parity.py maps it to the torch function.</param>
public sealed record OpInfo(string Name, IReadOnlyList<OpSample> Samples, IReadOnlyList<ErrorCase> ErrorCases)
{
    /// <summary>The public <see cref="F"/> overload this entry exercises, as a method group cast to its delegate type
    /// (e.g. <c>(Func&lt;Tensor, Tensor&gt;)F.Relu</c>); a test fails when some overload of F has no entry.</summary>
    public Delegate? Method { get; init; }

    public OpTolerance Tolerance { get; init; } = OpTolerance.Default;

    /// <summary>Where the stored expected values come from: PyTorch, or (for ops PyTorch lacks) a naive float64
    /// reference written from the notes' definition. Shown by <c>hubel ops</c>.</summary>
    public string Reference { get; init; } = "PyTorch";

    /// <summary>Whether any sample has an input that takes a gradient (the op has a backward pass).</summary>
    public bool HasBackward => Samples.Any(s => Enumerable.Range(0, s.InputShapes.Length).Any(s.IsDifferentiable));

    public override string ToString() => Name;
}

/// <summary>Tolerances of the generic tests: |actual - expected| &lt;= atol + rtol·|expected|.</summary>
public sealed record OpTolerance(
    double Atol64 = 1e-8, double Rtol64 = 1e-8,
    double Atol32 = 1e-5, double Rtol32 = 1e-4,
    double GradCheckAtol = 1e-5, double GradCheckRtol = 1e-3)
{
    public static OpTolerance Default { get; } = new();
}

/// <summary>How a sample's input values are drawn (always from the seed derived from the sample id).</summary>
public enum SampleValues
{
    /// <summary>Uniform in [-1, 1).</summary>
    Uniform,
    /// <summary>A shuffled even grid over [-1, 1]: all distinct and far apart, so max pooling has no ties
    /// that a finite difference could flip.</summary>
    Distinct,
    /// <summary>±[0.5, 1): for denominators.</summary>
    AwayFromZero,
    /// <summary>Uniform in [-4, 4): reaches the saturating range of sigmoid and tanh.</summary>
    Wide,
}

/// <summary>One sample: input shapes, attributes (for the PyTorch side) and how to call the op.</summary>
/// <param name="Id">unique, "op/what-it-covers"; the seed of its values is derived from it.</param>
/// <param name="Attributes">ints, int arrays, doubles, strings and bools, named as PyTorch names them.</param>
/// <param name="Invoke">calls the op on the inputs (in the order of <paramref name="InputShapes"/>).</param>
/// <param name="Targets">class indices for losses that take them.</param>
/// <param name="Differentiable">which inputs take gradients; null means all.</param>
public sealed record OpSample(
    string Id, int[][] InputShapes, IReadOnlyDictionary<string, object> Attributes,
    Func<IReadOnlyList<Tensor>, Tensor> Invoke, int[]? Targets = null, bool[]? Differentiable = null)
{
    /// <summary>Inputs whose dimension 0 is the batch (the output's dimension 0 too): running each image alone
    /// must give the same result. Null when the op has no such batch (losses, reductions over it).</summary>
    public int[]? BatchedInputs { get; init; }

    /// <summary>How each input's values are drawn; null means all <see cref="SampleValues.Uniform"/>.</summary>
    public SampleValues[]? Values { get; init; }

    /// <summary>FNV-1a of the id: the seed of the input values (and, mixed, of the upstream gradient).</summary>
    public ulong Seed
    {
        get
        {
            ulong h = 0xCBF29CE484222325UL;
            foreach (byte b in Encoding.UTF8.GetBytes(Id)) { h ^= b; h *= 0x100000001B3UL; }
            return h;
        }
    }

    public bool IsDifferentiable(int input) => Differentiable is null || Differentiable[input];

    /// <summary>Fresh leaf inputs with the sample's values; differentiable ones require grad when asked.</summary>
    public Tensor[] MakeInputs(DType dtype = DType.Float64, bool requiresGrad = true)
    {
        var rng = new Rng(Seed);
        var inputs = new Tensor[InputShapes.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var shape = InputShapes[i];
            var kind = Values?[i] ?? SampleValues.Uniform;
            var values = kind switch
            {
                SampleValues.Distinct => DistinctValues(ShapeMath.Numel(shape), rng),
                SampleValues.AwayFromZero => Tensor.Uniform(shape, 0.5, 1, rng, DType.Float64).ToDoubleArray()
                    .Select(v => rng.NextDouble() < 0.5 ? -v : v).ToArray(),
                SampleValues.Wide => Tensor.Uniform(shape, -4, 4, rng, DType.Float64).ToDoubleArray(),
                _ => Tensor.Uniform(shape, -1, 1, rng, DType.Float64).ToDoubleArray(),
            };
            var t = Tensor.FromArray(values, shape).To(dtype);
            inputs[i] = requiresGrad && IsDifferentiable(i) ? t.RequireGrad() : t;
        }
        return inputs;
    }

    /// <summary>The upstream gradient u of the parity checks (gradients of Σ out ⊙ u), uniform in [-1, 1).</summary>
    public Tensor MakeUpstream(int[] outputShape, DType dtype = DType.Float64) =>
        Tensor.Uniform(outputShape, -1, 1, new Rng(Seed ^ 0x9E3779B97F4A7C15UL), DType.Float64).To(dtype);

    /// <summary>Identifies the exact values a golden entry was computed from: the first 16 hex digits of the SHA-256
    /// of every input's float64 values, then the upstream gradient's, then the targets as int32 (all little-endian,
    /// row-major). tools/golden/gen_parity.py recomputes it from the values it received.</summary>
    public string Fingerprint()
    {
        var inputs = MakeInputs(DType.Float64, requiresGrad: false);
        Tensor output;
        using (Autograd.Graph.NoGrad()) output = Invoke(inputs);
        var bytes = new List<byte>();
        foreach (var t in inputs.Append(MakeUpstream(output.ShapeArray)))
            foreach (double v in t.ToDoubleArray()) bytes.AddRange(BitConverter.GetBytes(v));
        foreach (int k in Targets ?? []) bytes.AddRange(BitConverter.GetBytes(k));
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("fingerprints assume a little-endian machine");
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.ToArray()))[..16];
    }

    /// <summary>Runs the sample with the given inputs (a fresh copy when none are given).</summary>
    public Tensor Run(IReadOnlyList<Tensor>? inputs = null) => Invoke(inputs ?? MakeInputs());

    private static double[] DistinctValues(int n, Rng rng)
    {
        var order = rng.Permutation(n);
        return order.Select(k => n == 1 ? 0.5 : -1 + 2.0 * k / (n - 1)).ToArray();
    }

    public override string ToString() => Id;
}

/// <summary>A bad call, as data: invoking it must throw exactly <paramref name="Exception"/> (an
/// <see cref="ArgumentException"/> or subclass) with <see cref="ArgumentException.ParamName"/> equal to
/// <paramref name="ParamName"/>.</summary>
public sealed record ErrorCase(string Description, Action Invoke, Type Exception, string ParamName)
{
    public override string ToString() => Description;
}

/// <summary>The registry: every op of <see cref="F"/>, each with its samples and error cases, one file per
/// op family. Adding an op = its file in Ops + one <see cref="OpInfo"/> entry in the family's list.</summary>
public static partial class OpRegistry
{
    private static readonly Lazy<IReadOnlyList<OpInfo>> _all = new(() =>
    [
        .. ConvOps(), .. PoolOps(), .. ActivationOps(), .. ArithmeticOps(), .. LinearOps(),
        .. ReductionOps(), .. SoftmaxOps(), .. LossOps(), .. ShapeOps(),
        .. ParametricActivationOps(),
        .. NormalizationOps(),
        .. LayoutOps(),
        .. PoolingOps(),
        .. ConvNdOps(),
        .. ConvTransposeOps(),
        .. ConvXOps(),
    ]);

    private static readonly Lazy<Dictionary<string, (OpInfo Op, OpSample Sample)>> _byId = new(() =>
    {
        var map = new Dictionary<string, (OpInfo, OpSample)>(StringComparer.Ordinal);
        foreach (var op in All)
            foreach (var s in op.Samples)
                if (!map.TryAdd(s.Id, (op, s))) throw new InvalidOperationException($"duplicate sample id '{s.Id}'");
        return map;
    });

    public static IReadOnlyList<OpInfo> All => _all.Value;

    public static IEnumerable<(OpInfo Op, OpSample Sample)> AllSamples => All.SelectMany(op => op.Samples.Select(s => (op, s)));

    public static IEnumerable<(OpInfo Op, ErrorCase Error)> AllErrorCases => All.SelectMany(op => op.ErrorCases.Select(e => (op, e)));

    /// <summary>The sample with this id and its op.</summary>
    public static (OpInfo Op, OpSample Sample) Sample(string id) =>
        _byId.Value.TryGetValue(id, out var hit) ? hit : throw new KeyNotFoundException($"no registry sample with id '{id}'");

    // ---- helpers for the family files ----

    private static Dictionary<string, object> Attrs(params (string Key, object Value)[] items) =>
        items.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);

    private static readonly Dictionary<string, object> NoAttrs = new(StringComparer.Ordinal);

    private static int[] Pair(Size2 s) => [s.H, s.W];

    /// <summary>A float64 tensor with values drawn from a fixed seed (for error cases, whose values do not matter).</summary>
    private static Tensor T(params int[] shape) => Tensor.Uniform(shape, -1, 1, new Rng(7), DType.Float64);

    private static Tensor T32(params int[] shape) => Tensor.Uniform(shape, -1, 1, new Rng(7), DType.Float32);

    private static ErrorCase Error<TException>(string description, Action invoke, string paramName) where TException : ArgumentException =>
        new(description, invoke, typeof(TException), paramName);

    /// <summary>An error case whose call returns a tensor (the result is discarded).</summary>
    private static ErrorCase Error<TException>(string description, Func<Tensor> invoke, string paramName) where TException : ArgumentException =>
        new(description, () => invoke(), typeof(TException), paramName);
}
