using Hubel.Autograd;
using Hubel.Models;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Models;

/// <summary>The zoo models torchvision does not define: parameter counts against the papers' (or the reference
/// implementations') numbers or layer-by-layer arithmetic, and the behaviour each architecture is known for.</summary>
public class ArchitectureTests
{
    [Fact]
    public void AlexNet_paper_has_two_towers_lrn_and_the_papers_parameter_count()
    {
        var net = new AlexNetPaper(rng: new Rng(0));
        // conv 34,944 + 307,456 + 885,120 + 663,936 + 442,624; FC 37,752,832 + 16,781,312 + 4,097,000.
        Assert.Equal(60_965_224, net.ParameterCount());
        var convs = net.Features.Children.Select(c => c.Module).OfType<Conv2d>().ToArray();
        Assert.Equal([1, 2, 1, 2, 2], convs.Select(c => c.Groups));                      // conv2, 4, 5 stay in their tower
        Assert.Equal([256, 48, 5, 5], convs[1].Weight.Shape.ToArray());
        Assert.Equal(2, net.Features.Children.Count(c => c.Module is LocalResponseNorm l && l.K == 2 && l.Size == 5));
        Assert.All(net.Features.Children.Select(c => c.Module).OfType<MaxPool2d>(), p => Assert.Equal((new Size2(3, 3), new Size2(2, 2)), (p.Kernel, p.Stride)));
        net.Eval();
        using var _ = Graph.NoGrad();
        Assert.Equal([1, 256, 6, 6], net.Features.Call(ZooTestKit.Images(1, 3, 227)).Shape.ToArray());   // 55, 27, 13, 6
    }

    [Fact]
    public void Reference_implementations_parameter_counts()
    {
        Assert.Equal(4_231_976, new MobileNetV1(rng: new Rng(0)).ParameterCount());              // Keras MobileNet (trainable)
        Assert.Equal(22_855_952, new Xception(rng: new Rng(0)).ParameterCount());                 // Keras Xception (trainable)
        Assert.Equal(28_088_024, SeResNet.Create(50, rng: new Rng(0)).ParameterCount());          // SENet authors' SE-ResNet-50
        Assert.Equal(769_162, DenseNet.CreateSmallBc(100, 12, 10, 3, new Rng(0)).ParameterCount()); // DenseNet-BC-100, k = 12 ("0.8M")
    }

    [Fact]
    public void Layer_by_layer_parameter_counts()
    {
        // NIN: mlpconv1 60,928 + mlpconv2 535,104 + mlpconv3 370,954.
        Assert.Equal(966_986, new Nin(10, 3, new Rng(0)).ParameterCount());
        // Nielsen: 784·100 + 100 + 100·10 + 10; then conv 20@5x5 (520) and FC 2880·100 ...; conv 40@5x5 (20,040) and FC 640·100 ...
        long[] ladder = [79_510, 289_630, 85_670, 95_770, 1_672_570];
        Assert.Equal(ladder, Enum.GetValues<NielsenStep>().Select(s => new NielsenLadder(s, rng: new Rng(0)).ParameterCount()));
        // DeepFace at 72x72: C1 3,904, C3 41,488, L4 15²·16·16·81 + 16·15² = 4,669,200, L5 5²·16·16·49 + 400 = 314,000,
        // L6 6,416, F7 544, F8 330.
        Assert.Equal(5_035_882, new DeepFace(10, 1, 72, hidden: 32, rng: new Rng(0)).ParameterCount());
        // TextCNN over 28-wide rows: 28·100·h + 100 for h = 3, 4, 5, then FC 300·10 + 10.
        Assert.Equal(36_910, TextCnn.ForImages(28, 10, 1, new Rng(0)).ParameterCount());
    }

