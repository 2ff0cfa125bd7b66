using Hubel.Autograd;
using Hubel.Models;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>Every zoo entry builds with other class and channel counts (7, 2), runs on its smallest accepted input, and fails
/// with an ArgumentException just below it (so the registry's minimum sizes are exact).</summary>
public class ZooShapeTests
{
    /// <summary>The torchvision mirrors get this check in ZooGoldenTests (built once there: VGG alone allocates 0.5 GB).</summary>
    public static TheoryData<string> OtherModels() => new(ModelZoo.Names.Where(n => !File.Exists(ZooTestKit.GoldenFile(n))));

    [Theory]
    [MemberData(nameof(OtherModels))]
    public void Runs_on_its_minimum_input_and_fails_just_below(string name) =>
        CheckMinimumInput(name, ModelZoo.Create(name, 7, 2, new Rng(3)), 7, 2);

    internal static void CheckMinimumInput(string name, Hubel.Nn.Module net, int classes, int channels)
    {
        var entry = ModelZoo.Entry(name);
        net.Eval();
        using var _ = Graph.NoGrad();
        Assert.Equal([2, classes], net.Call(ZooTestKit.Images(2, channels, entry.MinSize)).Shape.ToArray());
        Assert.True(entry.Accepts(entry.MinSize, entry.MinSize));
        int below = entry.MinSize - 1;
        if (below >= 1)
        {
            Assert.False(entry.Accepts(below, below));
            Assert.ThrowsAny<ArgumentException>(() => net.Call(ZooTestKit.Images(1, channels, below)));
        }
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.CheckInput(name, below, below));
        Assert.Contains(name, e.Message);
        Assert.Contains($"{below}x{below}", e.Message);
    }

    [Fact]
    public void Fixed_size_models_take_exactly_their_size_and_adapt_to_it()
    {
        var entry = ModelZoo.Entry("deepface");
        Assert.True(entry.FixedSize);
        Assert.False(entry.Accepts(160, 160));
        Assert.Equal((152, 152), entry.AdaptedSize(28, 28));
        Assert.Equal((152, 152), entry.AdaptedSize(200, 200));
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.CheckInput("deepface", 28, 28));
        Assert.Equal("model 'deepface' needs input images of exactly 152x152; got 28x28 (Parameter 'height')", e.Message);
    }

    [Fact]
    public void Minimum_size_models_grow_small_inputs_and_keep_large_ones()
    {
        var vgg = ModelZoo.Entry("vgg16");
        Assert.Equal((32, 32), vgg.AdaptedSize(28, 28));
        Assert.Equal((32, 40), vgg.AdaptedSize(20, 40));
        Assert.Equal((64, 64), vgg.AdaptedSize(64, 64));
        Assert.Equal((28, 28), ModelZoo.Entry("resnet18").AdaptedSize(28, 28));
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.CheckInput("alexnet", 28, 28));
        Assert.Equal("model 'alexnet' needs input images of at least 63x63; got 28x28 (Parameter 'height')", e.Message);
    }

    [Fact]
    public void Names_are_unique_lower_case_and_resolve_with_aliases()
    {
        Assert.Equal(ModelZoo.Names.Count, ModelZoo.Names.Distinct().Count());
        Assert.All(ModelZoo.Names, n => Assert.Equal(n.ToLowerInvariant(), n));
        Assert.All(ModelZoo.Entries, e => Assert.False(string.IsNullOrWhiteSpace(e.Description)));
        Assert.IsType<LeNet5>(ModelZoo.Create("LeNet-5"));
        Assert.IsType<GoogLeNet>(ModelZoo.Create("inception_v1", rng: new Rng(0)));
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet19"));
        Assert.Contains("unknown model 'resnet19'", e.Message);
        Assert.Contains("resnet18", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelZoo.Create("resnet18", numClasses: 0));
    }
}
