using System.Text.RegularExpressions;
using Hubel.Autograd;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>The zoo entries behind docs/RESULTS.md's recipes: Nielsen's ladder as network3.py defines each rung, the
/// small CIFAR ResNets, and the segmentation net's bilinear decoder.</summary>
public class LadderAndDecoderTests
{
    [Theory]
    // Nielsen ch. 6: sigmoid for the FC baseline, one and two conv-pool layers; ReLU from "ReLU + L2" on.
    [InlineData("nielsen-fc", false, 0, 79_510)]
    [InlineData("nielsen-conv1", false, 0, 289_630)]
    [InlineData("nielsen-conv2-sigmoid", false, 0, 85_670)]
    [InlineData("nielsen-conv2", true, 0, 85_670)]
    [InlineData("nielsen-conv2-fc2", true, 0, 95_770)]
    [InlineData("nielsen-dropout", true, 3, 1_672_570)]
    public void Ladder_rungs_use_nielsens_units_sizes_and_dropout(string name, bool relu, int dropouts, long parameters)
    {
        var net = ModelZoo.Create(name, rng: new Rng(0));
        var modules = net.NamedModules().Select(m => m.Module).ToArray();
        Assert.Equal(parameters, net.ParameterCount());
        Assert.Equal(relu, modules.Any(m => m is ReLU));
        Assert.Equal(!relu, modules.Any(m => m is Sigmoid));
        Assert.Equal(dropouts, modules.Count(m => m is Dropout d && d.P == 0.5));
        // The last layer gives logits (softmax lives in the loss), 10 classes.
        Assert.Equal(10, modules.OfType<Linear>().Last().OutFeatures);
    }

