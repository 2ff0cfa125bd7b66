using Hubel.Optim;
using Hubel.Tensors;

namespace Hubel.Tests.Optim;

/// <summary>Gradient clipping against torch.nn.utils.clip_grad_norm_ / clip_grad_value_ (tools/golden/gen_optim.py).</summary>
public class GradClipTests
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, OptimizerGoldenTests.Golden().GetProperty("clipping").GetArrayLength()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(int index)
    {
        var golden = OptimizerGoldenTests.Golden();
        var setup = golden.GetProperty("clip_grads");
        var shapes = setup.GetProperty("shapes").EnumerateArray().Select(s => s.EnumerateArray().Select(d => d.GetInt32()).ToArray()).ToArray();
        var grads = setup.GetProperty("grads").EnumerateArray().Select(g => g.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
        var ps = shapes.Select((s, i) => { var p = Tensor.Zeros(s, DType.Float64).RequireGrad(); p.Grad = Tensor.FromArray(grads[i], s); return p; }).ToArray();
        var originals = ps.Select(p => p.Grad!).ToArray();
        var c = golden.GetProperty("clipping")[index];
        double limit = c.GetProperty("limit").GetDouble();
        if (c.GetProperty("kind").GetString() == "norm")
        {
            var nt = c.GetProperty("norm_type");
            double normType = nt.ValueKind == System.Text.Json.JsonValueKind.String ? double.PositiveInfinity : nt.GetDouble();
            double total = GradClip.ClipGradNorm(ps, limit, normType);
            Assert.Equal(c.GetProperty("total_norm").GetDouble(), total, 1e-12);
        }
        else GradClip.ClipGradValue(ps, limit);
        var clipped = c.GetProperty("clipped").EnumerateArray().ToArray();
        for (int i = 0; i < ps.Length; i++)
        {
            var expected = clipped[i].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var actual = ps[i].Grad!.ToDoubleArray();
            for (int j = 0; j < expected.Length; j++) Assert.True(Math.Abs(expected[j] - actual[j]) < 1e-12, $"case {index}, tensor {i}, element {j}: {actual[j]} vs {expected[j]}");
            Assert.Equal(grads[i], originals[i].ToDoubleArray());   // the old gradient tensors are not written
        }
    }

    [Fact]
    public void Bad_limits_and_missing_gradients()
    {
        var p = Tensor.Zeros([2]).RequireGrad();
        Assert.Equal(0, GradClip.ClipGradNorm([p], 1.0));
        Assert.Equal("maxNorm", Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradNorm([p], -1)).ParamName);
        Assert.Equal("normType", Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradNorm([p], 1, 0.5)).ParamName);
        Assert.Equal("clipValue", Assert.Throws<ArgumentOutOfRangeException>(() => GradClip.ClipGradValue([p], double.NaN)).ParamName);
    }
}
