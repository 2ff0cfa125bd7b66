using Hubel.Autograd;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Autograd;

public class BackpropTests
{
    private static Tensor Leaf(params double[] values) => Tensor.FromArray(values, [values.Length]).RequireGrad();

    [Fact]
    public void A_tensor_used_twice_accumulates_both_contributions()
    {
        var x = Leaf(1, 2, 3);
        var y = (x * x + x * 3.0).Sum();   // dy/dx = 2x + 3
        y.Backward();
        Assert.Equal([5.0, 7, 9], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Gradients_accumulate_across_backward_calls_until_cleared()
    {
        var x = Leaf(1, 2);
        (x * 2.0).Sum().Backward();
        (x * 3.0).Sum().Backward();
        Assert.Equal([5.0, 5], x.Grad!.ToDoubleArray());
        x.Grad = null;
        (x * 4.0).Sum().Backward();
        Assert.Equal([4.0, 4], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Backward_on_a_non_scalar_without_a_gradient_is_a_clear_error()
    {
        var x = Leaf(1, 2);
        var e = Assert.Throws<InvalidOperationException>(() => (x * 2.0).Backward());
        Assert.Contains("scalar", e.Message);
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void Backward_on_a_non_scalar_with_a_seed_gradient_works()
    {
        var x = Leaf(1, 2);
        (x * x).Backward(Tensor.FromArray(new double[] { 1, 10 }, [2]));
        Assert.Equal([2.0, 40], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Seed_gradient_of_the_wrong_shape_is_rejected()
    {
        var x = Leaf(1, 2);
        Assert.Throws<ArgumentException>(() => (x * x).Backward(Tensor.Ones([3], DType.Float64)));
    }

    [Fact]
    public void Second_backward_through_a_freed_graph_is_a_clear_error()
    {
        var x = Leaf(1, 2);
        var y = (x * x).Sum();
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("second time", e.Message);
        Assert.Contains("retainGraph", e.Message);
    }

    [Fact]
    public void Retained_graph_allows_a_second_backward()
    {
        var x = Leaf(3);
        var y = (x * x).Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        Assert.Equal([12.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void No_grad_scope_records_nothing()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (Graph.NoGrad()) y = (x * x).Sum();
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
        Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.True(Graph.IsEnabled);
    }

    [Fact]
    public void Tensors_that_do_not_require_grad_get_none()
    {
        var x = Leaf(1, 2);
        var c = Tensor.FromArray(new double[] { 5, 6 }, [2]);
        (x * c).Sum().Backward();
        Assert.Null(c.Grad);
        Assert.Equal([5.0, 6], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Grad_fn_names_the_op_and_detach_cuts_the_graph()
    {
        var x = Leaf(1, 2);
        var y = F.Relu(x);
        Assert.Equal("relu", y.GradFn!.Name);
        Assert.False(y.IsLeaf);
        Assert.True(y.Detach().IsLeaf);
        Assert.False(y.Detach().RequiresGrad);
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
    }

    [Fact]
    public void Deep_chains_do_not_overflow_the_stack()
    {
        var x = Leaf(1);
        var y = x;
        for (int i = 0; i < 20000; i++) y = y + 1.0;
        y.Sum().Backward();
        Assert.Equal([1.0], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Broadcast_gradients_sum_back_to_the_input_shape()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, [2, 3]).RequireGrad();
        var b = Tensor.FromArray(new double[] { 10, 20, 30 }, [3]).RequireGrad();
        (a * b).Sum().Backward();
        Assert.Equal([5.0, 7, 9], b.Grad!.ToDoubleArray());
        Assert.Equal([10.0, 20, 30, 10, 20, 30], a.Grad!.ToDoubleArray());
    }
}
