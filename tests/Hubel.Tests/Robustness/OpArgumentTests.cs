using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Robustness;

/// <summary>Cases 1–22 of docs/ROBUSTNESS.md: op arguments out of range end in an argument exception that names
/// the argument and the expected range, before any work is done.</summary>
public class OpArgumentTests
{
    private static readonly Tensor X = Tensor.Ones([1, 2, 5, 5]);
    private static readonly Tensor W = Tensor.Ones([4, 2, 3, 3]);

    [Fact] public void R01_conv_stride_zero() => Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, W, stride: 0), "stride", ">= 1");
    [Fact] public void R02_conv_stride_negative() => Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, W, stride: (1, -2)), "stride", ">= 1", "-2");
    [Fact] public void R03_conv_dilation_zero() => Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, W, dilation: 0), "dilation", ">= 1");
    [Fact] public void R04_conv_empty_filter() => Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, Tensor.Ones([4, 2, 0, 3])), "weight", ">= 1");
    [Fact] public void R05_conv_kernel_larger_than_padded_input() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, Tensor.Ones([4, 2, 7, 7]), padding: 0), "weight", "larger than the padded input");
    [Fact] public void R06_conv_groups_not_dividing_channels() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(Tensor.Ones([1, 3, 5, 5]), Tensor.Ones([4, 1, 3, 3]), groups: 2), "groups", "must divide", "(3)");
    [Fact] public void R07_conv_negative_padding() => Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, W, padding: -1), "padding", ">= 0");
    [Fact] public void R08_conv_padding_so_large_the_output_overflows() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv2d(X, W, padding: int.MaxValue), "padding", "output size");

    [Fact]
    public void R09_conv_huge_stride_is_valid_and_gives_one_output()
    {
        // Not an error (PyTorch agrees): a stride past the input leaves exactly one window. What must not happen is overflow.
        var y = F.Conv2d(X, W, stride: int.MaxValue);
        Assert.Equal([1, 4, 1, 1], y.ShapeArray);
        Assert.Equal(18f, y.ToFloatArray()[0]);
    }

    [Fact] public void R10_conv1d_stride_zero() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv1d(Tensor.Ones([1, 2, 8]), Tensor.Ones([3, 2, 3]), stride: 0), "stride", ">= 1");
    [Fact] public void R11_conv3d_dilation_zero() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.Conv3d(Tensor.Ones([1, 1, 4, 4, 4]), Tensor.Ones([1, 1, 2, 2, 2]), dilation: 0), "dilation", ">= 1");
    [Fact] public void R12_pool_stride_zero() => Expect.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(X, 2, stride: 0), "stride", ">= 1");
    [Fact] public void R13_pool_output_size_below_one() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.AvgPool2d(X, 6), null, "larger than the padded input");
    [Fact] public void R14_pool_padding_over_half_the_kernel() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.MaxPool2d(X, 2, padding: 2), "padding", "at most half the kernel");

    [Fact]
    public void R15_unpool_index_out_of_range()
    {
        var indices = Tensor.FromArray(new float[] { 0, 1, 2, 99 }, [1, 1, 2, 2]);
        Expect.Throws<ArgumentOutOfRangeException>(() => F.MaxUnpool2d(Tensor.Ones([1, 1, 2, 2]), indices, 2), "indices", "[0, 16)", "99");
    }

    [Fact] public void R16_unpool_indices_of_the_wrong_shape() =>
        Expect.Throws<ArgumentException>(() => F.MaxUnpool2d(Tensor.Ones([1, 1, 2, 2]), Tensor.Zeros([1, 1, 2, 3]), 2), "indices", "input's shape");

    [Fact]
    public void R17_gradient_of_the_wrong_shape()
    {
        var a = Tensor.Ones([2, 3]);
        a.RequiresGrad = true;
        var y = F.Mul(a, a);
        Expect.Throws<ArgumentException>(() => y.Backward(Tensor.Ones([3, 2])), "seed", "[3, 2]", "[2, 3]");
    }

    [Fact] public void R18_element_count_overflows() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([65536, 65536, 65536]), "shape", "elements");
    [Fact] public void R19_byte_size_too_large_for_one_tensor() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => ShapeMath.ByteSize([int.MaxValue, 2], DType.Float64), "shape", "at most");
    [Fact] public void R20_negative_dimension() => Expect.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros([2, -1]), "shape", "dimension 1 is -1", ">= 0");
    [Fact] public void R21_reshape_to_a_different_element_count() =>
        Expect.Throws<ArgumentException>(() => Tensor.Ones([2, 3]).Reshape(4, 2), "shape", "6 elements", "[4, 2]");
    [Fact] public void R22_class_target_out_of_range() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.CrossEntropy(Tensor.Zeros([2, 3]), [0, 3]), "targets", "[0, 2]");
    [Fact] public void R23_shapes_that_do_not_broadcast() =>
        Expect.Throws<ArgumentException>(() => F.Add(Tensor.Ones([2, 3]), Tensor.Ones([4])), null, "cannot be broadcast", "[2, 3]", "[4]");
    [Fact] public void R24_embedding_index_out_of_range() =>
        Expect.Throws<ArgumentOutOfRangeException>(() => F.Embedding([0, 5], Tensor.Ones([5, 2])), "indices", "[0, 4]");
    [Fact] public void R25_thread_count_zero() => Expect.Throws<ArgumentOutOfRangeException>(() => CpuThreads.Count = 0, "value", "[1, 4096]");
}
