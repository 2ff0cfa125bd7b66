namespace Hubel.Ops.Registry;

// softmax and log_softmax along one dimension. PyTorch side: torch.softmax / torch.log_softmax.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> SoftmaxOps()
    {
        yield return SoftmaxLike("softmax", F.Softmax);
        yield return SoftmaxLike("log_softmax", F.LogSoftmax);
    }

    private static OpInfo SoftmaxLike(string name, Func<Tensor, int, Tensor> f)
    {
        // Dimension 0 is the batch unless the softmax runs over it.
        OpSample S(string id, int[] shape, int dim, SampleValues values = SampleValues.Uniform) =>
            new($"{name}/{id}", [shape], Attrs(("dim", dim)), t => f(t[0], dim))
            {
                BatchedInputs = dim == 0 || dim == -shape.Length ? null : [0],
                Values = [values],
            };

        return new OpInfo(name,
        [
            S("dim0", [3, 4], 0),
            S("dim1", [3, 4], 1),
            S("dim_last_negative", [3, 4], -1),
            S("rank3_dim0", [2, 3, 4], 0),
            S("rank3_dim1", [2, 3, 4], 1),
            S("rank3_dim_minus2", [2, 3, 4], -2),
            S("nchw_channels", [2, 3, 2, 2], 1),
            S("batch1_logits", [1, 5], -1),
            S("vector", [6], 0),
            S("wide_logits", [4, 10], 1, SampleValues.Wide),
            S("larger_rows", [16, 20], -1),
            S("empty_rows", [0, 4], 1),
            S("empty_dim", [2, 0], 1),
        ],
        [
            Error<ArgumentOutOfRangeException>("dim out of range", () => f(T(2, 3), 2), "dim"),
            Error<ArgumentOutOfRangeException>("negative dim out of range", () => f(T(2, 3), -3), "dim"),
            Error<ArgumentException>("rank-0 input", () => f(T(), 0), "input"),
            Error<ArgumentNullException>("input null", () => f(null!, 0), "input"),
        ])
        {
            Method = f,
        };
    }
}
