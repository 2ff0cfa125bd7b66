using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;
using Hubel.Tests.Ops;

namespace Hubel.Tests.Layout;

/// <summary>What the generic registry tests cannot see: equivalences (maxout as the notes' max of affine pieces,
/// nearest upsampling as repetition, shuffle as a permutation), gradient routing, and the layers around the ops.</summary>
public class LayoutAndLayerTests
{
    [Fact]
    public void MaxoutIsTheNotesMaxOfAffinePieces()
    {
        // notes 001 §激活函数 "Maxout: max(w₁ᵀx + b₁, w₂ᵀx + b₂)": a linear layer computes the pieces as channels [c·k + j].
        var x = Tensor.FromArray([1.0, -2, 0.5], [1, 3]);
        var w = Tensor.FromArray(new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 1, 1, 1 }, { -1, 0, 2 } });
        var b = Tensor.FromArray([0.0, 0.5, 1, -1], [4]);
        var y = F.Maxout(F.Linear(x, w, b), 2).ToDoubleArray();
        Assert.Equal([Math.Max(1.0, -2 + 0.5), Math.Max(1 - 2 + 0.5 + 1, -1 + 1 - 1)], y);
        var t = Tensor.Uniform([2, 3, 2, 2], -1, 1, new Rng(1), DType.Float64);
        Assert.Equal(t.ToDoubleArray(), F.Maxout(t, 1).ToDoubleArray());
    }

    [Fact]
    public void MaxoutGradientGoesToTheArgmax()
    {
        var x = Tensor.FromArray([3.0, 1, 2, 5, -1, -4], [1, 6]).RequireGrad();
        F.Maxout(x, 3).Backward(Tensor.FromArray([10.0, 20], [1, 2]));
        Assert.Equal([10.0, 0, 0, 20, 0, 0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void ChannelShuffleInterleavesTheGroups()
    {
        var x = Tensor.FromArray(Enumerable.Range(0, 6).Select(i => (double)i).ToArray(), [1, 6, 1, 1]);
        Assert.Equal([0.0, 2, 4, 1, 3, 5], F.ChannelShuffle(x, 3).ToDoubleArray());
        Assert.Equal([0.0, 3, 1, 4, 2, 5], new ChannelShuffle(2).Forward(x).ToDoubleArray());
    }

    [Fact]
    public void NearestUpsamplingByTwoRepeatsEachPixel()
    {
        // notes 000 (CNN backprop, 上采样): upsampling as the Kronecker product kron(x, ones(2, 2)).
        var x = Tensor.FromArray([1.0, 2, 3, 4], [1, 1, 2, 2]);
        Assert.Equal([1.0, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], F.Upsample(x, scaleFactor: 2).ToDoubleArray());
        var bilinear = new Upsample(size: (3, 3), mode: UpsampleMode.Bilinear, alignCorners: true).Forward(x).ToDoubleArray();
        Assert.Equal([1.0, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], bilinear);   // align corners: corners kept, midpoints averaged
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => new Upsample(size: 2, scaleFactor: 2)).ParamName);
    }

    [Fact]
    public void CatBackwardSplitsTheGradient()
    {
        var a = Tensor.Uniform([2, 1, 2], -1, 1, new Rng(1), DType.Float64).RequireGrad();
        var b = Tensor.Uniform([2, 2, 2], -1, 1, new Rng(2), DType.Float64).RequireGrad();
        var y = F.Cat([a, b], 1);
        Assert.Equal([2, 3, 2], y.Shape.ToArray());
        var g = Tensor.FromArray(Enumerable.Range(0, 12).Select(i => (double)i).ToArray(), [2, 3, 2]);
        y.Backward(g);
        Assert.Equal([0.0, 1, 6, 7], a.Grad!.ToDoubleArray());
        Assert.Equal([2.0, 3, 4, 5, 8, 9, 10, 11], b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void EmbeddingLooksUpRowsAndScattersGradients()
    {
        var layer = new Embedding(4, 2, new Rng(3), DType.Float64);
        var w = layer.Weight.ToDoubleArray();
        var y = layer.Forward(Tensor.FromArray([3.0, 0, 3], [3]));
        Assert.Equal([w[6], w[7], w[0], w[1], w[6], w[7]], y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal([1.0, 1, 0, 0, 0, 0, 2, 2], layer.Weight.Grad!.ToDoubleArray());
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.FromArray([0.5], [1]))).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentOutOfRangeException>(() => layer.Forward([4])).ParamName);
    }

    [Fact]
    public void ReshapeKeepsTheBatch()
    {
        var x = Tensor.Uniform([2, 12], -1, 1, new Rng(1), DType.Float64).RequireGrad();
        var y = new Reshape(3, -1, 2).Forward(x);
        Assert.Equal([2, 3, 2, 2], y.Shape.ToArray());
        Assert.Equal(x.ToDoubleArray(), y.ToDoubleArray());
        y.Sum().Backward();
        Assert.Equal([2, 12], x.Grad!.Shape.ToArray());
        Assert.Equal("shape", Assert.Throws<ArgumentOutOfRangeException>(() => new Reshape(0, 3)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new Reshape(-1, -1)).ParamName);
    }

    [Fact]
    public void ParametricActivationLayers()
    {
        var prelu = new PReLU(3, dtype: DType.Float64);
        Assert.Equal([0.25, 0.25, 0.25], prelu.Weight.ToDoubleArray());
        Assert.Equal("weight", Assert.Single(prelu.NamedParameters()).Name);
        var x = Tensor.FromArray([-4.0, 4, -8, 8, -2, 2], [1, 3, 2]);
        Assert.Equal([-1.0, 4, -2, 8, -0.5, 2], prelu.Forward(x).ToDoubleArray());
        Assert.Equal([-0.4, 4, -0.8, 8, -0.2, 2], new LeakyReLU(0.1).Forward(x).ToDoubleArray());
        Assert.Equal([Math.Exp(-4) - 1, 4], new ELU().Forward(Tensor.FromArray([-4.0, 4], [2])).ToDoubleArray());
        Assert.Equal(Math.Log(1 + Math.Exp(1.0)), new Softplus().Forward(Tensor.FromArray([1.0], [1])).Item(), 1e-15);
        Assert.Equal(30, new Softplus(beta: 1, threshold: 20).Forward(Tensor.FromArray([30.0], [1])).Item());
        Assert.Equal("LeakyReLU(negativeSlope=0.1)", new LeakyReLU(0.1).ToString());
        var ones = Tensor.Ones([4, 64], DType.Float64);
        Assert.NotEqual(new Dropout().Forward(ones).ToDoubleArray(), new Dropout().Forward(ones).ToDoubleArray());   // layers do not share a mask stream
    }

    [Fact]
    public void SqueezeExcitationByHand()
    {
        // C = 2, reduction 2 → hidden 1. x: channel 0 = [1, 3] (mean 2), channel 1 = [2, 6] (mean 4).
        var se = new SeBlock(2, reduction: 2);
        Assert.Equal(1, se.Hidden);
        se.Fc1.Weight.CopyFrom(Tensor.FromArray([0.5f, -0.25f], [1, 2]));
        se.Fc1.Bias!.CopyFrom(Tensor.FromArray([0.5f], [1]));
        se.Fc2.Weight.CopyFrom(Tensor.FromArray([2f, -1f], [2, 1]));
        se.Fc2.Bias!.CopyFrom(Tensor.FromArray([0f, 1f], [2]));
        var x = Tensor.FromArray([1f, 3f, 2f, 6f], [1, 2, 1, 2]);
        // z = relu(0.5·2 - 0.25·4 + 0.5) = 0.5; a = σ([2·0.5 + 0, -1·0.5 + 1]) = σ([1, 0.5])
        double a0 = 1 / (1 + Math.Exp(-1.0)), a1 = 1 / (1 + Math.Exp(-0.5));
        Tolerant.Equal("se", se.Forward(x).ToDoubleArray(), [1 * a0, 3 * a0, 2 * a1, 6 * a1], 1e-6, 1e-6);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], se.NamedParameters().Select(p => p.Name));
        // negative pre-activation: relu(1 - 1 - 5) = 0, so a = σ(fc2 bias) = σ([0, 1]) = [0.5, σ(1)]
        se.Fc1.Bias!.CopyFrom(Tensor.FromArray([-5f], [1]));
        Tolerant.Equal("se relu cut", se.Forward(x).ToDoubleArray(), [0.5, 1.5, 2 * a0, 6 * a0], 1e-6, 1e-6);
    }
}
