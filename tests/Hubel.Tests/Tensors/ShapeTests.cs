using Hubel.Tensors;

namespace Hubel.Tests.Tensors;

public class ShapeTests
{
    [Fact]
    public void Numel_of_a_shape_that_overflows_int64_throws_instead_of_wrapping()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ShapeMath.Numel([int.MaxValue, int.MaxValue, int.MaxValue]));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("64 bits", e.Message);
    }

    [Fact]
    public void Numel_beyond_one_array_throws_naming_the_limit()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([65536, 65536]));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("at most", e.Message);
    }

    [Fact]
    public void Byte_size_is_checked()
    {
        Assert.Equal(24L, ShapeMath.ByteSize([2, 3], DType.Float32));
        Assert.Equal(48L, ShapeMath.ByteSize([2, 3], DType.Float64));
    }

    [Fact]
    public void Negative_dimension_throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, -1]));
        Assert.Equal("shape", e.ParamName);
    }

    [Fact]
    public void Broadcast_follows_numpy_rules_and_names_incompatible_shapes()
    {
        Assert.Equal([4, 3, 5], ShapeMath.Broadcast([3, 1], [4, 1, 5]));
        var e = Assert.Throws<ArgumentException>(() => ShapeMath.Broadcast([3, 2], [4]));
        Assert.Contains("[3, 2]", e.Message);
        Assert.Contains("[4]", e.Message);
    }

    [Fact]
    public void Contiguous_strides_are_row_major()
    {
        Assert.Equal([60, 20, 5, 1], ShapeMath.ContiguousStrides([2, 3, 4, 5]));
    }

    [Fact]
    public void Seeded_generator_is_reproducible_and_uniform_in_range()
    {
        var a = Tensor.Uniform([1000], -2, 3, new Rng(42)).ToFloatArray();
        var b = Tensor.Uniform([1000], -2, 3, new Rng(42)).ToFloatArray();
        Assert.Equal(a, b);
        Assert.All(a, v => Assert.InRange(v, -2f, 3f));
        Assert.InRange(a.Average(), 0.3, 0.7);
        var normal = Tensor.Normal([20000], 1, 2, new Rng(3)).ToDoubleArray();
        double mean = normal.Average(), std = Math.Sqrt(normal.Select(v => (v - mean) * (v - mean)).Average());
        Assert.InRange(mean, 0.95, 1.05);
        Assert.InRange(std, 1.95, 2.05);
    }

    [Fact]
    public void Permutation_is_a_permutation()
    {
        var p = new Rng(5).Permutation(100);
        Assert.Equal(Enumerable.Range(0, 100), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), p);
    }
}
