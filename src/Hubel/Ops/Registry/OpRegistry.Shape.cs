namespace Hubel.Ops.Registry;

// Shape ops that autograd sees as views. PyTorch side: torch.flatten.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ShapeOps()
    {
        yield return new OpInfo("flatten",
        [
            FlattenSample("default_keeps_batch", [2, 3, 4], 1, -1),
            FlattenSample("from_dim0", [2, 3, 4], 0, -1),
            FlattenSample("middle_dims_nchw", [2, 3, 4, 5], 1, 2),
            FlattenSample("last_two_negative", [2, 3, 4, 5], -2, -1),
            FlattenSample("single_dim_noop", [2, 3], 1, 1),
            FlattenSample("empty_batch", [0, 3, 4], 1, -1),
        ],
        [
            Error<ArgumentOutOfRangeException>("startDim after endDim", () => F.Flatten(T(2, 3, 4), 2, 1), "startDim"),
            Error<ArgumentOutOfRangeException>("startDim out of range", () => F.Flatten(T(2, 3, 4), 3, -1), "startDim"),
            Error<ArgumentOutOfRangeException>("endDim out of range", () => F.Flatten(T(2, 3, 4), 0, -4), "endDim"),
            Error<ArgumentNullException>("input null", () => F.Flatten(null!), "x"),
        ])
        {
            Method = (Func<Tensor, int, int, Tensor>)F.Flatten,
        };
    }

    private static OpSample FlattenSample(string name, int[] shape, int startDim, int endDim) =>
        new($"flatten/{name}", [shape], Attrs(("start_dim", startDim), ("end_dim", endDim)), t => F.Flatten(t[0], startDim, endDim))
        {
            BatchedInputs = startDim == 0 || startDim == -shape.Length ? null : [0],
        };
}
