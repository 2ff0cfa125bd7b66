using Hubel.Autograd;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Autograd;

/// <summary>GradCheck itself: it passes correct gradients, catches a wrong one and says where, and leaves its inputs as it found them.</summary>
public class GradCheckTests
{
    private static Tensor Leaf(int[] shape, ulong seed) => Tensor.Uniform(shape, -1, 1, new Rng(seed), DType.Float64).RequireGrad();

    /// <summary>y = x², with a backward rule that forgets the factor 2 at flat index 3 only.</summary>
    private static Tensor BrokenSquare(Tensor x)
    {
        var y = F.Mul(x.Detach(), x.Detach());
        return Graph.Record(y, "broken_square", [x], g =>
        {
            var d = F.Scale(F.Mul(g, x.Detach()), 2).ToDoubleArray();
            d[3] /= 2;
            return [Tensor.FromArray(d, x.Shape.ToArray())];
        });
    }

    [Fact]
    public void Passes_correct_gradients_of_several_inputs()
    {
        var a = Leaf([3, 4], 1);
        var b = Leaf([4, 2], 2);
        var result = GradCheck.Check(t => F.Tanh(F.MatMul(t[0], t[1])), [a, b]);
        Assert.True(result.Passed, result.Message);
        Assert.True(result.MaxAbsError < 1e-7, result.Message);
        Assert.Equal(-1, result.InputIndex);
    }

    [Fact]
    public void Catches_a_wrong_gradient_and_names_the_element()
    {
        var other = Leaf([2], 4);
        var x = Leaf([2, 3], 3);
        var result = GradCheck.Check(t => F.Add(BrokenSquare(t[1]), F.Sum(t[0])), [other, x]);
        Assert.False(result.Passed);
        Assert.Equal(1, result.InputIndex);
        Assert.Equal(3, result.ElementIndex);
        Assert.Contains("[1, 0]", result.Message);
        Assert.Equal(2 * result.Analytic, result.Numeric, 1e-6);
    }

    [Fact]
    public void Skips_inputs_that_do_not_require_grad_and_restores_values_and_grads()
    {
        var x = Leaf([5], 5);
        var c = Tensor.Uniform([5], -1, 1, new Rng(6), DType.Float64);
        var before = x.ToDoubleArray();
        var previous = Tensor.Ones([5], DType.Float64);
        x.Grad = previous;
        var result = GradCheck.Check(t => F.Mul(t[0], t[1]), [x, c]);
        Assert.True(result.Passed, result.Message);
        Assert.Equal(before, x.ToDoubleArray());
        Assert.Same(previous, x.Grad);
        Assert.Null(c.Grad);
    }

    [Fact]
    public void Works_on_a_non_contiguous_leaf()
    {
        var x = Leaf([3, 4], 7).Detach().Transpose(0, 1).RequireGrad();
        Assert.False(x.IsContiguous);
        var result = GradCheck.Check(t => F.Softmax(t[0], 1), [x]);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Rejects_float32_and_non_leaf_inputs()
    {
        var f32 = Tensor.Zeros([2], DType.Float32).RequireGrad();
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t[0], [f32])).ParamName);
        var nonLeaf = F.Scale(Leaf([2], 8), 2);
        Assert.Equal("inputs", Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t[0], [nonLeaf])).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.Check(t => t[0], [Leaf([2], 9)], eps: 0)).ParamName);
    }
}
