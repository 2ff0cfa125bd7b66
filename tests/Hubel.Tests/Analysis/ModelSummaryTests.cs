using Hubel.Analysis;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Tests.Analysis;

public class ModelSummaryTests
{
    [Fact]
    public void LeNet5_summary_has_the_reference_counts_receptive_fields_and_strides()
    {
        var s = ModelSummary.Of(new LeNet5(rng: new Rng(0)), [1, 28, 28]);
        Assert.Equal(61706, s.TotalParameters);
        var conv1 = s.Layers[0];
        Assert.Equal(("conv1", 156L, 117600L), (conv1.Name, conv1.Parameters, conv1.Macs));   // 6·28·28·25
        Assert.Equal([1, 6, 28, 28], conv1.OutputShape);
        Assert.Equal(240000L, s.Layers.Single(l => l.Name == "conv2").Macs);               // 16·10·10·150
        // RF grows by (K-1)·jump: conv 5 -> pool 6 -> conv 14 -> pool 16; jumps 1, 2, 2, 4.
        var spatial = s.Layers.Where(l => l.Type is "Conv2d" or "MaxPool2d").Select(l => (l.ReceptiveField, l.Stride)).ToArray();
        Assert.Equal([(5, 1), (6, 2), (14, 2), (16, 4)], spatial);
        Assert.Equal(16, ConvArithmetic.ReceptiveField([(5, 1), (2, 2), (5, 1), (2, 2)]));
        Assert.Equal(416520L, s.TotalMacs);
        Assert.Equal(s.Layers.Sum(l => l.Parameters), s.TotalParameters);
    }

    [Fact]
    public void Dilation_and_stride_enter_the_receptive_field()
    {
        var net = new Sequential(
            new Conv2d(1, 2, 3, dilation: 2, rng: new Rng(1)),    // effective 5
            new Conv2d(2, 2, 3, stride: 2, rng: new Rng(1)),       // +2·1
            new Conv2d(2, 2, 3, rng: new Rng(1)));                  // +2·2
        var s = ModelSummary.Of(net, [1, 32, 32]);
        Assert.Equal([5, 7, 11], s.Layers.Select(l => l.ReceptiveField));
        Assert.Equal([1, 2, 2], s.Layers.Select(l => l.Stride));
        Assert.Equal(["0", "1", "2"], s.Layers.Select(l => l.Name));
    }

    [Fact]
    public void Activation_memory_scales_with_the_batch_and_bad_shapes_are_rejected()
    {
        var s = ModelSummary.Of(new LeNet5(rng: new Rng(0)), [1, 28, 28]);
        Assert.Equal(2 * s.ActivationBytes(32), s.ActivationBytes(64));
        Assert.Throws<ArgumentException>(() => ModelSummary.Of(new LeNet5(rng: new Rng(0)), [1, 28]));
    }
}
