using Hubel.Nn.Layers;
using Hubel.Tensors;

namespace Hubel.Nn;

/// <summary>
/// pool(relu(x)) for a max pool, computed as relu(pool(x)) when nobody watches the layers' own outputs (no
/// <see cref="ForwardTrace"/>: summaries and ONNX export see the layers in the model's order). Max and ReLU commute:
/// max_i relu(x_i) = relu(max_i x_i), because ReLU is non-decreasing. The gradients agree too: where the window's maximum
/// is positive both orders send dy to the same (first) maximum; where it is zero or negative ReLU's derivative is 0 in
/// both (relu'(0) = 0, as PyTorch), so every input gets 0. After the pool the ReLU's forward and backward touch a
/// quarter of the elements (2x2 windows): LeNet-5's conv1 ReLU covers 64x6x14x14 values instead of 64x6x28x28.
/// </summary>
public static class ReluPool
{
    /// <summary>pool(relu(x)), in the cheaper order when that is unobservable.</summary>
    public static Tensor Call(Tensor x, ReLU relu, MaxPool2d pool)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(relu);
        ArgumentNullException.ThrowIfNull(pool);
        return ForwardTrace.Current is null ? relu.Call(pool.Call(x)) : pool.Call(relu.Call(x));
    }
}
