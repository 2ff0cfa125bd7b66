namespace Hubel.Ops.Registry;

// Elementwise activations. PyTorch side: torch.relu / torch.sigmoid / torch.tanh.
public static partial class OpRegistry
{
    private static IEnumerable<OpInfo> ActivationOps()
    {
        yield return Activation("relu", F.Relu);
        yield return Activation("sigmoid", F.Sigmoid);
        yield return Activation("tanh", F.Tanh);
    }

    /// <summary>An elementwise op: a feature map, a batch-1 map, a matrix and a vector (odd lengths, so the
    /// SIMD tails run), and inputs in [-4, 4) that reach the saturating range.</summary>
    private static OpInfo Activation(string name, Func<Tensor, Tensor> f) => new(name,
    [
        new OpSample($"{name}/nchw", [[2, 3, 4, 5]], NoAttrs, t => f(t[0])) { BatchedInputs = [0] },
        new OpSample($"{name}/batch1", [[1, 2, 3, 3]], NoAttrs, t => f(t[0])) { BatchedInputs = [0] },
        new OpSample($"{name}/matrix", [[5, 7]], NoAttrs, t => f(t[0])) { BatchedInputs = [0] },
        new OpSample($"{name}/vector_odd", [[37]], NoAttrs, t => f(t[0])),
        new OpSample($"{name}/empty", [[2, 0]], NoAttrs, t => f(t[0])) { BatchedInputs = [0] },
        new OpSample($"{name}/wide_range", [[3, 11]], NoAttrs, t => f(t[0])) { BatchedInputs = [0], Values = [SampleValues.Wide] },
    ],
    [
        Error<ArgumentNullException>("input null", () => f(null!), "x"),
    ])
    {
        Method = f,
    };
}
