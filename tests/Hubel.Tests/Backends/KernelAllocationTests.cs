using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Tests.Backends;

[CollectionDefinition(nameof(AllocationCollection), DisableParallelization = true)]
public sealed class AllocationCollection;

/// <summary>Warm kernels allocate their result tensors and (almost) nothing else: im2col columns, padded planes and GEMM
/// panels are per-thread scratch reused across calls, and max pooling keeps no argmax array. Counted over all threads
/// (the kernels run on the worker pool), so this class runs alone.</summary>
[Collection(nameof(AllocationCollection))]
public class KernelAllocationTests
{
    private const long Slack = 160 * 1024;   // autograd nodes, closures, per-call partial weight gradients, pooled GEMM panels missing a thread cache

    /// <summary>The least any of three warm steps allocated. One step can land on a worker thread the pool has just
    /// added (under load the thread pool grows) whose per-thread scratch is still empty, or follow a gen-2 collection that
    /// trimmed ArrayPool.Shared; a kernel that allocates on every call shows in all three.</summary>
    private static long Allocated(Action step)
    {
        for (int i = 0; i < 3; i++) step();   // warm: scratch buffers grow to size, code is jitted
        long least = long.MaxValue;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            step();
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return least;
    }

    [Theory]
    [InlineData(ConvAlgorithm.Im2colGemm, 6, 14, 16, 0)]     // LeNet conv2
    [InlineData(ConvAlgorithm.SmallChannels, 1, 28, 6, 2)]   // LeNet conv1
    [InlineData(ConvAlgorithm.SmallChannels, 16, 12, 16, 2)] // the float32 direct engine with 16 channels
    [InlineData(ConvAlgorithm.Pointwise, 16, 10, 32, 0)]
    [InlineData(ConvAlgorithm.Winograd, 32, 12, 32, 1)]
    [InlineData(ConvAlgorithm.Winograd4x4, 32, 12, 32, 1)]
    public void Warm_convolution_step_allocates_only_its_tensors(ConvAlgorithm algorithm, int c, int hw, int cout, int pad)
    {
        var rng = new Rng(2);
        var x = Tensor.Uniform([64, c, hw, hw], -1, 1, rng).RequireGrad();
        int k = algorithm switch { ConvAlgorithm.Pointwise => 1, ConvAlgorithm.Winograd or ConvAlgorithm.Winograd4x4 => 3, _ => 5 };
        var w = Tensor.Uniform([cout, c, k, k], -1, 1, rng).RequireGrad();
        var b = Tensor.Uniform([cout], -1, 1, rng).RequireGrad();
        long outBytes = 0;
        long bytes = Allocated(() =>
        {
            x.Grad = null; w.Grad = null; b.Grad = null;
            var y = F.Conv2d(x, w, b, padding: pad, algorithm: algorithm);
            outBytes = 4L * y.Numel;
            y.Backward(y);
        });
        // y, then dx, dw, db twice: the kernel's result and the copy the autograd engine stores as each leaf's Grad.
        long tensors = outBytes + 2 * 4L * (x.Numel + w.Numel + b.Numel);
        Assert.True(bytes < tensors + Slack, $"{algorithm}: a warm forward+backward allocated {bytes:N0} bytes; its tensors need {tensors:N0}");
    }

    [Fact]
    public void Warm_max_pool_step_allocates_only_its_tensors()
    {
        var x = Tensor.Uniform([64, 6, 28, 28], -1, 1, new Rng(3)).RequireGrad();
        long bytes = Allocated(() =>
        {
            x.Grad = null;
            var y = F.MaxPool2d(x, 2);
            y.Backward(y);
        });
        long tensors = 4L * (x.Numel / 4 + 2 * x.Numel);   // y, dx and the engine's copy of dx as x.Grad; no argmax
        Assert.True(bytes < tensors + Slack, $"a warm max pool forward+backward allocated {bytes:N0} bytes; its tensors need {tensors:N0}");
    }
}
