using Hubel.Autograd;
using Hubel.Models;
using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Memory;

/// <summary>The fused conv(-BN)(-add)-ReLU inference path must give what the layers give one by one.</summary>
public class FusedInferenceTests
{
    private static (float[] Fused, float[] Unfused) Both(Module model, Tensor x)
    {
        model.Eval();
        using var _ = Graph.NoGrad();
        var fused = model.Forward(x).ToFloatArray();
        float[] unfused;
        using (FusedInference.Disable()) unfused = model.Forward(x).ToFloatArray();
        return (fused, unfused);
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance = 1e-5)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(v => Math.Abs(v)));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"element {i}: fused {actual[i]}, unfused {expected[i]}");
        Assert.Contains(expected, v => v != 0);
    }

    /// <summary>Gives batch norm non-trivial running statistics and affine parameters, as after training.</summary>
    private static void RandomiseBatchNorms(Module model, Rng rng)
    {
        foreach (var (_, m) in model.NamedModules())
            if (m is BatchNorm bn)
            {
                bn.RunningMean!.CopyFrom(Tensor.Normal([bn.NumFeatures], 0, 0.5, rng));
                bn.RunningVar!.CopyFrom(Tensor.Uniform([bn.NumFeatures], 0.5, 2.0, rng));
                bn.Weight!.CopyFrom(Tensor.Uniform([bn.NumFeatures], 0.5, 1.5, rng));
                bn.Bias!.CopyFrom(Tensor.Normal([bn.NumFeatures], 0, 0.3, rng));
            }
    }

    [Fact]
    public void LeNet5_fused_equals_layer_by_layer()
    {
        var rng = new Rng(21);
        var model = new LeNet5(rng: rng);
        var (fused, unfused) = Both(model, Tensor.Normal([3, 1, 28, 28], 0, 1, rng));
        AssertClose(unfused, fused);
    }

    [Fact]
    public void Conv_batchnorm_relu_chain_in_a_Sequential_is_fused_and_equal()
    {
        var rng = new Rng(22);
        var model = new Sequential(
            new Conv2d(3, 8, 3, padding: Padding.Explicit(1), rng: rng), new BatchNorm2d(8), new ReLU(),
            new Conv2d(8, 8, 3, stride: 2, rng: rng), new BatchNorm2d(8),      // BN without ReLU
            new Conv2d(8, 4, 1, rng: rng), new ReLU());                       // ReLU without BN
        RandomiseBatchNorms(model, rng);
        model.Eval();
        using (Graph.NoGrad()) Assert.True(FusedInference.Applies((Conv2d)model[0], (BatchNorm2d)model[1]));
        var (fused, unfused) = Both(model, Tensor.Normal([2, 3, 12, 12], 0, 1, rng));
        AssertClose(unfused, fused);
    }

    [Fact]
    public void ResNet20_fused_equals_layer_by_layer()
    {
        var rng = new Rng(23);
        var model = new ResNetCifar(20, rng: rng);
        RandomiseBatchNorms(model, rng);
        var (fused, unfused) = Both(model, Tensor.Normal([2, 3, 32, 32], 0, 1, rng));
        AssertClose(unfused, fused);
    }

    [Fact]
    public void Training_mode_or_the_tape_turns_fusion_off()
    {
        var rng = new Rng(24);
        var conv = new Conv2d(2, 3, 3, rng: rng);
        var bn = new BatchNorm2d(3);
        conv.Eval(); bn.Eval();
        Assert.False(FusedInference.Applies(conv, bn));   // the tape is on: gradients must flow layer by layer
        var y = FusedInference.ConvBnRelu(Tensor.Normal([1, 2, 5, 5], 0, 1, rng), conv, bn, new ReLU());
        Assert.NotNull(y.GradFn);
        using (Graph.NoGrad())
        {
            Assert.True(FusedInference.Applies(conv, bn));
            bn.Train();
            Assert.False(FusedInference.Applies(conv, bn));   // batch statistics: nothing to fold
            using (ForwardTrace.Start()) Assert.False(FusedInference.Applies(conv));   // a trace wants every layer's output
        }
    }

    [Fact]
    public void The_fused_kernel_rejects_a_residual_of_the_wrong_shape()
    {
        var rng = new Rng(25);
        var x = Tensor.Normal([1, 2, 5, 5], 0, 1, rng);
        var w = Tensor.Normal([3, 2, 3, 3], 0, 1, rng);
        using var _ = Graph.NoGrad();
        var ex = Assert.Throws<ArgumentException>(() =>
            F.Conv2dInference(x, w, null, null, Tensor.Zeros([1, 3, 5, 5]), relu: true, 1, Padding.Valid, 1, 1));
        Assert.Equal("residual", ex.ParamName);
    }

    [Theory]
    [InlineData(1, 400, 120)]   // LeNet-5 fc1 at batch 1: 8-row W blocks
    [InlineData(1, 84, 13)]     // a lone row with 5 W rows left and k % 8 = 4
    [InlineData(5, 19, 7)]      // row pairs and a lone row, W rows in fours
    public void Linear_relu_fused_equals_relu_of_linear(int rows, int inFeatures, int outFeatures)
    {
        var rng = new Rng(23);
        var fc = new Linear(inFeatures, outFeatures, rng: rng);
        var relu = new ReLU();
        var x = Tensor.Normal([rows, inFeatures], 0, 1, rng);
        using var _ = Graph.NoGrad();
        var fused = FusedInference.LinearRelu(x, fc, relu).ToFloatArray();
        var plain = relu.Call(fc.Call(x)).ToFloatArray();
        Assert.Equal(plain, fused);
        Assert.Contains(fc.Call(x).ToFloatArray(), v => v < 0);
    }

    [Fact]
    public void Linear_relu_with_the_tape_runs_the_layers_and_passes_gradients()
    {
        var rng = new Rng(24);
        var fc = new Linear(6, 4, rng: rng);
        var x = Tensor.Normal([2, 6], 0, 1, rng).RequireGrad();
        FusedInference.LinearRelu(x, fc, new ReLU()).Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.NotNull(fc.Weight.Grad);
        Assert.Throws<InvalidOperationException>(() => F.LinearReluInference(x, fc.Weight, fc.Bias));
    }
}
