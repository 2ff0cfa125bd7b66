using Hubel.Ops;
using Hubel.Tensors;
using static Hubel.Tests.ConvX.ConvXAssert;
using Layers = Hubel.Nn.Layers;

namespace Hubel.Tests.ConvX;

/// <summary>The notes' statements about unshared convolutions (S2 §3.1, §3.2): locally connected with one kernel everywhere is
/// convolution, tiled with t = 1 is convolution, tiled with a tile covering the output is locally connected.</summary>
public class LocallyConnectedTests
{
    /// <summary>W[j, k] = K for every position (and b[i, j, k] = b[i]) reduces locally connected to Conv2d, gradients included:
    /// the gradient of the shared K is the sum of the per-position gradients.</summary>
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void SharedWeightsEqualConv2d(int stride, int padding)
    {
        var rng = new Rng(3);
        var x = Rand(rng, 2, 3, 7, 6).RequireGrad();
        var k = Rand(rng, 4, 3, 3, 2);
        var b = Rand(rng, 4);
        var conv = F.Conv2d(x, k, b, stride: stride, padding: padding);
        int oh = conv.Size(2), ow = conv.Size(3);
        var w = k.Reshape(1, 1, 4, 3, 3, 2).BroadcastTo(oh, ow, 4, 3, 3, 2).Contiguous().RequireGrad();
        var bl = b.Reshape(4, 1, 1).BroadcastTo(4, oh, ow).Contiguous();
        var local = F.LocallyConnected2d(x, w, bl, stride, padding);
        Close(conv, local, 1e-12, "output");

        var g = Rand(rng, conv.Shape.ToArray());
        var kLeaf = k.Clone().RequireGrad();
        var xLeaf = x.Detach().Clone().RequireGrad();
        F.Conv2d(xLeaf, kLeaf, b, stride: stride, padding: padding).Backward(g);
        local.Backward(g);
        Close(xLeaf.Grad!, x.Grad!, 1e-12, "input gradient");
        Close(kLeaf.Grad!, w.Grad!.Sum([0, 1]), 1e-12, "summed weight gradient");
    }

    [Fact]
    public void UnsharedWeightsGiveEachPositionItsOwnKernel()
    {
        var rng = new Rng(4);
        var x = Rand(rng, 1, 2, 4, 5);
        var w = Rand(rng, 2, 3, 3, 2, 3, 3);
        var y = F.LocallyConnected2d(x, w);
        for (int j = 0; j < 2; j++)
            for (int k = 0; k < 3; k++)
            {
                var window = x.Slice(2, j, j + 3).Slice(3, k, k + 3);
                var kernel = w.Slice(0, j, j + 1).Slice(1, k, k + 1).Reshape(3, 2, 3, 3);
                Close(F.Conv2d(window, kernel), y.Slice(2, j, j + 1).Slice(3, k, k + 1), 1e-12, $"position ({j}, {k})");
            }
    }

    [Fact]
    public void TiledWithTile1IsConv2d()
    {
        var rng = new Rng(5);
        var x = Rand(rng, 2, 3, 6, 7);
        var k = Rand(rng, 4, 3, 3, 3);
        var b = Rand(rng, 4);
        Close(F.Conv2d(x, k, b, stride: 2, padding: 1), F.TiledConv2d(x, k.Reshape(1, 1, 4, 3, 3, 3), b.Reshape(4, 1, 1), 2, 1), 1e-12, "t = 1");
    }

    [Fact]
    public void TiledWithTileCoveringTheOutputIsLocallyConnected()
    {
        var rng = new Rng(6);
        var x = Rand(rng, 2, 2, 6, 5);
        var w = Rand(rng, 4, 3, 3, 2, 3, 3);          // output 4 x 3
        var b = Rand(rng, 3, 4, 3);
        Close(F.LocallyConnected2d(x, w, b), F.TiledConv2d(x, w, b), 1e-12, "t = output size");
    }

