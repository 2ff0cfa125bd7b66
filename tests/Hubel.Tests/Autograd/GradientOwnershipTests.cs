using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Autograd;

/// <summary>The backward pass adds a tensor's second and later gradient contributions in place and hands a leaf its first
/// gradient without a copy when no one else can hold that tensor. These pin down the cases where someone else does: the
/// caller's seed, the same gradient returned for two inputs (add), views of the incoming gradient (reshape), a retained graph.</summary>
public class GradientOwnershipTests
{
    private static Tensor Leaf(params double[] values) => Tensor.FromArray(values, [values.Length]).RequireGrad();
    private static Tensor Seed(params double[] values) => Tensor.FromArray(values, [values.Length]);

    [Fact]
    public void A_gradient_reused_twice_and_three_times_accumulates_every_contribution()
    {
        var x = Leaf(1, 2);
        var h = x * 2.0;                        // h is used three times: dy/dh = 1 + 1 + 2h
        ((h + h) + h * h).Sum().Backward();     // dy/dx = 2 (2 + 2h) = 4 + 8x
        Assert.Equal([12.0, 20], x.Grad!.ToDoubleArray());
        var z = Leaf(1, 2);
        (z * 2.0 + z * 3.0 + z * 4.0 + z).Sum().Backward();
        Assert.Equal([10.0, 10], z.Grad!.ToDoubleArray());
    }

    [Fact]
    public void The_callers_seed_is_never_written_into()
    {
        var x = Leaf(1, 2);
        var seed = Seed(1, 10);
        (x + x).Backward(seed);                 // add passes the seed on for both uses; the sum is a new tensor
        Assert.Equal([2.0, 20], x.Grad!.ToDoubleArray());
        Assert.Equal([1.0, 10], seed.ToDoubleArray());
        x.Backward(seed);                       // a leaf as the root: its gradient is the seed, copied
        x.Backward(seed);
        Assert.Equal([4.0, 40], x.Grad!.ToDoubleArray());
        Assert.Equal([1.0, 10], seed.ToDoubleArray());
        var a = Leaf(0, 0);
        a.Backward(seed);
        a.Grad!.Span<double>()[0] = 99;
        Assert.Equal([1.0, 10], seed.ToDoubleArray());
    }

    [Fact]
    public void Two_inputs_that_receive_the_same_gradient_tensor_get_separate_gradients()
    {
        var a = Leaf(1, 2);
        var b = Leaf(3, 4);
        (a + b).Sum().Backward();
        Assert.False(ReferenceEquals(a.Grad!.Storage, b.Grad!.Storage));
        (a * 5.0).Sum().Backward();             // accumulates into a's gradient only
        Assert.Equal([6.0, 6], a.Grad!.ToDoubleArray());
        Assert.Equal([1.0, 1], b.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Views_of_a_gradient_are_not_taken_over()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, [2, 2]).RequireGrad();
        var m = x * 3.0;
        var r = m.Reshape(4);                   // reshape's gradient is a view of the gradient it receives
        (r + r * r).Sum().Backward();           // dy/dm = 1 + 2m, dy/dx = 3 (1 + 6x)
        Assert.Equal([21.0, 39, 57, 75], x.Grad!.ToDoubleArray());
        var y = Leaf(1, 2, 3, 4);
        var seed = Seed(1, 2, 3, 4);
        y.Reshape(2, 2).Reshape(4).Backward(seed);
        y.Grad!.Span<double>()[0] = 5;
        Assert.Equal([1.0, 2, 3, 4], seed.ToDoubleArray());
    }

    [Fact]
    public void A_retained_graph_gives_the_same_gradients_on_every_pass()
    {
        var x = Leaf(1, 2);
        var h = x * x;
        var y = (h + h * 3.0).Sum();            // dy/dx = 8x
        y.Backward(retainGraph: true);
        Assert.Equal([8.0, 16], x.Grad!.ToDoubleArray());
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal([24.0, 48], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Float32_training_gradients_match_inside_a_memory_scope()
    {
        var rng = new Rng(3);
        var w = Tensor.Uniform([4, 3], -1, 1, rng).RequireGrad();
        var x = Tensor.Uniform([5, 3], -1, 1, rng);
        Tensor Loss() { var h = F.Linear(x, w); return (h * h + h).Sum(); }
        Loss().Backward();
        var expected = w.Grad!.ToFloatArray();
        w.Grad = null;
        for (int step = 0; step < 3; step++)
        {
            using var scope = MemoryScope.Begin();
            w.Grad = null;
            Loss().Backward();
            scope.Keep(w.Grad);
        }
        Assert.Equal(expected, w.Grad!.ToFloatArray());
    }
}