    [Fact]
    public void GoogLeNet_returns_auxiliary_logits_only_in_training()
    {
        var net = new GoogLeNet(5, 1, auxLogits: true, new Rng(0));
        var x = ZooTestKit.Images(2, 1, 64);
        var (logits, aux1, aux2) = net.ForwardWithAux(x);
        Assert.Equal([2, 5], logits.Shape.ToArray());
        Assert.Equal([2, 5], aux1!.Shape.ToArray());
        Assert.Equal([2, 5], aux2!.Shape.ToArray());
        net.Eval();
        var eval = net.ForwardWithAux(x);
        Assert.Null(eval.Aux1);
        Assert.Null(eval.Aux2);
        Assert.Equal(1e-3, net.Conv1.Bn.Eps);
    }

    [Fact]
    public void Segmentation_net_gives_pixel_maps_at_the_input_size_and_learns_per_pixel_labels()
    {
        var net = new SegmentationNet(3, 1, width: 4, rng: new Rng(2));
        Assert.Equal([2, 3, 13, 11], net.Call(ZooTestKit.Images(2, 1, 13).Slice(3, 0, 11).Contiguous()).Shape.ToArray());   // odd sizes padded back
        var x = ZooTestKit.Images(2, 1, 8, seed: 4);
        // Label each pixel by the sign of its own value: learnable from the skip connection at full resolution.
        var values = x.ToDoubleArray();
        int[] targets = values.Select(v => v > 0.3 ? 2 : v < -0.3 ? 0 : 1).ToArray();
        var (before, after) = ZooTestKit.Train(net, x, logits => SegmentationNet.PixelCrossEntropy(logits, targets), steps: 5, lr: 0.01);
        Assert.True(after < before, $"pixel loss {before} -> {after}");
        Assert.Throws<ArgumentException>(() => SegmentationNet.PixelCrossEntropy(Tensor.Zeros([2, 3]), [0, 1]));
    }

    [Fact]
    public void TextCnn_reads_token_indices_and_learns_a_tiny_corpus()
    {
        var net = new TextCnn(vocabSize: 30, embeddingDim: 8, numClasses: 2, rng: new Rng(6));
        Assert.Equal([3, 4, 5], net.Windows);
        int[] tokens = [1, 2, 3, 4, 5, 6, 7, 20, 21, 22, 23, 24, 25, 26];   // two sentences of 7 words
        Assert.Equal([2, 2], net.ForwardTokens(tokens, 2).Shape.ToArray());
        var x = Tensor.FromArray(tokens.Select(t => (float)t).ToArray(), [2, 7]);
        var (before, after) = ZooTestKit.Train(net, x, ZooTestKit.CrossEntropy([0, 1]), steps: 5, lr: 0.05);
        Assert.True(after < before, $"loss {before} -> {after}");
        var e = Assert.Throws<ArgumentException>(() => net.ForwardTokens([1, 2, 3, 4], 1));
        Assert.Contains("at least 5 words", e.Message);
        Assert.Throws<ArgumentException>(() => net.Call(Tensor.Zeros([2, 7, 8])));   // has a vocabulary: wants indices
    }

    [Fact]
    public void Shufflenet_v2_unit_splits_channels_and_mobilenet_v2_keeps_residuals_where_shapes_match()
    {
        var unit = new ShuffleV2Unit(8, 8, 1, new Rng(0));
        Assert.Null(unit.Branch1);
        var x = ZooTestKit.Images(1, 8, 5);
        var y = unit.Call(x);
        // The untouched half lands on the even channels after the 2-group shuffle.
        Assert.Equal(x.Slice(1, 0, 4).ToDoubleArray(), y.Slice(1, 0, 8, 2).ToDoubleArray());
        var v2 = new MobileNetV2(rng: new Rng(0));
        var blocks = v2.Features.Children.Select(c => c.Module).OfType<InvertedResidual>().ToArray();
        Assert.Equal(17, blocks.Length);
        Assert.Equal(10, blocks.Count(b => b.UsesResidual));
        Assert.IsType<ReLU6>(blocks[0].Conv[0] is Hubel.Nn.Sequential s ? s[2] : null);
        Assert.Equal([0, 3, 6, 6], new ReLU6().Call(Tensor.FromArray(new float[] { -1, 3, 6, 9 }, [4])).ToDoubleArray());
    }
}
