using Hubel.Tensors;

namespace Hubel.Ops.Registry;

// Batch norm, local response norm and dropout. PyTorch side: tools/golden/torch_ops/activations_norm.py
// (F.batch_norm, F.local_response_norm; dropout masks from a port of Hubel's Rng, as the op draws them).
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> NormalizationOps()
    {
        yield return new OpInfo("batch_norm",
        [
            BatchNormTrain("train_2d_affine", [4, 3, 3, 3], affine: true),
            BatchNormTrain("train_2d_no_affine", [2, 3, 4, 5], affine: false),
            BatchNormTrain("train_2d_batch1", [1, 2, 3, 4], affine: true),
            BatchNormTrain("train_1d_matrix", [6, 4], affine: true),
            BatchNormTrain("train_1d_two_rows", [2, 3], affine: true),
            BatchNormTrain("train_1d_sequence", [3, 4, 5], affine: true),
            BatchNormTrain("train_3d", [2, 2, 2, 3, 2], affine: true),
            BatchNormTrain("train_running_stats_updated", [3, 2, 2, 2], affine: true, trackRunning: true),
            BatchNormTrain("train_momentum_eps", [4, 3, 2, 2], affine: true, trackRunning: true, momentum: 0.3, eps: 1e-3),
            BatchNormEval("eval_2d_affine", [2, 3, 4, 4], affine: true),
            BatchNormEval("eval_2d_no_affine", [3, 2, 3, 2], affine: false),
            BatchNormEval("eval_1d_batch1", [1, 5], affine: true),
            BatchNormEval("eval_3d", [2, 2, 2, 2, 3], affine: true),
        ],
        [.. BatchNormErrors()])
        {
            Method = (Func<Tensor, Tensor?, Tensor?, Tensor?, Tensor?, bool, double, double, Tensor>)F.BatchNorm,
        };

        yield return new OpInfo("local_response_norm",
        [
            Lrn("alexnet", [2, 7, 3, 3], 5, 1e-4, 0.75, 2),
            Lrn("alexnet_strong_alpha", [2, 7, 3, 3], 5, 0.5, 0.75, 2, SampleValues.Wide),
            Lrn("size1", [2, 3, 2, 2], 1, 1, 0.5, 1),
            Lrn("even_size2", [1, 5, 3, 2], 2, 0.8, 0.75, 1),
            Lrn("size_larger_than_channels", [2, 3, 2, 3], 7, 1.5, 1.0, 1.5),
            Lrn("rank3", [2, 6, 5], 3, 0.9, 0.6, 1),
            Lrn("rank5", [1, 4, 2, 2, 3], 3, 0.7, 0.75, 2),
            Lrn("one_channel", [2, 1, 3, 3], 5, 0.9, 0.75, 1),
        ],
        [
            Error<ArgumentOutOfRangeException>("size 0", () => F.LocalResponseNorm(T(2, 4, 3, 3), 0), "size"),
            Error<ArgumentOutOfRangeException>("size negative", () => F.LocalResponseNorm(T(2, 4, 3, 3), -3), "size"),
            Error<ArgumentOutOfRangeException>("alpha NaN", () => F.LocalResponseNorm(T(2, 4, 3, 3), 5, alpha: double.NaN), "alpha"),
            Error<ArgumentOutOfRangeException>("beta infinite", () => F.LocalResponseNorm(T(2, 4, 3, 3), 5, beta: double.PositiveInfinity), "beta"),
            Error<ArgumentOutOfRangeException>("k 0", () => F.LocalResponseNorm(T(2, 4, 3, 3), 5, k: 0), "k"),
            Error<ArgumentOutOfRangeException>("k negative", () => F.LocalResponseNorm(T(2, 4, 3, 3), 5, k: -1), "k"),
            Error<ArgumentException>("input rank 2", () => F.LocalResponseNorm(T(4, 3), 5), "input"),
            Error<ArgumentNullException>("input null", () => F.LocalResponseNorm(null!, 5), "input"),
        ])
        {
            Method = (Func<Tensor, int, double, double, double, Tensor>)F.LocalResponseNorm,
        };

        yield return new OpInfo("dropout",
        [
            DropoutSample("dropout", "eval_identity", [2, 3, 4, 5], 0.5, training: false, seed: 0),
            DropoutSample("dropout", "train_p0_identity", [3, 4], 0, training: true, seed: 1),
            DropoutSample("dropout", "train_p_half", [2, 3, 4, 5], 0.5, training: true, seed: 2),
            DropoutSample("dropout", "train_p_0.2_vector", [37], 0.2, training: true, seed: 3),
            DropoutSample("dropout", "train_p1_zeros", [3, 5], 1, training: true, seed: 4),
        ],
        [
            Error<ArgumentOutOfRangeException>("p negative", () => F.Dropout(T(3), -0.1, rng: new Rng(1)), "p"),
            Error<ArgumentOutOfRangeException>("p above 1", () => F.Dropout(T(3), 1.5, rng: new Rng(1)), "p"),
            Error<ArgumentOutOfRangeException>("p NaN", () => F.Dropout(T(3), double.NaN, rng: new Rng(1)), "p"),
            Error<ArgumentOutOfRangeException>("p invalid in eval too", () => F.Dropout(T(3), 2, training: false), "p"),
            Error<ArgumentNullException>("training without a generator", () => F.Dropout(T(3), 0.5, training: true), "rng"),
            Error<ArgumentNullException>("input null", () => F.Dropout(null!), "x"),
        ])
        {
            Method = (Func<Tensor, double, bool, Rng?, Tensor>)F.Dropout,
        };

        yield return new OpInfo("dropout2d",
        [
            DropoutSample("dropout2d", "eval_identity", [2, 3, 4, 4], 0.5, training: false, seed: 0),
            DropoutSample("dropout2d", "train_p_half", [4, 5, 3, 3], 0.5, training: true, seed: 5),
            DropoutSample("dropout2d", "train_batch1_nonsquare", [1, 6, 2, 3], 0.3, training: true, seed: 6),
            DropoutSample("dropout2d", "train_p1_zeros", [2, 2, 2, 2], 1, training: true, seed: 7),
        ],
        [
            Error<ArgumentOutOfRangeException>("p negative", () => F.Dropout2d(T(2, 3, 4, 4), -0.5, rng: new Rng(1)), "p"),
            Error<ArgumentOutOfRangeException>("p above 1", () => F.Dropout2d(T(2, 3, 4, 4), 1.01, rng: new Rng(1)), "p"),
            Error<ArgumentException>("input rank 3", () => F.Dropout2d(T(3, 4, 4), 0.5, rng: new Rng(1)), "x"),
            Error<ArgumentException>("input rank 2", () => F.Dropout2d(T(3, 4), 0.5, rng: new Rng(1)), "x"),
            Error<ArgumentNullException>("training without a generator", () => F.Dropout2d(T(2, 3, 4, 4), 0.5), "rng"),
            Error<ArgumentNullException>("input null", () => F.Dropout2d(null!), "x"),
        ])
        {
            Method = (Func<Tensor, double, bool, Rng?, Tensor>)F.Dropout2d,
        };
    }

    /// <summary>Training mode: statistics of the batch (so no batch-vs-single check). Running statistics, when
    /// tracked, are fresh tensors made inside the call (their update is checked against PyTorch in BatchNormTests).</summary>
    private static OpSample BatchNormTrain(string name, int[] x, bool affine, bool trackRunning = false, double momentum = 0.1, double eps = 1e-5)
    {
        int c = x[1];
        int[][] shapes = affine ? [x, [c], [c]] : [x];
        return new OpSample($"batch_norm/{name}", shapes, Attrs(("training", true), ("affine", affine), ("momentum", momentum), ("eps", eps)),
            t => F.BatchNorm(t[0], trackRunning ? Tensor.Zeros([c], t[0].DType) : null, trackRunning ? Tensor.Ones([c], t[0].DType) : null,
                affine ? t[1] : null, affine ? t[2] : null, training: true, momentum, eps));
    }

    /// <summary>Evaluation mode: inputs x, running mean, r (running variance = r² + 0.5, kept positive), then weight and bias.</summary>
    private static OpSample BatchNormEval(string name, int[] x, bool affine)
    {
        int c = x[1];
        int[][] shapes = affine ? [x, [c], [c], [c], [c]] : [x, [c], [c]];
        bool[] diff = affine ? [true, false, false, true, true] : [true, false, false];
        return new OpSample($"batch_norm/{name}", shapes, Attrs(("training", false), ("affine", affine), ("momentum", 0.1), ("eps", 1e-5)),
            t => F.BatchNorm(t[0], t[1], t[2] * t[2] + 0.5, affine ? t[3] : null, affine ? t[4] : null, training: false), Differentiable: diff)
        {
            BatchedInputs = [0],
        };
    }

    private static IEnumerable<ErrorCase> BatchNormErrors()
    {
        var x = T(4, 3, 2, 2);
        Tensor c3 = T(3), c2 = T(2);
        yield return Error<ArgumentException>("input rank 1", () => F.BatchNorm(T(5), null, null, training: true), "input");
        yield return Error<ArgumentException>("weight wrong length", () => F.BatchNorm(x, null, null, c2, c3, training: true), "weight");
        yield return Error<ArgumentException>("bias wrong length", () => F.BatchNorm(x, null, null, c3, c2, training: true), "bias");
        yield return Error<ArgumentException>("running mean wrong length", () => F.BatchNorm(x, c2, c3, training: true), "runningMean");
        yield return Error<ArgumentException>("running var wrong length", () => F.BatchNorm(x, c3, T(4), training: true), "runningVar");
        yield return Error<ArgumentException>("running var rank 2", () => F.BatchNorm(x, c3, T(1, 3), training: true), "runningVar");
        yield return Error<ArgumentException>("running mean without running var", () => F.BatchNorm(x, c3, null, training: true), "runningVar");
        yield return Error<ArgumentException>("running var without running mean", () => F.BatchNorm(x, null, c3, training: true), "runningMean");
        yield return Error<ArgumentException>("evaluation without running statistics", () => F.BatchNorm(x, null, null, training: false), "runningMean");
        yield return Error<ArgumentException>("weight dtype differs", () => F.BatchNorm(x, null, null, T32(3), training: true), "weight");
        yield return Error<ArgumentOutOfRangeException>("momentum above 1", () => F.BatchNorm(x, null, null, training: true, momentum: 1.5), "momentum");
        yield return Error<ArgumentOutOfRangeException>("momentum negative", () => F.BatchNorm(x, null, null, training: true, momentum: -0.1), "momentum");
        yield return Error<ArgumentOutOfRangeException>("eps 0", () => F.BatchNorm(x, null, null, training: true, eps: 0), "eps");
        yield return Error<ArgumentOutOfRangeException>("eps NaN", () => F.BatchNorm(x, null, null, training: true, eps: double.NaN), "eps");
        yield return Error<ArgumentException>("training with one value per channel", () => F.BatchNorm(T(1, 3), null, null, training: true), "input");
        yield return Error<ArgumentException>("training with one value per channel (1x1 image)", () => F.BatchNorm(T(1, 3, 1, 1), null, null, training: true), "input");
        yield return Error<ArgumentNullException>("input null", () => F.BatchNorm(null!, null, null, training: true), "input");
    }

    private static OpSample Lrn(string name, int[] x, int size, double alpha, double beta, double k, SampleValues values = SampleValues.Uniform) =>
        new($"local_response_norm/{name}", [x], Attrs(("size", size), ("alpha", alpha), ("beta", beta), ("k", k)),
            t => F.LocalResponseNorm(t[0], size, alpha, beta, k))
        {
            BatchedInputs = [0],
            Values = [values],
        };

    /// <summary>The mask comes from a generator seeded inside the call, so every run draws the same one (and
    /// the PyTorch side rebuilds it with its port of the generator); the statistics are tested in DropoutTests.</summary>
    private static OpSample DropoutSample(string op, string name, int[] x, double p, bool training, int seed)
    {
        Func<Tensor, Rng?, Tensor> f = op == "dropout" ? (t, r) => F.Dropout(t, p, training, r) : (t, r) => F.Dropout2d(t, p, training, r);
        return new OpSample($"{op}/{name}", [x], Attrs(("p", p), ("training", training), ("seed", seed)),
            t => f(t[0], training ? new Rng((ulong)seed) : null))
        {
            BatchedInputs = training && p > 0 && p < 1 ? null : [0],
        };
    }
}
