using Hubel.Nn;
using Hubel.Nn.Layers;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Nn;

/// <summary>ReLU after a max pool gives the layers' values and gradients, ties and non-positive windows included.</summary>
public class ReluPoolTests
{
    [Theory]
    [InlineData(DType.Float32)]
    [InlineData(DType.Float64)]
    public void Relu_after_the_pool_matches_relu_before_it_in_values_and_gradients(DType dtype)
    {
        var rng = new Rng(7);
        var values = Tensor.Uniform([3, 2, 6, 6], -1, 1, rng, dtype).ToDoubleArray();
        // Windows with ties among positive values, an all-negative window, a window whose maximum is exactly 0.
        values[0] = 0.5; values[1] = 0.5; values[6] = 0.5; values[7] = -0.25;
        values[2] = -1; values[3] = -2; values[8] = -3; values[9] = -0.5;
        values[4] = 0; values[5] = -1; values[10] = 0; values[11] = -2;
        var dy = Tensor.Uniform([3, 2, 3, 3], -1, 1, rng, dtype);
        var a = Tensor.FromArray(values, [3, 2, 6, 6]).To(dtype).RequireGrad();
        var b = Tensor.FromArray(values, [3, 2, 6, 6]).To(dtype).RequireGrad();
        var fused = ReluPool.Call(a, new ReLU(), new MaxPool2d(2));
        var layered = F.MaxPool2d(F.Relu(b), 2);
        Assert.Equal(layered.ToDoubleArray(), fused.ToDoubleArray());
        fused.Backward(dy);
        layered.Backward(dy);
        Assert.Equal(b.Grad!.ToDoubleArray(), a.Grad!.ToDoubleArray());
        Assert.Equal("relu", fused.GradFn!.Name);
    }
}
