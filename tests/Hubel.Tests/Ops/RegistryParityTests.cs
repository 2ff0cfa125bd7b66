using Hubel.Ops.Registry;
using Hubel.Tensors;

namespace Hubel.Tests.Ops;

/// <summary>Every registry sample against PyTorch: output and the gradient of Σ out ⊙ u for every
/// differentiable input. Expected values: Golden/parity.json, from tools/golden/gen_parity.py (PyTorch,
/// float64) over the samples of tools/SampleDump; the seed of each sample is the FNV-1a hash of its id.</summary>
public class RegistryParityTests
{
    [Theory]
    [MemberData(nameof(RegistryData.SampleIds), MemberType = typeof(RegistryData))]
    public void Float64MatchesPyTorch(string id) => Check(id, DType.Float64);

    [Theory]
    [MemberData(nameof(RegistryData.SampleIds), MemberType = typeof(RegistryData))]
    public void Float32MatchesPyTorch(string id) => Check(id, DType.Float32);

    private static void Check(string id, DType dtype)
    {
        var (op, sample) = OpRegistry.Sample(id);
        var golden = RegistryData.Golden(sample);
        var tol = op.Tolerance;
        (double atol, double rtol) = dtype == DType.Float64 ? (tol.Atol64, tol.Rtol64) : (tol.Atol32, tol.Rtol32);

        var inputs = sample.MakeInputs(dtype);
        var output = sample.Invoke(inputs);
        Assert.Equal(dtype, output.DType);
        Assert.Equal(golden.OutShape, output.Shape.ToArray());
        Tolerant.Equal($"{id} ({dtype}) output", output.ToDoubleArray(), golden.Out, atol, rtol);

        output.Backward(sample.MakeUpstream(golden.OutShape, dtype));
        Assert.Equal(inputs.Length, golden.Grads.Length);
        for (int i = 0; i < inputs.Length; i++)
        {
            if (!sample.IsDifferentiable(i))
            {
                Assert.Null(inputs[i].Grad);
                continue;
            }
            var expected = golden.Grads[i] ?? throw new Xunit.Sdk.XunitException($"{id}: golden has no gradient for input {i}; {RegistryData.Regenerate}");
            var grad = inputs[i].Grad ?? throw new Xunit.Sdk.XunitException($"{id} ({dtype}): input {i} got no gradient");
            Assert.Equal(dtype, grad.DType);
            Assert.Equal(inputs[i].Shape.ToArray(), grad.Shape.ToArray());
            Tolerant.Equal($"{id} ({dtype}) gradient of input {i}", grad.ToDoubleArray(), expected, atol, rtol);
        }
    }
}
