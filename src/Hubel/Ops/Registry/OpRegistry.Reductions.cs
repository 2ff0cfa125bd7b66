namespace Hubel.Ops.Registry;

// Sum and mean, over everything or over chosen dimensions. PyTorch side: torch.sum / torch.mean.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ReductionOps()
    {
        yield return FullReduction("sum", F.Sum);
        yield return FullReduction("mean", F.Mean);
        yield return DimReduction("sum_dim", F.Sum);
        yield return DimReduction("mean_dim", F.Mean);
    }

    private static OpInfo FullReduction(string name, Func<Tensor, Tensor> f) => new(name,
    [
        new OpSample($"{name}/matrix", [[3, 4]], NoAttrs, t => f(t[0])),
        new OpSample($"{name}/nchw", [[2, 3, 4, 5]], NoAttrs, t => f(t[0])),
        new OpSample($"{name}/vector_odd", [[37]], NoAttrs, t => f(t[0])),
        new OpSample($"{name}/one_element", [[1, 1]], NoAttrs, t => f(t[0])),
        .. name == "sum" ? [new OpSample($"{name}/empty", [[0, 3]], NoAttrs, t => f(t[0]))] : Array.Empty<OpSample>(),
    ],
    [
        Error<ArgumentNullException>("input null", () => f(null!), "x"),
        .. name == "mean" ? [Error<ArgumentException>("empty input", () => f(T(0)), "x")] : Array.Empty<ErrorCase>(),
    ])
    {
        Method = f,
    };

    private static OpInfo DimReduction(string name, Func<Tensor, int[], bool, Tensor> f)
    {
        OpSample S(string id, int[] shape, int[] dims, bool keepDim, bool batched) =>
            new($"{name}/{id}", [shape], Attrs(("dim", dims), ("keepdim", keepDim)), t => f(t[0], dims, keepDim))
            {
                BatchedInputs = batched ? [0] : null,
            };

        return new OpInfo(name,
        [
            S("dim1", [2, 3, 4], [1], false, true),
            S("dim1_keepdim", [2, 3, 4], [1], true, true),
            S("dim0", [3, 4], [0], false, false),
            S("dims_0_2", [2, 3, 4], [0, 2], false, false),
            S("last_negative_keepdim", [2, 3, 5], [-1], true, true),
            S("per_image_nchw", [2, 3, 4, 5], [1, 2, 3], false, true),
            S("spatial_keepdim_nchw", [2, 3, 4, 5], [-2, -1], true, true),
            S("all_dims", [3, 4], [0, 1], false, false),
            .. name == "sum_dim" ? [S("empty_reduced_dim", [2, 0], [1], false, true)] : Array.Empty<OpSample>(),
        ],
        [
            Error<ArgumentOutOfRangeException>("dim out of range", () => f(T(2, 3), [2], false), "dims"),
            Error<ArgumentOutOfRangeException>("negative dim out of range", () => f(T(2, 3), [-3], false), "dims"),
            Error<ArgumentException>("dim listed twice", () => f(T(2, 3), [1, -1], false), "dims"),
            Error<ArgumentNullException>("dims null", () => f(T(2, 3), null!, false), "dims"),
            Error<ArgumentNullException>("input null", () => f(null!, [0], false), "x"),
        ])
        {
            Method = f,
        };
    }
}
