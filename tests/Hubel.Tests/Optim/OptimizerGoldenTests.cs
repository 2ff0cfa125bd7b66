using System.Text.Json;
using Hubel.Optim;
using Hubel.Tensors;

namespace Hubel.Tests.Optim;

/// <summary>Adam, AdamW, RMSprop and AdaGrad against PyTorch step by step: values from tools/golden/gen_optim.py.</summary>
public class OptimizerGoldenTests
{
    internal static JsonElement Golden() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "optim.json"))).RootElement;

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        int i = 0;
        foreach (var c in Golden().GetProperty("optimizers").EnumerateArray()) data.Add(i++, c.GetProperty("optimizer").GetString()!);
        return data;
    }

    internal static Optimizer Create(string name, JsonElement cfg, Tensor p)
    {
        double D(string key, double fallback) => cfg.TryGetProperty(key, out var v) ? v.GetDouble() : fallback;
        bool B(string key) => cfg.TryGetProperty(key, out var v) && v.GetBoolean();
        return name switch
        {
            "adam" => new Adam([p], D("lr", 1e-3), D("beta1", 0.9), D("beta2", 0.999), D("eps", 1e-8), D("weight_decay", 0), B("amsgrad")),
            "adamw" => new AdamW([p], D("lr", 1e-3), D("beta1", 0.9), D("beta2", 0.999), D("eps", 1e-8), D("weight_decay", 1e-2), B("amsgrad")),
            "rmsprop" => new RmsProp([p], D("lr", 1e-2), D("alpha", 0.99), D("eps", 1e-8), D("weight_decay", 0), D("momentum", 0), B("centered")),
            "adagrad" => new Adagrad([p], D("lr", 1e-2), D("lr_decay", 0), D("weight_decay", 0), D("initial_accumulator_value", 0), D("eps", 1e-10)),
            _ => throw new ArgumentException(name),
        };
    }

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch_step_by_step(int index, string optimizer)
    {
        var golden = Golden();
        var c = golden.GetProperty("optimizers")[index];
        var p = Tensor.FromArray(Doubles(golden.GetProperty("p0")), [2, 3]).RequireGrad();
        var opt = Create(optimizer, c.GetProperty("config"), p);
        var grads = golden.GetProperty("grads").EnumerateArray().ToArray();
        var after = c.GetProperty("after").EnumerateArray().ToArray();
        for (int step = 0; step < grads.Length; step++)
        {
            p.Grad = Tensor.FromArray(Doubles(grads[step]), [2, 3]);
            opt.Step();
            var expected = Doubles(after[step]);
            var actual = p.ToDoubleArray();
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-12, $"{optimizer} case {index}, step {step + 1}, element {i}: {actual[i]} vs PyTorch {expected[i]}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Saved_state_continues_exactly_in_a_fresh_optimizer(int index, string optimizer)
    {
        var golden = Golden();
        var cfg = golden.GetProperty("optimizers")[index].GetProperty("config");
        var grads = golden.GetProperty("grads").EnumerateArray().Select(g => Tensor.FromArray(Doubles(g), [2, 3])).ToArray();
        var p = Tensor.FromArray(Doubles(golden.GetProperty("p0")), [2, 3]).RequireGrad();
        var straight = Create(optimizer, cfg, p);
        foreach (var g in grads) { p.Grad = g; straight.Step(); }

        var q = Tensor.FromArray(Doubles(golden.GetProperty("p0")), [2, 3]).RequireGrad();
        var first = Create(optimizer, cfg, q);
        for (int s = 0; s < 2; s++) { q.Grad = grads[s]; first.Step(); }
        var state = first.NamedState().ToDictionary(kv => kv.Name, kv => kv.Value.Clone());
        Assert.Contains("step", state.Keys);
        Assert.Contains(state.Keys, k => k.StartsWith("0.", StringComparison.Ordinal));
        var second = Create(optimizer, cfg, q);
        second.LoadState(state);
        for (int s = 2; s < grads.Length; s++) { q.Grad = grads[s]; second.Step(); }
        Assert.Equal(p.ToDoubleArray(), q.ToDoubleArray());
    }

    [Fact]
    public void Invalid_hyper_parameters_name_the_argument()
    {
        var p = Tensor.Zeros([2]).RequireGrad();
        string Name(Action a) => Assert.Throws<ArgumentOutOfRangeException>(a).ParamName!;
        Assert.Equal("value", Name(() => new Adam([p], lr: -1)));
        Assert.Equal("beta1", Name(() => new Adam([p], beta1: 1.0)));
        Assert.Equal("beta2", Name(() => new AdamW([p], beta2: -0.1)));
        Assert.Equal("eps", Name(() => new Adam([p], eps: double.NaN)));
        Assert.Equal("weightDecay", Name(() => new AdamW([p], weightDecay: -1)));
        Assert.Equal("alpha", Name(() => new RmsProp([p], alpha: 1.5)));
        Assert.Equal("momentum", Name(() => new RmsProp([p], momentum: -0.1)));
        Assert.Equal("lrDecay", Name(() => new Adagrad([p], lrDecay: -1)));
        Assert.Equal("initialAccumulatorValue", Name(() => new Adagrad([p], initialAccumulatorValue: -1)));
        Assert.Equal("value", Name(() => new Adagrad([p], lr: double.PositiveInfinity)));
    }

    [Fact]
    public void Loading_state_of_the_wrong_shape_or_index_fails_clearly()
    {
        var p = Tensor.Zeros([2, 3]).RequireGrad();
        var opt = new Adam([p]);
        Assert.Throws<ArgumentException>(() => opt.LoadState(new Dictionary<string, Tensor> { ["0.exp_avg"] = Tensor.Zeros([3]) }));
        Assert.Throws<ArgumentException>(() => opt.LoadState(new Dictionary<string, Tensor> { ["1.exp_avg"] = Tensor.Zeros([2, 3]) }));
        Assert.Throws<ArgumentException>(() => opt.LoadState(new Dictionary<string, Tensor> { ["step"] = Tensor.FromArray(new double[] { -1 }, [1]) }));
        Assert.Throws<ArgumentException>(() => opt.LoadState(new Dictionary<string, Tensor> { ["exp_avg"] = Tensor.Zeros([2, 3]) }));
    }

    [Fact]
    public void Float32_parameters_follow_the_float64_trajectory_closely()
    {
        var golden = Golden();
        var c = golden.GetProperty("optimizers")[0];
        var p = Tensor.FromArray(Doubles(golden.GetProperty("p0")).Select(v => (float)v).ToArray(), [2, 3]).RequireGrad();
        var opt = Create("adam", c.GetProperty("config"), p);
        foreach (var g in golden.GetProperty("grads").EnumerateArray())
        {
            p.Grad = Tensor.FromArray(Doubles(g).Select(v => (float)v).ToArray(), [2, 3]);
            opt.Step();
        }
        var expected = Doubles(c.GetProperty("after")[3]);
        var actual = p.ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"element {i}: {actual[i]} vs {expected[i]}");
    }
}
