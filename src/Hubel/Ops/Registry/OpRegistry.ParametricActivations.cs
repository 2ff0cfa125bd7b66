using Hubel.Tensors;

namespace Hubel.Ops.Registry;

// The ReLU family with parameters, and Maxout. PyTorch side: tools/golden/torch_ops/activations_norm.py
// (F.leaky_relu, F.elu, F.softplus, F.prelu; rrelu in training and maxout are written there from their definitions,
// rrelu's slopes drawn with a port of Hubel's Rng so the stream is the same).
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ParametricActivationOps()
    {
        yield return ScalarActivation("leaky_relu", [("negative_slope", 0.01), ("negative_slope", 0.1), ("negative_slope", 0.2)],
            (x, v) => F.LeakyRelu(x, v), (Func<Tensor, double, Tensor>)F.LeakyRelu,
        [
            Error<ArgumentOutOfRangeException>("slope NaN", () => F.LeakyRelu(T(3), double.NaN), "negativeSlope"),
            Error<ArgumentOutOfRangeException>("slope infinite", () => F.LeakyRelu(T(3), double.PositiveInfinity), "negativeSlope"),
            Error<ArgumentNullException>("input null", () => F.LeakyRelu(null!), "x"),
        ]);
        yield return ScalarActivation("elu", [("alpha", 1.0), ("alpha", 0.5), ("alpha", 2.0)],
            (x, v) => F.Elu(x, v), (Func<Tensor, double, Tensor>)F.Elu,
        [
            Error<ArgumentOutOfRangeException>("alpha NaN", () => F.Elu(T(3), double.NaN), "alpha"),
            Error<ArgumentNullException>("input null", () => F.Elu(null!), "x"),
        ]);

        yield return new OpInfo("softplus",
        [
            SoftplusSample("default", [2, 3, 4, 5], 1, 20),
            SoftplusSample("beta2_wide", [3, 11], 2, 20, SampleValues.Wide),
            SoftplusSample("threshold_crossed", [4, 9], 1, 0.5, SampleValues.Wide),
            SoftplusSample("beta_half_threshold1", [37], 0.5, 1, SampleValues.Wide),
            SoftplusSample("empty", [2, 0], 1, 20),
        ],
        [
            Error<ArgumentOutOfRangeException>("beta 0", () => F.Softplus(T(3), beta: 0), "beta"),
            Error<ArgumentOutOfRangeException>("beta negative", () => F.Softplus(T(3), beta: -1), "beta"),
            Error<ArgumentOutOfRangeException>("beta infinite", () => F.Softplus(T(3), beta: double.PositiveInfinity), "beta"),
            Error<ArgumentOutOfRangeException>("threshold NaN", () => F.Softplus(T(3), threshold: double.NaN), "threshold"),
            Error<ArgumentNullException>("input null", () => F.Softplus(null!), "x"),
        ])
        {
            Method = (Func<Tensor, double, double, Tensor>)F.Softplus,
        };

        yield return new OpInfo("prelu",
        [
            PreluSample("shared_nchw", [2, 3, 4, 5], 1),
            PreluSample("per_channel_nchw", [2, 3, 4, 5], 3),
            PreluSample("per_channel_batch1", [1, 4, 3, 3], 4),
            PreluSample("per_channel_matrix", [5, 3], 3),
            PreluSample("per_channel_rank3", [2, 3, 7], 3),
            PreluSample("shared_vector", [9], 1),
            PreluSample("shared_one_channel", [3, 1, 2, 2], 1),
        ],
        [
            Error<ArgumentException>("weight length not 1 or C", () => F.Prelu(T(2, 3, 4, 4), T(2)), "weight"),
            Error<ArgumentException>("weight rank 2", () => F.Prelu(T(2, 3, 4, 4), T(1, 3)), "weight"),
            Error<ArgumentException>("per-channel weight for a vector", () => F.Prelu(T(5), T(5)), "weight"),
            Error<ArgumentException>("weight dtype differs", () => F.Prelu(T(2, 3), T32(3)), "weight"),
            Error<ArgumentNullException>("weight null", () => F.Prelu(T(2, 3), null!), "weight"),
            Error<ArgumentNullException>("input null", () => F.Prelu(null!, T(1)), "x"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor>)F.Prelu,
        };

        yield return new OpInfo("rrelu",
        [
            RreluSample("eval_default", [2, 3, 4, 5], 1.0 / 8, 1.0 / 3, training: false, seed: 0),
            RreluSample("eval_wide_range", [3, 11], 0.1, 0.9, training: false, seed: 0),
            RreluSample("train_seed1", [2, 3, 4, 5], 1.0 / 8, 1.0 / 3, training: true, seed: 1),
            RreluSample("train_seed7_matrix", [5, 7], 0.05, 0.5, training: true, seed: 7),
            RreluSample("train_lower_equals_upper", [4, 6], 0.25, 0.25, training: true, seed: 3),
        ],
        [
            Error<ArgumentOutOfRangeException>("lower above upper", () => F.Rrelu(T(3), 0.5, 0.25), "upper"),
            Error<ArgumentOutOfRangeException>("lower NaN", () => F.Rrelu(T(3), double.NaN, 0.25), "lower"),
            Error<ArgumentOutOfRangeException>("upper infinite", () => F.Rrelu(T(3), 0.1, double.PositiveInfinity), "upper"),
            Error<ArgumentNullException>("training without a generator", () => F.Rrelu(T(3), training: true), "rng"),
            Error<ArgumentNullException>("input null", () => F.Rrelu(null!), "x"),
        ])
        {
            Method = (Func<Tensor, double, double, bool, Rng?, Tensor>)F.Rrelu,
        };

        yield return new OpInfo("maxout",
        [
            MaxoutSample("k2_nchw", [2, 6, 3, 3], 2),
            MaxoutSample("k3_batch1", [1, 6, 2, 4], 3),
            MaxoutSample("k1_identity", [2, 3, 2, 2], 1),
            MaxoutSample("k4_matrix", [3, 8], 4),
            MaxoutSample("all_channels_one_group", [2, 5, 3], 5),
            MaxoutSample("empty_batch", [0, 4, 2, 2], 2),
        ],
        [
            Error<ArgumentOutOfRangeException>("k 0", () => F.Maxout(T(2, 4, 3, 3), 0), "k"),
            Error<ArgumentOutOfRangeException>("k negative", () => F.Maxout(T(2, 4, 3, 3), -2), "k"),
            Error<ArgumentException>("channels not a multiple of k", () => F.Maxout(T(2, 5, 3, 3), 2), "x"),
            Error<ArgumentException>("input rank 1", () => F.Maxout(T(6), 2), "x"),
            Error<ArgumentNullException>("input null", () => F.Maxout(null!, 2), "x"),
        ])
        {
            Method = (Func<Tensor, int, Tensor>)F.Maxout,
            Reference = "PyTorch, composed (max over groups of k channels); no torch maxout op",
        };
    }

    /// <summary>An elementwise activation with one double attribute: each value on a feature map, plus the shapes of
    /// <see cref="Activation"/> (batch 1, matrix, odd vector, empty, wide range) at the first value.</summary>
    private static OpInfo ScalarActivation(string name, (string Key, double Value)[] values, Func<Tensor, double, Tensor> f, Delegate method, ErrorCase[] errors)
    {
        var samples = new List<OpSample>();
        foreach (var (key, v) in values)
            samples.Add(new OpSample($"{name}/nchw_{key}_{v.ToString(System.Globalization.CultureInfo.InvariantCulture)}", [[2, 3, 4, 5]], Attrs((key, v)), t => f(t[0], v)) { BatchedInputs = [0], Values = [SampleValues.Wide] });
        var (k0, v0) = values[0];
        samples.Add(new OpSample($"{name}/batch1", [[1, 2, 3, 3]], Attrs((k0, v0)), t => f(t[0], v0)) { BatchedInputs = [0] });
        samples.Add(new OpSample($"{name}/matrix", [[5, 7]], Attrs((k0, v0)), t => f(t[0], v0)) { BatchedInputs = [0] });
        samples.Add(new OpSample($"{name}/vector_odd", [[37]], Attrs((k0, v0)), t => f(t[0], v0)));
        samples.Add(new OpSample($"{name}/empty", [[2, 0]], Attrs((k0, v0)), t => f(t[0], v0)) { BatchedInputs = [0] });
        return new OpInfo(name, samples, errors) { Method = method };
    }

    private static OpSample SoftplusSample(string name, int[] x, double beta, double threshold, SampleValues values = SampleValues.Uniform) =>
        new($"softplus/{name}", [x], Attrs(("beta", beta), ("threshold", threshold)), t => F.Softplus(t[0], beta, threshold))
        {
            BatchedInputs = x.Length > 1 ? [0] : null,
            Values = [values],
        };

    private static OpSample PreluSample(string name, int[] x, int slopes) =>
        new($"prelu/{name}", [x, [slopes]], NoAttrs, t => F.Prelu(t[0], t[1])) { BatchedInputs = x.Length > 1 ? [0] : null };

    /// <summary>Training samples draw their slopes from a generator seeded inside the call, so every run (and the
    /// PyTorch side's port of the generator) sees the same noise; one draw per element, so no batch-vs-single check.</summary>
    private static OpSample RreluSample(string name, int[] x, double lower, double upper, bool training, int seed) =>
        new($"rrelu/{name}", [x], Attrs(("lower", lower), ("upper", upper), ("training", training), ("seed", seed)),
            t => F.Rrelu(t[0], lower, upper, training, training ? new Rng((ulong)seed) : null))
        {
            BatchedInputs = training ? null : [0],
            Values = [SampleValues.Wide],
        };

    private static OpSample MaxoutSample(string name, int[] x, int k) =>
        new($"maxout/{name}", [x], Attrs(("k", k)), t => F.Maxout(t[0], k))
        {
            BatchedInputs = [0],
            Values = [SampleValues.Distinct],
        };
}
