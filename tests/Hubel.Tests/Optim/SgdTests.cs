using System.Text.Json;
using Hubel.Optim;
using Hubel.Tensors;

namespace Hubel.Tests.Optim;

/// <summary>SGD against PyTorch's torch.optim.SGD: values from tools/golden/gen_sgd.py (torch.manual_seed(7)).</summary>
public class SgdTests
{
    private static JsonElement Golden() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "sgd.json"))).RootElement;

    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Golden().GetProperty("cases").GetArrayLength()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_step_by_step(int index)
    {
        var golden = Golden();
        var c = golden.GetProperty("cases")[index];
        var cfg = c.GetProperty("config");
        double Get(string name, double fallback) => cfg.TryGetProperty(name, out var v) ? v.GetDouble() : fallback;
        var p = Tensor.FromArray(golden.GetProperty("p0").EnumerateArray().Select(v => v.GetDouble()).ToArray(), [2, 3]).RequireGrad();
        var opt = new Sgd([p], Get("lr", 0), Get("momentum", 0), Get("weight_decay", 0), Get("dampening", 0),
            cfg.TryGetProperty("nesterov", out var n) && n.GetBoolean());
        var grads = golden.GetProperty("grads").EnumerateArray().ToArray();
        var after = c.GetProperty("after").EnumerateArray().ToArray();
        for (int step = 0; step < grads.Length; step++)
        {
            p.Grad = Tensor.FromArray(grads[step].EnumerateArray().Select(v => v.GetDouble()).ToArray(), [2, 3]);
            opt.Step();
            var expected = after[step].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var actual = p.ToDoubleArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"step {step + 1}, element {i}: {actual[i]} vs PyTorch {expected[i]}");
        }
    }

    [Fact]
    public void Invalid_hyper_parameters_name_the_argument()
    {
        var p = Tensor.Zeros([2]).RequireGrad();
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], -1)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1, momentum: -0.5)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([p], 0.1, weightDecay: double.NaN)).ParamName);
        Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd([p], 0.1, nesterov: true)).ParamName);
        Assert.Throws<ArgumentException>(() => new Sgd([], 0.1));
    }

    [Fact]
    public void Parameters_without_gradients_are_left_alone()
    {
        var p = Tensor.Ones([3]).RequireGrad();
        new Sgd([p], 0.1, 0.9).Step();
        Assert.Equal([1f, 1, 1], p.ToFloatArray());
    }

    [Theory]
    [InlineData(0.9, 1e-4, false)]
    [InlineData(0.9, 0.0, true)]
    [InlineData(0.0, 5e-4, false)]
    public void A_large_parameter_split_over_the_workers_updates_as_element_by_element(double momentum, double weightDecay, bool nesterov)
    {
        // 40,003 weights: above the size that splits the update over the workers, and a scalar tail.
        const int n = 40_003;
        var rng = new Rng(5);
        var p = Tensor.Normal([n], 0, 1, rng, DType.Float32).RequireGrad();
        var start = p.ToFloatArray();
        var opt = new Sgd([p], 0.03, momentum, weightDecay, nesterov: nesterov);
        var grads = Enumerable.Range(0, 3).Select(_ => Tensor.Normal([n], 0, 1, rng, DType.Float32)).ToArray();
        foreach (var g in grads) { p.Grad = g; opt.Step(); }
        // The same three steps element by element, in float32 with PyTorch's order of operations.
        float lr = 0.03f, mu = (float)momentum, wd = (float)weightDecay;
        var gs = grads.Select(g => g.ToFloatArray()).ToArray();
        var actual = p.ToFloatArray();
        for (int i = 0; i < n; i++)
        {
            float theta = start[i], v = 0;
            for (int step = 0; step < gs.Length; step++)
            {
                float g = wd != 0 ? gs[step][i] + wd * theta : gs[step][i];
                if (mu != 0)
                {
                    v = step == 0 ? g : mu * v + 1f * g;
                    g = nesterov ? g + mu * v : v;
                }
                theta -= lr * g;
            }
            Assert.Equal(theta, actual[i]);
        }
    }
}
