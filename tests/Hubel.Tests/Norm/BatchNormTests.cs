using System.Text.Json;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Norm;

/// <summary>Batch norm layers against torch.nn.BatchNorm1d/2d/3d: running statistics and counters after each training
/// step, training outputs, and the eval output with the running statistics. Values from tools/golden/gen_norm.py
/// (torch.manual_seed(11)), stored in tests/Hubel.Tests/Golden/norm.json.</summary>
public class BatchNormTests
{
    internal static JsonElement Golden() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "norm.json"))).RootElement;

    internal static double[] D(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    public static TheoryData<string> Cases() => new(Golden().GetProperty("batch_norm").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Cases))]
    public void RunningStatisticsAndOutputsMatchPyTorch(string name)
    {
        var c = Golden().GetProperty("batch_norm").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        double? momentum = c.GetProperty("momentum").ValueKind == JsonValueKind.Null ? null : c.GetProperty("momentum").GetDouble();
        bool affine = c.GetProperty("affine").GetBoolean();
        BatchNorm bn = c.GetProperty("kind").GetString() switch
        {
            "BatchNorm1d" => new BatchNorm1d(shape[1], momentum: momentum, affine: affine, dtype: DType.Float64),
            "BatchNorm2d" => new BatchNorm2d(shape[1], momentum: momentum, affine: affine, dtype: DType.Float64),
            _ => new BatchNorm3d(shape[1], momentum: momentum, affine: affine, dtype: DType.Float64),
        };
        if (affine)
        {
            bn.Weight!.CopyFrom(Tensor.FromArray(D(c.GetProperty("weight")), [shape[1]]));
            bn.Bias!.CopyFrom(Tensor.FromArray(D(c.GetProperty("bias")), [shape[1]]));
        }
        int step = 0;
        foreach (var s in c.GetProperty("steps").EnumerateArray())
        {
            step++;
            var y = bn.Forward(Tensor.FromArray(D(s.GetProperty("x")), shape));
            Tolerant.Equal($"{name} step {step} output", y.ToDoubleArray(), D(s.GetProperty("y")), 1e-10, 1e-10);
            Tolerant.Equal($"{name} step {step} running_mean", bn.RunningMean!.ToDoubleArray(), D(s.GetProperty("running_mean")), 1e-12, 1e-12);
            Tolerant.Equal($"{name} step {step} running_var", bn.RunningVar!.ToDoubleArray(), D(s.GetProperty("running_var")), 1e-12, 1e-12);
            Assert.Equal(s.GetProperty("num_batches_tracked").GetInt32(), (int)bn.NumBatchesTracked!.Item());
        }
        bn.Eval();
        var yEval = bn.Forward(Tensor.FromArray(D(c.GetProperty("x_eval")), shape));
        Tolerant.Equal($"{name} eval output", yEval.ToDoubleArray(), D(c.GetProperty("y_eval")), 1e-10, 1e-10);
        var before = bn.RunningMean!.ToDoubleArray();
        bn.Forward(Tensor.FromArray(D(c.GetProperty("x_eval")), shape));
        Assert.Equal(before, bn.RunningMean!.ToDoubleArray());   // evaluation leaves the statistics alone
    }

    [Fact]
    public void StateHasPyTorchNamesAndOrder()
    {
        var net = new TwoLayers();
        Assert.Equal(["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], net.NamedState().Select(p => p.Name));
        Assert.Equal(["bn.weight", "bn.bias"], net.NamedParameters().Select(p => p.Name));
        Assert.Equal(["bn.running_mean", "bn.running_var", "bn.num_batches_tracked"], net.NamedBuffers().Select(p => p.Name));
        Assert.All(net.NamedBuffers(), b => Assert.False(b.Value.RequiresGrad));
        var plain = new BatchNorm2d(3, affine: false, trackRunningStats: false);
        Assert.Empty(plain.NamedState());
    }

    [Fact]
    public void CheckpointOfTheStateRestoresRunningStatistics()
    {
        var bn = new BatchNorm2d(3, dtype: DType.Float64);
        for (int i = 0; i < 3; i++) bn.Forward(Tensor.Normal([4, 3, 2, 2], 2, 3, new Rng((ulong)i), DType.Float64));
        var path = Path.Combine(Path.GetTempPath(), $"hubel-bn-{Guid.NewGuid():N}.safetensors");
        try
        {
            Hubel.Serialization.SafeTensors.Save(path, bn.NamedState());
            var restored = new BatchNorm2d(3, dtype: DType.Float64);
            restored.LoadState(Hubel.Serialization.SafeTensors.Load(path).Tensors);
            Assert.Equal(3, restored.NumBatchesTracked!.Item());
            var x = Tensor.Normal([2, 3, 2, 2], 0, 1, new Rng(9), DType.Float64);
            Assert.Equal(bn.Eval().Forward(x).ToDoubleArray(), restored.Eval().Forward(x).ToDoubleArray());
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void RegistrySamplesCoverTrainingAndEvaluation()
    {
        foreach (var op in new[] { "batch_norm", "dropout", "dropout2d", "rrelu" })
        {
            var samples = Hubel.Ops.Registry.OpRegistry.All.Single(o => o.Name == op).Samples;
            Assert.Contains(samples, s => (bool)s.Attributes["training"]);
            Assert.Contains(samples, s => !(bool)s.Attributes["training"]);
        }
        var upsample = Hubel.Ops.Registry.OpRegistry.All.Single(o => o.Name == "upsample").Samples;
        foreach (var mode in new[] { "nearest", "bilinear" })
        {
            Assert.Contains(upsample, s => (string)s.Attributes["mode"] == mode && s.Attributes.ContainsKey("size"));
            Assert.Contains(upsample, s => (string)s.Attributes["mode"] == mode && s.Attributes.ContainsKey("scale_factor"));
        }
        Assert.Contains(upsample, s => (bool)s.Attributes["align_corners"]);
    }

    private sealed class TwoLayers : Module
    {
        public TwoLayers() => Bn = RegisterModule("bn", new BatchNorm2d(3));
        public BatchNorm2d Bn { get; }
        public override Tensor Forward(Tensor input) => Bn.Forward(input);
    }

    [Fact]
    public void TrainingNormalisesEachChannelToZeroMeanUnitVariance()
    {
        var x = Tensor.Normal([8, 3, 4, 4], 5, 3, new Rng(1), DType.Float64);
        var y = new BatchNorm2d(3, dtype: DType.Float64).Forward(x);
        var perChannel = y.Permute(1, 0, 2, 3).Contiguous().Reshape(3, -1);
        for (int ch = 0; ch < 3; ch++)
        {
            var v = perChannel.Slice(0, ch, ch + 1).ToDoubleArray();
            double mean = v.Average(), variance = v.Select(a => (a - mean) * (a - mean)).Average();
            Assert.Equal(0, mean, 1e-12);
            Assert.Equal(1, variance, 1e-3);   // biased variance / (variance + eps)
        }
    }

    [Fact]
    public void EvalWithoutTrackedStatisticsUsesTheBatch()
    {
        var x = Tensor.Normal([4, 2, 3], 1, 2, new Rng(3), DType.Float64);
        var bn = new BatchNorm1d(2, trackRunningStats: false, dtype: DType.Float64);
        var train = bn.Forward(x).ToDoubleArray();
        bn.Eval();
        Assert.Equal(train, bn.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void LayersCheckTheirRankAndHyperParameters()
    {
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros([2, 3, 4]))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros([2, 3, 4, 4]))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new BatchNorm3d(3).Forward(Tensor.Zeros([2, 3, 4, 4]))).ParamName);
        Assert.Equal("numFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(0)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(3, eps: 0)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(3, momentum: 2)).ParamName);
    }

    [Fact]
    public void GradientsFlowThroughTheLayer()
    {
        var bn = new BatchNorm2d(2, dtype: DType.Float64);
        var x = Tensor.Normal([3, 2, 2, 2], 0, 1, new Rng(5), DType.Float64).RequireGrad();
        var result = Hubel.Autograd.GradCheck.Check(t => F.Mul(bn.Forward(t[0]), t[0]), [x], eps: 1e-6, atol: 1e-6, rtol: 1e-4);
        Assert.True(result.Passed, result.Message);
        // the sum of a batch-normalised channel is constant, so its gradient through the statistics is zero
        var x2 = Tensor.Normal([3, 2, 2, 2], 0, 1, new Rng(6), DType.Float64).RequireGrad();
        new BatchNorm2d(2, affine: false, dtype: DType.Float64).Forward(x2).Sum().Backward();
        Assert.All(x2.Grad!.ToDoubleArray(), g => Assert.Equal(0, g, 1e-12));
    }
}
