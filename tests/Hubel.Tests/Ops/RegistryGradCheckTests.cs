using Hubel.Autograd;
using Hubel.Ops.Registry;
using Hubel.Tensors;

namespace Hubel.Tests.Ops;

/// <summary>Float64 central differences (eps 1e-6) against every differentiable input of every registry sample.</summary>
public class RegistryGradCheckTests
{
    [Theory]
    [MemberData(nameof(RegistryData.SampleIds), MemberType = typeof(RegistryData))]
    public void AnalyticGradientsMatchFiniteDifferences(string id)
    {
        var (op, sample) = OpRegistry.Sample(id);
        var inputs = sample.MakeInputs(DType.Float64);
        Assert.Contains(inputs, t => t.RequiresGrad);
        var result = GradCheck.Check(t => sample.Invoke(t), inputs, eps: 1e-6, atol: op.Tolerance.GradCheckAtol, rtol: op.Tolerance.GradCheckRtol);
        Assert.True(result.Passed, $"{id}: {result.Message}");
    }
}
