namespace Hubel.Ops.Registry;

// Broadcasting binary arithmetic and scalar ops. PyTorch side: torch.add/sub/mul/div, x * s, x + s, -x.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ArithmeticOps()
    {
        yield return Binary("add", F.Add);
        yield return Binary("sub", F.Sub);
        yield return Binary("mul", F.Mul);
        yield return Binary("div", F.Div, denominator: SampleValues.AwayFromZero);

        yield return new OpInfo("scale",
        [
            new OpSample("scale/matrix", [[3, 4]], Attrs(("s", 0.75)), t => F.Scale(t[0], 0.75)) { BatchedInputs = [0] },
            new OpSample("scale/negative_nchw", [[2, 2, 3, 3]], Attrs(("s", -2.5)), t => F.Scale(t[0], -2.5)) { BatchedInputs = [0] },
        ],
        [Error<ArgumentNullException>("input null", () => F.Scale(null!, 2), "x")])
        {
            Method = (Func<Tensor, double, Tensor>)F.Scale,
        };

        yield return new OpInfo("add_scalar",
        [
            new OpSample("add_scalar/matrix", [[3, 4]], Attrs(("s", 0.5)), t => F.AddScalar(t[0], 0.5)) { BatchedInputs = [0] },
            new OpSample("add_scalar/negative_vector", [[9]], Attrs(("s", -1.25)), t => F.AddScalar(t[0], -1.25)),
        ],
        [Error<ArgumentNullException>("input null", () => F.AddScalar(null!, 1), "x")])
        {
            Method = (Func<Tensor, double, Tensor>)F.AddScalar,
        };

        yield return new OpInfo("neg",
        [
            new OpSample("neg/matrix", [[3, 5]], NoAttrs, t => F.Neg(t[0])) { BatchedInputs = [0] },
        ],
        [Error<ArgumentNullException>("input null", () => F.Neg(null!), "x")])
        {
            Method = (Func<Tensor, Tensor>)F.Neg,
        };
    }

    /// <summary>A broadcasting binary op (NumPy rules): equal shapes, a trailing vector, both sides
    /// broadcast, an outer product shape, a one-element and a rank-0 operand, and a per-channel operand.</summary>
    private static OpInfo Binary(string name, Func<Tensor, Tensor, Tensor> f, SampleValues denominator = SampleValues.Uniform)
    {
        OpSample S(string id, int[] a, int[] b, int[]? batched) =>
            new($"{name}/{id}", [a, b], NoAttrs, t => f(t[0], t[1]))
            {
                BatchedInputs = batched,
                Values = [SampleValues.Uniform, denominator],
            };

        var x = T(2, 3);
        return new OpInfo(name,
        [
            S("same_shape", [3, 4], [3, 4], [0, 1]),
            S("same_shape_nchw", [2, 3, 2, 5], [2, 3, 2, 5], [0, 1]),
            S("broadcast_trailing_vector", [2, 3, 4], [4], [0]),
            S("broadcast_vector_first", [4], [2, 3, 4], [1]),
            S("broadcast_both_sides", [2, 1, 4], [3, 1], [0]),
            S("broadcast_outer", [3, 1], [1, 4], [0]),
            S("broadcast_one_element", [2, 3], [1], [0]),
            S("broadcast_rank0", [2, 3], [], [0]),
            S("broadcast_per_channel", [2, 3, 4, 5], [3, 1, 1], [0]),
            S("empty_broadcast", [0, 3], [3], [0]),
        ],
        [
            Error<ArgumentException>("shapes not broadcastable", () => f(x, T(4)), "b"),
            Error<ArgumentException>("shapes not broadcastable in a leading dimension", () => f(T(2, 3, 4), T(3, 3, 4)), "b"),
            Error<ArgumentException>("dtypes differ", () => f(x, T32(2, 3)), "b"),
            Error<ArgumentNullException>("a null", () => f(null!, x), "a"),
            Error<ArgumentNullException>("b null", () => f(x, null!), "b"),
        ])
        {
            Method = f,
        };
    }
}
