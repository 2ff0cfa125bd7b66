namespace Hubel.Ops.Registry;

// Losses (mean over the batch). PyTorch side: torch.nn.functional.cross_entropy / mse_loss.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> LossOps()
    {
        yield return new OpInfo("cross_entropy",
        [
            CrossEntropySample("basic", 4, 5, [1, 0, 4, 2]),
            CrossEntropySample("batch1", 1, 3, [2]),
            CrossEntropySample("two_classes", 3, 2, [1, 1, 0]),
            CrossEntropySample("ten_classes", 6, 10, [9, 0, 3, 3, 7, 5]),
            CrossEntropySample("wide_logits", 5, 7, [6, 2, 0, 4, 1], SampleValues.Wide),
            CrossEntropySample("label_smoothing_small", 4, 5, [1, 0, 4, 2], labelSmoothing: 0.1),
            CrossEntropySample("label_smoothing_ten_classes", 6, 10, [9, 0, 3, 3, 7, 5], labelSmoothing: 0.3),
            CrossEntropySample("label_smoothing_large_batch1", 1, 3, [2], SampleValues.Wide, labelSmoothing: 0.9),
        ],
        [
            Error<ArgumentException>("logits rank 1", () => F.CrossEntropy(T(5), [1]), "logits"),
            Error<ArgumentException>("logits rank 3", () => F.CrossEntropy(T(2, 3, 4), [0, 1]), "logits"),
            Error<ArgumentException>("fewer targets than rows", () => F.CrossEntropy(T(3, 4), [0, 1]), "targets"),
            Error<ArgumentException>("more targets than rows", () => F.CrossEntropy(T(3, 4), [0, 1, 2, 3]), "targets"),
            Error<ArgumentOutOfRangeException>("target negative", () => F.CrossEntropy(T(3, 4), [0, -1, 2]), "targets"),
            Error<ArgumentOutOfRangeException>("target equal to the class count", () => F.CrossEntropy(T(3, 4), [0, 4, 2]), "targets"),
            Error<ArgumentOutOfRangeException>("target far out of range", () => F.CrossEntropy(T(3, 4), [0, 1, 1000]), "targets"),
            Error<ArgumentException>("empty batch", () => F.CrossEntropy(T(0, 4), []), "logits"),
            Error<ArgumentNullException>("logits null", () => F.CrossEntropy(null!, [0]), "logits"),
            Error<ArgumentOutOfRangeException>("label smoothing negative", () => F.CrossEntropy(T(3, 4), [0, 1, 2], -0.1), "labelSmoothing"),
            Error<ArgumentOutOfRangeException>("label smoothing 1", () => F.CrossEntropy(T(3, 4), [0, 1, 2], 1.0), "labelSmoothing"),
            Error<ArgumentOutOfRangeException>("label smoothing NaN", () => F.CrossEntropy(T(3, 4), [0, 1, 2], double.NaN), "labelSmoothing"),
        ])
        {
            Method = (Func<Tensor, ReadOnlySpan<int>, double, Tensor>)F.CrossEntropy,
        };

        yield return new OpInfo("mse",
        [
            new OpSample("mse/matrix", [[3, 4], [3, 4]], NoAttrs, t => F.Mse(t[0], t[1])),
            new OpSample("mse/nchw", [[2, 3, 2, 2], [2, 3, 2, 2]], NoAttrs, t => F.Mse(t[0], t[1])),
            new OpSample("mse/vector_odd", [[7], [7]], NoAttrs, t => F.Mse(t[0], t[1])),
            new OpSample("mse/constant_target", [[2, 5], [2, 5]], NoAttrs, t => F.Mse(t[0], t[1]), Differentiable: [true, false]),
        ],
        [
            Error<ArgumentException>("shapes differ", () => F.Mse(T(3, 4), T(4, 3)), "target"),
            Error<ArgumentException>("shapes differ but broadcast", () => F.Mse(T(3, 4), T(4)), "target"),
            Error<ArgumentNullException>("prediction null", () => F.Mse(null!, T(3)), "prediction"),
            Error<ArgumentNullException>("target null", () => F.Mse(T(3), null!), "target"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor>)F.Mse,
        };
    }

    private static OpSample CrossEntropySample(string name, int n, int classes, int[] targets, SampleValues values = SampleValues.Uniform,
        double labelSmoothing = 0) =>
        new($"cross_entropy/{name}", [[n, classes]], labelSmoothing == 0 ? NoAttrs : Attrs(("label_smoothing", labelSmoothing)),
            t => F.CrossEntropy(t[0], targets, labelSmoothing), Targets: targets)
        {
            Values = [values],
        };
}
