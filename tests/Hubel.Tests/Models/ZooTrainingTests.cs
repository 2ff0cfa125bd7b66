using Hubel.Models;
using Hubel.Nn;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>A few plain SGD steps on one tiny batch lower the loss of every zoo model (at the first of 0.01, 1e-3, 1e-4,
/// 1e-5 that does; see <see cref="ZooTestKit.TrainWithSomeRate"/>). The giants train with narrower
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
        var (before, after, lr) = ZooTestKit.TrainWithSomeRate(net, x, ZooTestKit.CrossEntropy([0, 1, 2, 3]), 3, [0.01, 1e-3, 1e-4, 1e-5]);
        Assert.True(double.IsFinite(before) && double.IsFinite(after), $"{name}: loss {before} -> {after}");
        Assert.True(after < before, $"{name}: loss {before} -> {after} at lr {lr}");
    }
}
