using Hubel.Autograd;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Imaging;

/// <summary>Applies named kernels to an image the way the notes' pictures do: the same kernel on every
/// channel (a depthwise convolution, zero "same" padding, so the picture keeps its size).</summary>
public static class KernelGallery
{
    /// <summary>The filtered image [C, H, W], ready to save: smoothing kernels clamped to [0, 1], derivative
    /// kernels as magnitudes scaled so the 99th percentile is white.</summary>
    public static Tensor Apply(Tensor image, NamedKernel kernel)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(kernel);
        if (image.Rank != 3) throw new ArgumentException($"image must be [C, H, W]; got {ShapeMath.Format(image.Shape)}", nameof(image));
        int c = image.Size(0), kh = kernel.Weights.GetLength(0), kw = kernel.Weights.GetLength(1);
        var w = Tensor.FromArray(kernel.Weights).Reshape(1, 1, kh, kw);
        var weights = w.BroadcastTo(c, 1, kh, kw).Contiguous();
        Tensor y;
        using (Graph.NoGrad())
            y = F.Conv2d(image.To(DType.Float32).Unsqueeze(0), weights, padding: Padding.Same, groups: c).Reshape(c, image.Size(1), image.Size(2));
        var v = y.ToFloatArray();
        if (kernel.IsDerivative)
        {
            for (int i = 0; i < v.Length; i++) v[i] = MathF.Abs(v[i]);
            var sorted = (float[])v.Clone();
            Array.Sort(sorted);
            float top = Math.Max(sorted[(int)(0.99 * (sorted.Length - 1))], 1e-6f);
            for (int i = 0; i < v.Length; i++) v[i] = Math.Min(v[i] / top, 1f);
        }
        else for (int i = 0; i < v.Length; i++) v[i] = Math.Clamp(v[i], 0f, 1f);
        return Tensor.FromArray(v, y.Shape.ToArray());
    }
}