    [Fact]
    public void Sigmoid_two_conv_rung_equals_network3_with_sigmoid_units()
    {
        // network3.py's ConvPoolLayer computes act(pool(conv) + b): for monotonic units that is pool(act(conv + b)).
        var net = (NielsenLadder)ModelZoo.Create("nielsen-conv2-sigmoid", rng: new Rng(4));
        var x = ZooTestKit.Images(2, 1, 28);
        var layers = net.Layers.Children.ToDictionary(c => c.Name, c => c.Module);
        var conv1 = (Conv2d)layers["conv1"];
        var conv2 = (Conv2d)layers["conv2"];
        Tensor ConvPool(Conv2d c, Tensor input)
        {
            var pooled = F.MaxPool2d(F.Conv2d(input, c.Weight, null), 2);
            return F.Sigmoid(F.Add(pooled, c.Bias!.Reshape(1, -1, 1, 1)));
        }
        using var _ = Graph.NoGrad();
        var h = ConvPool(conv2, ConvPool(conv1, x)).Flatten(1);
        var fc1 = (Linear)layers["fc1"];
        var expected = ((Linear)layers["out"]).Call(F.Sigmoid(fc1.Call(h)));
        var actual = net.Call(x).ToDoubleArray();
        var want = expected.ToDoubleArray();
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], actual[i], 5);
    }

    [Fact]
    public void Result_recipes_train_only_zoo_models_and_climb_nielsens_ladder_in_order()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Hubel.slnx"))) dir = dir.Parent;
        Assert.NotNull(dir);
        string Script(string name) => File.ReadAllText(Path.Combine(dir.FullName, "bench", "results", name));
        static string[] Models(string text) => [.. Regex.Matches(text, @"--model ([a-z0-9_-]+)").Select(m => m.Groups[1].Value)];
        Assert.Equal(["nielsen-dropout", "nielsen-fc", "nielsen-conv1", "nielsen-conv2-sigmoid", "nielsen-conv2", "nielsen-conv2", "nielsen-conv2-fc2"],
            Models(Script("nielsen_ladder.sh")));
        Assert.Equal(["lenet5"], Models(Script("lenet5.sh")));
        Assert.Equal("resnet20", Regex.Match(Script("resnet.sh"), @"MODELS=\$\{MODELS:-([a-z0-9]+)\}").Groups[1].Value);
        Assert.All(Models(Script("nielsen_ladder.sh")).Append("resnet20").Append("resnet14").Append("resnet8"), m => Assert.Contains(m, ModelZoo.Names));
    }

    [Theory]
    // 3 channels: stem 432 + BN 32; per 16→16 block 4,608 + 64; first 16→32 block 13,952, later 32→32 ones 18,560;
    // first 32→64 block 55,552, later 64→64 ones 73,984; FC 650.
    [InlineData(8, 75_290)]
    [InlineData(14, 172_506)]
    [InlineData(20, 269_722)]
    public void Cifar_resnets_have_the_hand_counted_parameters(int depth, long parameters)
    {
        Assert.Equal(parameters, ModelZoo.Create($"resnet{depth}", 10, 3, new Rng(0)).ParameterCount());
        var net = (ResNetCifar)ModelZoo.Create($"resnet{depth}", 10, 1, new Rng(0));
        Assert.Equal((depth - 2) / 2, net.Layers.Count);
        Assert.Equal(parameters - 2 * 16 * 9, net.ParameterCount());   // one input channel instead of three
    }

    [Fact]
    public void Bilinear_decoder_keeps_the_input_size_and_learns_per_pixel_labels()
    {
        var net = new SegmentationNet(3, 1, width: 4, rng: new Rng(2), upsampling: FcnUpsampling.Bilinear);
        Assert.Equal(FcnUpsampling.Bilinear, net.Upsampling);
        Assert.IsType<Upsample>(((Sequential)net.Up2)[1]);
        Assert.Equal([2, 3, 13, 11], net.Call(ZooTestKit.Images(2, 1, 13).Slice(3, 0, 11).Contiguous()).Shape.ToArray());   // odd sizes padded back
        Assert.Equal([2, 3, 16, 16], net.Call(ZooTestKit.Images(2, 1, 16)).Shape.ToArray());
        var x = ZooTestKit.Images(2, 1, 8, seed: 4);
        int[] targets = x.ToDoubleArray().Select(v => v > 0.3 ? 2 : v < -0.3 ? 0 : 1).ToArray();
        var (before, after) = ZooTestKit.Train(net, x, logits => SegmentationNet.PixelCrossEntropy(logits, targets), steps: 5, lr: 0.01);
        Assert.True(after < before, $"pixel loss {before} -> {after}");
        // Each up stage: a 1x1 conv (c·c/2 + c/2) instead of a 2x2 transposed conv (4·c·c/2 + c/2): 3·(8w² + 2w²) fewer.
        long transposed = new SegmentationNet(3, 1, width: 4, rng: new Rng(2)).ParameterCount();
        Assert.Equal(30 * 4 * 4, transposed - net.ParameterCount());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SegmentationNet(3, 1, upsampling: (FcnUpsampling)7));
    }

    [Fact]
    public void A_1x1_conv_commutes_with_bilinear_upsampling()
    {
        // Why the bilinear stage may run its 1x1 conv at the low resolution: interpolation weights sum to 1.
        var conv = new Conv2d(6, 3, 1, rng: new Rng(8));
        var x = Tensor.Uniform([2, 6, 5, 7], -1, 1, new Rng(9));
        using var _ = Graph.NoGrad();
        var convFirst = F.Upsample(conv.Call(x), scaleFactor: 2, mode: UpsampleMode.Bilinear).ToDoubleArray();
        var upFirst = conv.Call(F.Upsample(x, scaleFactor: 2, mode: UpsampleMode.Bilinear)).ToDoubleArray();
        Assert.Equal(upFirst.Length, convFirst.Length);
        for (int i = 0; i < upFirst.Length; i++) Assert.Equal(upFirst[i], convFirst[i], 1e-5);   // float32: an absolute bound, not rounding to 5 places (which flips on a 1e-8 difference)
    }
}
