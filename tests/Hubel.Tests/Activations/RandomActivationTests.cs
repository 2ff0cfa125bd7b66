using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Activations;

/// <summary>Statistics of the random ops (dropout, dropout2d, rrelu) and their train/eval behaviour; their registry
/// samples fix the generator, so the generic tests check the values and these check the distribution.</summary>
public class RandomActivationTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void DropoutDropsAboutPAndPreservesTheMean(double p)
    {
        const int n = 200_000;
        var y = F.Dropout(Tensor.Ones([n], DType.Float64), p, training: true, rng: new Rng(42)).ToDoubleArray();
        double dropped = y.Count(v => v == 0) / (double)n;
        double sigma = Math.Sqrt(p * (1 - p) / n);
        Assert.InRange(dropped, p - 5 * sigma, p + 5 * sigma);
        Assert.All(y, v => Assert.True(v == 0 || Math.Abs(v - 1 / (1 - p)) < 1e-12));
        Assert.InRange(y.Average(), 1 - 5 * sigma / (1 - p), 1 + 5 * sigma / (1 - p));
    }

    [Fact]
    public void DropoutEdgeProbabilitiesAndEval()
    {
        var x = Tensor.Uniform([4, 5], -1, 1, new Rng(1), DType.Float64);
        Assert.All(F.Dropout(x, 1, training: true, rng: new Rng(1)).ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.Equal(x.ToDoubleArray(), F.Dropout(x, 0, training: true, rng: new Rng(1)).ToDoubleArray());
        Assert.Equal(x.ToDoubleArray(), F.Dropout(x, 0.9, training: false).ToDoubleArray());
        var layer = new Dropout(0.5, new Rng(3));
        Assert.Contains(layer.Forward(x).ToDoubleArray(), v => v == 0);
        layer.Eval();
        Assert.Equal(x.ToDoubleArray(), layer.Forward(x).ToDoubleArray());
        Assert.Equal("p", Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.1)).ParamName);
    }

    [Fact]
    public void DropoutGradientUsesTheSameMask()
    {
        var x = Tensor.Uniform([50], 0.5, 1, new Rng(2), DType.Float64).RequireGrad();
        var y = F.Dropout(x, 0.4, training: true, rng: new Rng(9));
        y.Sum().Backward();
        var values = y.ToDoubleArray();
        var grads = x.Grad!.ToDoubleArray();
        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i] == 0 ? 0 : 1 / 0.6, grads[i], 1e-12);
    }

    [Fact]
    public void Dropout2dZeroesWholeChannels()
    {
        const double p = 0.5;
        var x = Tensor.Uniform([64, 32, 3, 3], 0.5, 1, new Rng(4), DType.Float64);
        var y = F.Dropout2d(x, p, training: true, rng: new Rng(5));
        int dropped = 0;
        for (int n = 0; n < 64; n++)
            for (int c = 0; c < 32; c++)
            {
                var plane = y.Slice(0, n, n + 1).Slice(1, c, c + 1).ToDoubleArray();
                var source = x.Slice(0, n, n + 1).Slice(1, c, c + 1).ToDoubleArray();
                bool zero = plane.All(v => v == 0);
                Assert.True(zero || plane.Zip(source).All(q => Math.Abs(q.First - q.Second * 2) < 1e-12), $"plane {n},{c} partly dropped");
                if (zero) dropped++;
            }
        double sigma = Math.Sqrt(p * (1 - p) / (64 * 32));
        Assert.InRange(dropped / (64.0 * 32), p - 5 * sigma, p + 5 * sigma);
        var layer = new Dropout2d(0.5, new Rng(1));
        layer.Eval();
        Assert.Equal(x.ToDoubleArray(), layer.Forward(x).ToDoubleArray());
    }

    [Fact]
    public void RreluSlopesAreUniformBetweenLowerAndUpper()
    {
        const int n = 100_000;
        double lower = 0.1, upper = 0.3;
        var y = F.Rrelu(Tensor.Full([n], -1, DType.Float64), lower, upper, training: true, rng: new Rng(8)).ToDoubleArray();
        var slopes = y.Select(v => -v).ToArray();
        Assert.All(slopes, a => Assert.InRange(a, lower, upper));
        double sd = (upper - lower) / Math.Sqrt(12 * n);
        Assert.InRange(slopes.Average(), (lower + upper) / 2 - 5 * sd, (lower + upper) / 2 + 5 * sd);
        double variance = slopes.Select(a => (a - 0.2) * (a - 0.2)).Average();
        Assert.Equal((upper - lower) * (upper - lower) / 12, variance, 1e-4);
        // positive inputs pass unchanged
        Assert.All(F.Rrelu(Tensor.Full([100], 2, DType.Float64), lower, upper, training: true, rng: new Rng(1)).ToDoubleArray(), v => Assert.Equal(2, v));
    }

    [Fact]
    public void RreluEvalIsLeakyReluWithTheMeanSlope()
    {
        var x = Tensor.Uniform([3, 7], -2, 2, new Rng(6), DType.Float64);
        Assert.Equal(F.LeakyRelu(x, (0.1 + 0.3) / 2).ToDoubleArray(), F.Rrelu(x, 0.1, 0.3, training: false).ToDoubleArray());
        var layer = new RReLU(0.1, 0.3, new Rng(2));
        var train = layer.Forward(x).ToDoubleArray();
        layer.Eval();
        var eval = layer.Forward(x).ToDoubleArray();
        Assert.Equal(F.LeakyRelu(x, 0.2).ToDoubleArray(), eval);
        Assert.NotEqual(eval, train);
    }
}
