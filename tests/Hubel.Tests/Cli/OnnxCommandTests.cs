using System.Text.Json;
using Hubel.Serialization;
using Hubel.Serialization.Onnx;
using Hubel.Tests.Onnx;

namespace Hubel.Tests.Cli;

/// <summary>`hubel export` and `hubel import` through the real CLI: a trained model exported to ONNX runs in ONNX Runtime
/// like Hubel; the PyTorch LeNet-5 imported from ONNX is evaluated and used for prediction.</summary>
public class OnnxCommandTests(TrainedModelFixture trained) : IClassFixture<TrainedModelFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-onnx-cli-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Export_onnx_runs_in_onnx_runtime_like_the_saved_model()
    {
        var onnx = Path.Combine(_dir, "lenet.onnx");
        var (code, _, stderr) = CliProcess.Run("export", "--model", trained.ModelPath, "--format", "onnx", "--out", onnx);
        Assert.True(code == 0, stderr);
        var (net, _) = ModelFile.Load(trained.ModelPath);
        var x = Hubel.Tensors.Tensor.Uniform([2, 1, 28, 28], -1, 1, new Hubel.Tensors.Rng(3));
        float[] expected;
        using (Hubel.Autograd.Graph.NoGrad()) expected = net.Call(x).ToFloatArray();
        var actual = OrtOracle.Run(File.ReadAllBytes(onnx), x);
        Assert.All(expected.Zip(actual), p => Assert.InRange(p.First - p.Second, -1e-4, 1e-4));
    }

    [Fact]
    public void Export_safetensors_writes_the_state_dict()
    {
        var path = Path.Combine(_dir, "state.safetensors");
        var (code, _, stderr) = CliProcess.Run("export", "--model", trained.ModelPath, "--format", "safetensors", "--out", path);
        Assert.True(code == 0, stderr);
        var (tensors, meta) = SafeTensors.Load(path);
        Assert.Equal("pt", meta["format"]);
        Assert.Equal([6, 1, 5, 5], tensors["conv1.weight"].Shape.ToArray());
    }

    [Fact]
    public void Imported_pytorch_lenet_evaluates_and_predicts()
    {
        var model = Path.Combine(_dir, "torch-lenet.safetensors");
        var (code, stdout, stderr) = CliProcess.Run("import", OnnxImportTests.GoldenPath("lenet5.onnx"), "--out", model, "--mean", "0.286", "--std", "0.353");
        Assert.True(code == 0, stderr);
        Assert.Contains("61,706 parameters", stdout);
        var (loaded, info) = ModelFile.Load(model);
        Assert.Equal(OnnxModelFile.Architecture, info.Architecture);
        Assert.Equal(10, info.ClassNames.Count);
        var direct = OnnxModule.Load(OnnxImportTests.GoldenPath("lenet5.onnx"));
        var x = Hubel.Tensors.Tensor.Uniform([2, 1, 28, 28], -1, 1, new Hubel.Tensors.Rng(4));
        using (Hubel.Autograd.Graph.NoGrad()) Assert.Equal(direct.Call(x).ToFloatArray(), loaded.Call(x).ToFloatArray());

        (code, stdout, stderr) = CliProcess.Run("eval", "--model", model, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.InRange(doc.RootElement.GetProperty("accuracy").GetDouble(), 0, 1);
    }

    [Fact]
    public void Import_of_a_corrupt_file_fails_with_exit_code_1()
    {
        var bad = Path.Combine(_dir, "bad.onnx");
        File.WriteAllBytes(bad, File.ReadAllBytes(OnnxImportTests.GoldenPath("coverage.onnx"))[..500]);
        var (code, _, stderr) = CliProcess.Run("import", bad, "--out", Path.Combine(_dir, "x.safetensors"));
        Assert.Equal(1, code);
        Assert.Contains("hubel:", stderr);
        Assert.False(File.Exists(Path.Combine(_dir, "x.safetensors")));
        Assert.Equal(2, CliProcess.Run("export", "--model", trained.ModelPath, "--format", "pickle", "--out", bad).ExitCode);
    }
}
