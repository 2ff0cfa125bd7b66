using Hubel.Backends;
using Hubel.Backends.Cpu;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Backends;

/// <summary>The backend seam: devices by name, and the CPU backend's primitives against plain loops or the ops
/// (which themselves go through the seam for GEMM and conv2d).</summary>
public class CpuBackendTests
{
    private static readonly IBackend Cpu = Backend.For(Device.Cpu);

    [Fact]
    public void Devices_parse_and_print_as_pytorch_spells_them()
    {
        Assert.Equal(Device.Cpu, Device.Parse("cpu"));
        Assert.Equal(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.Equal("cuda:0", Device.Parse("CUDA").ToString());
        Assert.Equal("cpu", Cpu.Device.ToString());
        Assert.Throws<ArgumentException>(() => Device.Parse("tpu"));
        Assert.Throws<ArgumentException>(() => Device.Parse("cuda:-1"));
        var e = Assert.Throws<NotSupportedException>(() => Backend.For(Device.Cuda()));
        Assert.Contains("cuda:0", e.Message);
    }

    [Fact]
    public void Gemm_with_transposed_a_matches_loops()
    {
        // A stored [k, m] = [3, 2], B [k, n] = [3, 2]: C = Aᵀ B.
        float[] a = [1, 2, 3, 4, 5, 6], b = [1, 0, 0, 1, 1, 1];
        var c = Cpu.Allocate<float>(4, zeroed: true);
        Cpu.Gemm<float>(true, false, 2, 2, 3, a, 2, b, 2, c, 2, accumulate: false);
        Assert.Equal([1 + 5, 3 + 5, 2 + 6, 4 + 6], c.ToArray());
        Cpu.Gemm<float>(true, false, 2, 2, 3, a, 2, b, 2, c, 2, accumulate: true);
        Assert.Equal([12f, 16, 16, 20], c.ToArray());
    }

    [Fact]
    public void Conv2d_forward_through_the_backend_is_the_notes_worked_example()
    {
        // The notes' example: [[2,5,0,1],[3,1,4,2],[0,2,3,1],[1,4,0,2]] ⋆ [[1,0,1],[0,-1,0],[1,0,-1]] (checked against F.Conv2d).
        var x = Tensor.FromArray(new float[] { 2, 5, 0, 1, 3, 1, 4, 2, 0, 2, 3, 1, 1, 4, 0, 2 }, [1, 1, 4, 4]);
        var w = Tensor.FromArray(new float[] { 1, 0, 1, 0, -1, 0, 1, 0, -1 }, [1, 1, 3, 3]);
        var expected = F.Conv2d(x, w).ToFloatArray();
        var y = Cpu.Allocate<float>(4, zeroed: false);
        var g = new ConvGeometry(1, 1, 4, 4, 3, 3, 1, 1, 1, 1, 0, 0, 2, 2);
        Cpu.Conv2dForward<float>(x.ToFloatArray(), w.ToFloatArray(), null, y, g, 1, 1);
        Assert.Equal(expected, y.ToArray());
        var dx = Cpu.Allocate<float>(16, zeroed: true);
        var dw = Cpu.Allocate<float>(9, zeroed: false);
        Cpu.Conv2dBackward<float>(x.ToFloatArray(), w.ToFloatArray(), new float[] { 1, 1, 1, 1 }, dx, dw, null, g, 1, 1);
        // dW[i,j] = sum of the 2x2 input window at (i, j); dX[0,0] = w[0,0].
        Assert.Equal(2 + 5 + 3 + 1, dw.Span[0]);
        Assert.Equal(1, dx.Span[0]);
    }

    [Fact]
    public void Pooling_activation_binary_and_sum_delegate_to_the_kernels()
    {
        var g = new ConvGeometry(1, 1, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0, 1, 1);
        var y = new float[1];
        var argmax = new int[1];
        Cpu.MaxPool2dForward<float>(new float[] { 1, 7, 3, 2 }, y, argmax, g);
        Assert.Equal(7, y[0]);
        var dx = new float[4];
        Cpu.MaxPool2dBackward<float>(new float[] { 5 }, argmax, dx, g);
        Assert.Equal([0f, 5, 0, 0], dx);

        var r = new float[3];
        Cpu.ActivationForward<ReluActivation, float>(new float[] { -1, 0.5f, 2 }, r);
        Assert.Equal([0f, 0.5f, 2], r);
        Cpu.Binary<MulOp, float>(new float[] { 1, 2, 3 }, new float[] { 4, 5, 6 }, r);
        Assert.Equal([4f, 10, 18], r);
        Assert.Throws<ArgumentException>(() => Cpu.Binary<AddOp, float>(new float[2], new float[3], new float[2]));

        var sums = new float[2];
        Cpu.Sum<float>(new float[] { 1, 2, 3, 4, 5, 6 }, 1, 3, 2, sums);   // [1, 3, 2] summed over the middle axis
        Assert.Equal([9f, 12], sums);
    }
}
