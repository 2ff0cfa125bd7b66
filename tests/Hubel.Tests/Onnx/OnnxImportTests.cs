using System.Text.Json;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Serialization.Onnx;
using Hubel.Tensors;

namespace Hubel.Tests.Onnx;

/// <summary>Models exported from PyTorch 1.13 at opset 13 (tools/golden/gen_onnx.py) imported and run by Hubel, compared
/// with PyTorch's outputs; and Hubel → ONNX → Hubel round trips.</summary>
public class OnnxImportTests
{
    internal static string GoldenPath(string file) => Path.Combine(AppContext.BaseDirectory, "Golden", "onnx", file);

    [Theory]
    [InlineData("lenet5")]
    [InlineData("basicblock")]
    [InlineData("coverage")]
    [InlineData("conv1d3d")]
    public void PyTorch_export_imports_and_matches_pytorch(string name)
    {
        var model = OnnxModule.Load(GoldenPath(name + ".onnx"));
        var golden = JsonDocument.Parse(File.ReadAllText(GoldenPath(name + ".json"))).RootElement;
        int[] Shape(string key) => golden.GetProperty(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
        float[] Values(string key) => golden.GetProperty(key).EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var x = Tensor.FromArray(Values("input"), Shape("input_shape"));
        Tensor y;
        using (Hubel.Autograd.Graph.NoGrad()) y = model.Call(x);
        Assert.Equal(Shape("output_shape"), y.Shape.ToArray());
        var expected = Values("output");
        var actual = y.ToFloatArray();
        double worst = expected.Select((e, i) => Math.Abs(e - actual[i])).Max();
        Assert.True(worst <= 1e-4, $"{name}: max |Hubel - PyTorch| = {worst:g3}");
    }

    [Fact]
    public void Imported_lenet_keeps_pytorch_parameter_names()
    {
        var model = OnnxModule.Load(GoldenPath("lenet5.onnx"));
        var names = model.NamedParameters().Select(p => p.Name).ToArray();
        Assert.Equal(new LeNet5().NamedParameters().Select(p => p.Name), names);
        Assert.Equal(61_706, model.ParameterCount());
    }

    [Fact]
    public void Imported_graph_is_trainable()
    {
        var model = OnnxModule.Load(GoldenPath("lenet5.onnx"));
        model.Train();
        var x = Tensor.Uniform([2, 1, 28, 28], -1, 1, new Rng(1));
        Hubel.Ops.F.Sum(model.Call(x)).Backward();
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
    }

    public static TheoryData<string> RoundTrips => new("lenet", "lrn_and_pools", "resnet_like");

    [Theory]
    [MemberData(nameof(RoundTrips))]
    public void Hubel_to_onnx_to_hubel_round_trip(string name)
    {
        var (model, shape) = name switch
        {
            "lenet" => ((Module)new LeNet5(rng: new Rng(3)), new[] { 1, 28, 28 }),
            "lrn_and_pools" => (new Sequential(new Conv2d(3, 6, 3, padding: 1, rng: new Rng(4)), new LocalResponseNorm(3, 1e-2, 0.75, 2), new ELU(),
                new MaxPool2d(2), new LeakyReLU(0.1), new AvgPool2d(2), new Upsample(scaleFactor: 2, mode: Hubel.Ops.UpsampleMode.Bilinear),
                new ConvTranspose2d(6, 2, 2, stride: 2, rng: new Rng(5)), new LPPool2d(2, 2), new Flatten(), new Softplus()), new[] { 3, 8, 8 }),
            _ => (new Sequential(new Conv2d(2, 4, 3, padding: 1, rng: new Rng(6)), new BatchNorm2d(4), new PReLU(4), new ChannelShuffle(2),
                new GlobalAvgPool2d(), new Flatten(), new Linear(4, 3, rng: new Rng(7))), new[] { 2, 6, 6 }),
        };
        model.Eval();
        var bytes = OnnxExporter.ExportBytes(model, [1, .. shape]);
        var imported = OnnxModule.FromBytes(bytes);
        var original = model.NamedState().ToDictionary(p => p.Name, p => p.Value);
        foreach (var (n, t) in imported.NamedState().Where(p => original.ContainsKey(p.Name)))
            Assert.Equal(original[n].ToFloatArray(), t.ToFloatArray());
        var x = Tensor.Uniform([3, .. shape], -1, 1, new Rng(8));
        float[] expected, actual;
        using (Hubel.Autograd.Graph.NoGrad())
        {
            expected = model.Call(x).ToFloatArray();
            actual = imported.Call(x).ToFloatArray();
        }
        double worst = expected.Select((e, i) => Math.Abs(e - actual[i])).Max();
        Assert.True(worst <= 1e-5, $"max |original - imported| = {worst:g3}");
    }

    [Fact]
    public void Imported_model_exports_its_graph_with_current_weights()
    {
        var model = OnnxModule.Load(GoldenPath("coverage.onnx"));
        var fc = model.NamedParameters().First(p => p.Name == "fc.bias").Value;
        Hubel.Ops.F.Sum(fc).Backward();
        using (Hubel.Autograd.Graph.NoGrad()) new Hubel.Optim.Sgd(model.Parameters(), 0.5).Step();
        var again = OnnxModule.FromBytes(OnnxExporter.ExportBytes(model, [2, 3, 12, 12]));
        var x = Tensor.Uniform([2, 3, 12, 12], -1, 1, new Rng(9));
        using (Hubel.Autograd.Graph.NoGrad()) Assert.Equal(model.Call(x).ToFloatArray(), again.Call(x).ToFloatArray());
        Assert.Equal(fc.ToFloatArray(), again.NamedParameters().First(p => p.Name == "fc.bias").Value.ToFloatArray());
        var ort = OrtOracle.Run(OnnxExporter.ExportBytes(model, [2, 3, 12, 12]), x);
        float[] mine;
        using (Hubel.Autograd.Graph.NoGrad()) mine = model.Call(x).ToFloatArray();
        Assert.All(mine.Zip(ort), p => Assert.InRange(p.First - p.Second, -1e-4, 1e-4));
    }

    [Fact]
    public void Wrong_input_shape_is_rejected_with_the_expected_shape()
    {
        var model = OnnxModule.Load(GoldenPath("lenet5.onnx"));
        var e = Assert.Throws<ArgumentException>(() => model.Call(Tensor.Zeros([1, 1, 27, 28])));
        Assert.Contains("28", e.Message);
    }
}