    [Fact]
    public void TiledRepeatsKernelsEveryTPositions()
    {
        var rng = new Rng(7);
        var x = Rand(rng, 1, 2, 7, 7);
        var w = Rand(rng, 2, 3, 2, 2, 2, 2);           // tile 2 x 3 over a 6 x 6 output
        var b = Rand(rng, 2, 2, 3);
        var y = F.TiledConv2d(x, w, b);
        var full = Tensor.Zeros([6, 6, 2, 2, 2, 2], DType.Float64);
        var fullBias = Tensor.Zeros([2, 6, 6], DType.Float64);
        var wv = w.ToDoubleArray();
        var fv = new double[full.Numel];
        var fb = new double[fullBias.Numel];
        for (int j = 0; j < 6; j++)
            for (int k = 0; k < 6; k++)
            {
                Array.Copy(wv, ((j % 2) * 3 + k % 3) * 16, fv, (j * 6 + k) * 16, 16);
                for (int o = 0; o < 2; o++) fb[(o * 6 + j) * 6 + k] = b[o, j % 2, k % 3];
            }
        var expected = F.LocallyConnected2d(x, Tensor.FromArray(fv, full.Shape.ToArray()), Tensor.FromArray(fb, fullBias.Shape.ToArray()));
        Close(expected, y, 1e-12, "W[j % t, k % t]");
    }

    [Fact]
    public void OneDimensionalIsTwoDimensionalOnA1xLImage()
    {
        var rng = new Rng(8);
        var x = Rand(rng, 2, 3, 9);
        var w = Rand(rng, 5, 2, 3, 3);                  // L 9, K 3, stride 2, padding 1 -> OL 5
        var b = Rand(rng, 2, 5);
        var y = F.LocallyConnected1d(x, w, b, stride: 2, padding: 1);
        var y2 = F.LocallyConnected2d(x.Unsqueeze(2), w.Reshape(1, 5, 2, 3, 1, 3), b.Unsqueeze(1), (1, 2), (0, 1));
        Close(y2.Reshape(2, 2, 5), y, 1e-12, "1-D");
    }

    /// <summary>S0 §5.27 / E41: locally connected layers multiply a conv's weights by the number of output positions.</summary>
    [Fact]
    public void LayersHoldTheDocumentedShapesAndCounts()
    {
        var local = new Layers.LocallyConnected2d(3, 8, (10, 12), 3, stride: 1, padding: 1);
        Assert.Equal([10, 12, 8, 3, 3, 3], local.Weight.Shape.ToArray());
        Assert.Equal([8, 10, 12], local.Bias!.Shape.ToArray());
        var conv = new Layers.Conv2d(3, 8, 3, padding: 1, bias: false);
        Assert.Equal(10 * 12 * conv.Weight.Numel, local.Weight.Numel);
        Assert.Equal([2, 8, 10, 12], local.Forward(Tensor.Zeros([2, 3, 10, 12])).Shape.ToArray());

        var tiled = new Layers.TiledConv2d(3, 8, 3, tile: 2);
        Assert.Equal(4 * conv.Weight.Numel, tiled.Weight.Numel);
        Assert.Equal([1, 8, 5, 7], tiled.Forward(Tensor.Zeros([1, 3, 7, 9])).Shape.ToArray());

        var local1 = new Layers.LocallyConnected1d(2, 5, inputLength: 10, kernel: 3, stride: 2);
        Assert.Equal([4, 5, 2, 3], local1.Weight.Shape.ToArray());
        Assert.Equal([3, 5, 4], local1.Forward(Tensor.Zeros([3, 2, 10])).Shape.ToArray());
    }

    [Fact]
    public void LayerConstructorsNameTheBadArgument()
    {
        Assert.Equal("inChannels", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LocallyConnected2d(0, 2, 5, 3)).ParamName);
        Assert.Equal("inputSize", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LocallyConnected2d(1, 2, (5, 0), 3)).ParamName);
        Assert.Equal("kernel", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LocallyConnected2d(1, 2, 5, 6)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LocallyConnected2d(1, 2, 5, 3, stride: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LocallyConnected2d(1, 2, 5, 3, padding: -1)).ParamName);
        Assert.Equal("tile", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.TiledConv2d(1, 2, 3, tile: 0)).ParamName);
        Assert.Equal("inputLength", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.LocallyConnected1d(1, 2, 0, 3)).ParamName);
        Assert.Equal("depthMultiplier", Assert.Throws<ArgumentOutOfRangeException>(() => new Layers.DepthwiseSeparableConv2d(3, 4, 3, depthMultiplier: 0)).ParamName);
    }
}
