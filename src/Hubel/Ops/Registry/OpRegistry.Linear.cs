namespace Hubel.Ops.Registry;

// Matrix products. PyTorch side: torch.matmul and torch.nn.functional.linear.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> LinearOps()
    {
        yield return new OpInfo("matmul",
        [
            MatMulSample("2d", [3, 4], [4, 5]),
            MatMulSample("2d_row_times_column", [1, 4], [4, 1]),
            MatMulSample("2d_gemm_tails", [17, 9], [9, 13]),
            // k > 256 spans two of the GEMM's KC blocks; m·n·k is past its threshold for splitting column panels over workers.
            MatMulSample("2d_deep_k_parallel", [24, 260], [260, 20]),
            MatMulSample("3d", [2, 3, 4], [2, 4, 5], batched: true),
            MatMulSample("3d_batch1", [1, 2, 3], [1, 3, 2], batched: true),
            MatMulSample("2d_empty_inner", [2, 0], [0, 3]),
        ],
        [
            Error<ArgumentException>("2-D inner dimensions differ", () => F.MatMul(T(3, 4), T(5, 2)), "b"),
            Error<ArgumentException>("3-D inner dimensions differ", () => F.MatMul(T(2, 3, 4), T(2, 3, 4)), "b"),
            Error<ArgumentException>("3-D batch sizes differ", () => F.MatMul(T(2, 3, 4), T(3, 4, 5)), "b"),
            Error<ArgumentException>("ranks 2 and 3", () => F.MatMul(T(3, 4), T(2, 4, 5)), "a"),
            Error<ArgumentException>("rank 1", () => F.MatMul(T(4), T(4)), "a"),
            Error<ArgumentException>("rank 4", () => F.MatMul(T(1, 2, 3, 4), T(1, 2, 4, 3)), "a"),
            Error<ArgumentException>("dtypes differ", () => F.MatMul(T(3, 4), T32(4, 5)), "b"),
            Error<ArgumentNullException>("a null", () => F.MatMul(null!, T(4, 5)), "a"),
            Error<ArgumentNullException>("b null", () => F.MatMul(T(3, 4), null!), "b"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor>)F.MatMul,
        };

        yield return new OpInfo("linear",
        [
            LinearSample("basic", [4, 5], [3, 5]),
            LinearSample("no_bias", [4, 5], [3, 5], bias: false),
            LinearSample("batch1", [1, 7], [2, 7]),
            LinearSample("vector_input", [5], [3, 5]),
            LinearSample("vector_input_no_bias", [6], [4, 6], bias: false),
            LinearSample("gemm_tails", [3, 17], [9, 17]),
            LinearSample("empty_batch", [0, 3], [2, 3]),
        ],
        [
            Error<ArgumentException>("weight rank 1", () => F.Linear(T(4, 5), T(5)), "weight"),
            Error<ArgumentException>("weight rank 3", () => F.Linear(T(4, 5), T(1, 3, 5)), "weight"),
            Error<ArgumentException>("input rank 3", () => F.Linear(T(2, 4, 5), T(3, 5)), "input"),
            Error<ArgumentException>("input rank 0", () => F.Linear(T(), T(3, 5)), "input"),
            Error<ArgumentException>("input features differ from weight", () => F.Linear(T(4, 6), T(3, 5)), "input"),
            Error<ArgumentException>("bias length differs from out", () => F.Linear(T(4, 5), T(3, 5), T(4)), "bias"),
            Error<ArgumentException>("bias rank 2", () => F.Linear(T(4, 5), T(3, 5), T(1, 3)), "bias"),
            Error<ArgumentException>("dtypes differ", () => F.Linear(T(4, 5), T32(3, 5)), "weight"),
            Error<ArgumentNullException>("input null", () => F.Linear(null!, T(3, 5)), "input"),
            Error<ArgumentNullException>("weight null", () => F.Linear(T(4, 5), null!), "weight"),
        ])
        {
            Method = (Func<Tensor, Tensor, Tensor?, Tensor>)F.Linear,
        };
    }

    /// <summary>A 2-D product batches over A's rows; a 3-D one over both operands' leading dimension.</summary>
    private static OpSample MatMulSample(string name, int[] a, int[] b, bool batched = false) =>
        new($"matmul/{name}", [a, b], NoAttrs, t => F.MatMul(t[0], t[1])) { BatchedInputs = batched ? [0, 1] : [0] };

    private static OpSample LinearSample(string name, int[] x, int[] w, bool bias = true)
    {
        int[][] shapes = bias ? [x, w, [w[0]]] : [x, w];
        return new OpSample($"linear/{name}", shapes, Attrs(("bias", bias)), t => F.Linear(t[0], t[1], bias ? t[2] : null))
        {
            BatchedInputs = x.Length == 2 ? [0] : null,
        };
    }
}
