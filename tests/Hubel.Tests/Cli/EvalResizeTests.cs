using System.Text.Json.Nodes;
using Hubel.Data;
using Hubel.Models;
using Hubel.Serialization;
using Hubel.Tensors;

namespace Hubel.Tests.Cli;

/// <summary>`hubel train` resizes 28x28 images for models that need more (here GoogLeNet, at least 31x31) and stores
/// the resized shape in the model file; `hubel eval` on the same data set must apply the same resize.</summary>
public class EvalResizeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("hubel-eval-resize-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Eval_resizes_the_shipped_images_to_the_size_the_model_was_trained_at()
    {
        string path = Path.Combine(_dir, "googlenet.safetensors");
        ModelFile.Save(path, ModelZoo.Create("googlenet", 10, 1, new Rng(3)),
            new ModelInfo("googlenet", FashionMnist.ClassNames, 1, 31, 31, 0.2860f, 0.3530f));

        var (code, stdout, stderr) = CliProcess.Run("eval", "--model", path, "--json", "--out", Path.Combine(_dir, "confusion.png"));

        Assert.True(code == 0, stderr);
        Assert.Contains("googlenet does not take 28x28 images: resizing them to 31x31 (bilinear)", stderr);
        Assert.Equal(2000, JsonNode.Parse(stdout)!["images"]!.GetValue<int>());
    }
}
