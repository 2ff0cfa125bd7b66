using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>A few SGD steps on one tiny batch lower the loss of every zoo model. The giants train with narrower
/// fully connected heads (VGG, AlexNet: 32 instead of 4096; DeepFace at its smallest input, 72x72) and every model at
/// its smallest input (at least 16x16), so the whole set runs in seconds; the full-size models are checked by shape.</summary>
public class ZooTrainingTests
{
    public static TheoryData<string> AllModels() => new(ModelZoo.Names);

    private static Module Small(string name, Rng rng) => name switch
    {
        _ when name.StartsWith("vgg", StringComparison.Ordinal) =>
            Vgg.Create(int.Parse(name[3..5], System.Globalization.CultureInfo.InvariantCulture), name.EndsWith("_bn", StringComparison.Ordinal), 10, 1, rng, hidden: 32),
        "alexnet" => new AlexNet(10, 1, rng, hidden: 32),
        "alexnet-paper" => new AlexNetPaper(10, 1, rng, hidden: 32),
        "deepface" => new DeepFace(10, 1, DeepFace.MinInputSize, hidden: 32, rng: rng),
        _ => ModelZoo.Create(name, 10, 1, rng),
    };

    [Theory]
    [MemberData(nameof(AllModels))]
    public void A_few_sgd_steps_lower_the_loss_on_a_tiny_batch(string name)
    {
        var entry = ModelZoo.Entry(name);
        int size = name == "deepface" ? DeepFace.MinInputSize : entry.FixedSize ? entry.DefaultSize : Math.Max(entry.MinSize, 16);
        var net = Small(name, new Rng(5));
        var x = ZooTestKit.Images(4, 1, size, seed: 11);
        // Batch statistics of 4 images on 1x1 maps are noisy (and amplify gradients by up to 1/√eps per layer): batch-norm
        // nets take smaller steps.
        double lr = net.NamedModules().Any(m => m.Module is Hubel.Nn.Layers.BatchNorm) ? 0.001 : 0.01;
        var (before, after) = ZooTestKit.Train(net, x, ZooTestKit.CrossEntropy([0, 1, 2, 3]), steps: 3, lr: lr);
        Assert.True(double.IsFinite(before) && double.IsFinite(after), $"{name}: loss {before} -> {after}");
        Assert.True(after < before, $"{name}: loss {before} -> {after}");
    }
}
