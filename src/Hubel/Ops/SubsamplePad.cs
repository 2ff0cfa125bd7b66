using Hubel.Autograd;
using Hubel.Backends.Cpu;
using Hubel.Tensors;

namespace Hubel.Ops;

/// <summary>The CIFAR ResNets' option-A shortcut in one op: x[:, :, ::stride, ::stride] with zero channels added
/// before and after (PyTorch: F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, before, after))). The same values and gradients as
/// the two slices and the pad, without the strided copy and the per-element index maps in between.</summary>
public static partial class F
{
    /// <summary>Input [N, C, H, W] → [N, before + C + after, ⌈H/stride⌉, ⌈W/stride⌉]. Models call it
    /// (<see cref="Models.CifarBasicBlock"/>); it is not a public op of its own.</summary>
    internal static Tensor SubsamplePadChannels(Tensor input, int stride, int before, int after)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4) throw new ArgumentException($"input must be [N, C, H, W]; got shape {ShapeMath.Format(input.ShapeArray)}", nameof(input));
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(before);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        int n = input.Size(0), c = input.Size(1), h = input.Size(2), w = input.Size(3);
        var x = input.Detach().Contiguous();
        var y = Tensor.Empty([n, before + c + after, (h + stride - 1) / stride, (w + stride - 1) / stride], input.DType);
        if (x.DType == DType.Float32) SubsampleKernels.Forward<float>(Mem<float>(x), MutMem<float>(y), n, c, h, w, stride, before, after);
        else SubsampleKernels.Forward<double>(Mem<double>(x), MutMem<double>(y), n, c, h, w, stride, before, after);
        return Graph.Record(y, "subsample_pad", [input], g =>
        {
            var dy = g.Contiguous();
            var dx = Tensor.Empty(x.ShapeArray, x.DType);
            if (x.DType == DType.Float32) SubsampleKernels.Backward<float>(Mem<float>(dy), MutMem<float>(dx), n, c, h, w, stride, before, after);
            else SubsampleKernels.Backward<double>(Mem<double>(dy), MutMem<double>(dx), n, c, h, w, stride, before, after);
            return [dx];
        });
    }
}
