using System.Text.Json;
using Hubel.Data;
using Hubel.Models;
using Hubel.Tests.Cli;

namespace Hubel.Tests.Models;

/// <summary>The zoo from the command line: `hubel summary` runs each family at the size `hubel train` would resize
/// Fashion-MNIST to, refuses an input that is too small with the model's minimum, and the resize itself.</summary>
public class ZooCliTests
{
    /// <summary>One model per family (every family's code path; the deeper siblings differ only in counts).</summary>
    public static TheoryData<string> Families() => new(
        "alexnet", "alexnet-paper", "vgg11_bn", "nin", "googlenet-aux", "resnet18", "se-resnet50", "densenet121", "densenet-bc-100",
        "mobilenet_v1", "mobilenet_v2", "shufflenet_v1", "shufflenet_v2_x1_0", "xception", "fcn", "textcnn", "deepface", "nielsen-dropout");

    [Theory]
    [MemberData(nameof(Families))]
    public void Summary_runs_every_family_at_its_adapted_size(string name)
    {
        var (code, stdout, stderr) = CliProcess.Run("summary", "--model", name, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var (h, w) = ModelZoo.Entry(name).AdaptedSize(28, 28);
        Assert.Equal([1, h, w], doc.RootElement.GetProperty("input_shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(doc.RootElement.GetProperty("total_params").GetInt64() > 0);
        Assert.NotEmpty(doc.RootElement.GetProperty("layers").EnumerateArray());
    }

    [Fact]
    public void Summary_refuses_an_input_smaller_than_the_model_takes()
    {
        var (code, _, stderr) = CliProcess.Run("summary", "--model", "alexnet", "--input-shape", "3,40,40");
        Assert.Equal(2, code);
        Assert.Contains("model 'alexnet' needs input images of at least 63x63; got 40x40", stderr);
    }

    [Fact]
    public void Bilinear_resize_matches_pytorch_interpolate()
    {
        var set = new ImageSet([0, 100, 200, 255], [1], 1, 1, 2, 2, ["a", "b"]);
        var resized = ImageResize.Bilinear(set, 4, 3);
        // torch.nn.functional.interpolate(x, size=(4, 3), mode="bilinear", align_corners=False).round()
        Assert.Equal([0, 50, 100, 50, 94, 139, 150, 183, 216, 200, 228, 255], resized.Pixels.Select(b => (int)b));
        Assert.Equal((4, 3, 1), (resized.Height, resized.Width, resized.Count));
        Assert.Same(set, ImageResize.Bilinear(set, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageResize.Bilinear(set, 0, 3));
    }
}
