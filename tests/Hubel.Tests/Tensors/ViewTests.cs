using Hubel.Tensors;

namespace Hubel.Tests.Tensors;

public class ViewTests
{
    private static Tensor Arange(params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), shape);
    }

    [Fact]
    public void Reshape_of_a_contiguous_tensor_shares_storage()
    {
        var x = Arange(2, 3, 4);
        var y = x.Reshape(6, -1);
        Assert.Equal([6, 4], y.Shape.ToArray());
        Assert.Same(x.Storage, y.Storage);
        Assert.Equal(x.ToFloatArray(), y.ToFloatArray());
    }

    [Fact]
    public void Reshape_rejects_wrong_counts_and_two_inferred_dims()
    {
        var x = Arange(2, 3);
        Assert.Throws<ArgumentException>(() => x.Reshape(4, 2));
        Assert.Throws<ArgumentException>(() => x.Reshape(-1, -1));
    }

    [Fact]
    public void Permute_is_a_view_and_contiguous_copies_in_logical_order()
    {
        var x = Arange(2, 3);
        var t = x.Transpose(0, 1);
        Assert.Same(x.Storage, t.Storage);
        Assert.False(t.IsContiguous);
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.ToFloatArray());
        var c = t.Contiguous();
        Assert.True(c.IsContiguous);
        Assert.Equal([0f, 3, 1, 4, 2, 5], c.ToFloatArray());
        Assert.Equal(4.0, t[1, 1]);
    }

    [Fact]
    public void Reshape_of_a_permuted_tensor_copies()
    {
        var t = Arange(2, 3).Transpose(0, 1).Reshape(6);
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.ToFloatArray());
    }

    [Fact]
    public void Slice_with_step_is_a_view()
    {
        var x = Arange(4, 5);
        var s = x.Slice(1, 1, 5, 2);
        Assert.Same(x.Storage, s.Storage);
        Assert.Equal([4, 2], s.Shape.ToArray());
        Assert.Equal([1f, 3, 6, 8, 11, 13, 16, 18], s.ToFloatArray());
        Assert.Equal([10f, 11, 12, 13, 14], x.Slice(0, -2, -1).ToFloatArray());
    }

    [Fact]
    public void Flatten_keeps_the_batch_by_default()
    {
        var x = Arange(2, 3, 4, 5);
        Assert.Equal([2, 60], x.Flatten().Shape.ToArray());
        Assert.Equal([6, 4, 5], x.Flatten(0, 1).Shape.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => x.Flatten(3, 1));
    }

    [Fact]
    public void Broadcast_to_uses_zero_strides()
    {
        var x = Arange(3, 1);
        var b = x.BroadcastTo(2, 3, 4);
        Assert.Equal(0, b.Strides[0]);
        Assert.Equal(0, b.Strides[2]);
        Assert.Equal(2.0, b[1, 2, 3]);
        Assert.Throws<ArgumentException>(() => x.BroadcastTo(2, 4));
    }

    [Fact]
    public void Gradients_flow_back_through_views()
    {
        var x = Arange(2, 3).To(DType.Float64).Detach().RequireGrad();
        var y = x.Transpose(0, 1).Slice(0, 1, 3).Reshape(4);
        (y * Tensor.FromArray(new double[] { 1, 2, 3, 4 }, [4])).Sum().Backward();
        // y = [x01, x11, x02, x12] -> weights 1,2,3,4
        Assert.Equal([0.0, 1, 3, 0, 2, 4], x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void Out_of_range_dims_and_indices_name_the_argument()
    {
        var x = Arange(2, 3);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => x.Size(2)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => x[2, 0]).ParamName);
        Assert.Equal("dims", Assert.Throws<ArgumentException>(() => x.Permute(0, 0)).ParamName);
    }
}
