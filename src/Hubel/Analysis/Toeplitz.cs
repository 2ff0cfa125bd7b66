using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Analysis;

/// <summary>Convolution as a matrix product (S2 §1.1.2 数学卷积与矩阵乘法): the matrix M [OH·OW, H·W] with
/// M · vec(X) = vec(X ⋆ K) for one H x W channel and a KH x KW kernel (cross-correlation, as <see cref="F.Conv2d"/>;
/// vec is row-major). Row (oh, ow) holds K[ki, kj] at column (oh·SH - PH + ki·DH)·W + (ow·SW - PW + kj·DW) wherever that
/// pixel lies inside the image (padding contributes nothing). At stride 1 this is the notes' doubly block Toeplitz
/// matrix: OH x H blocks of OW x W, block (oh, ih) = T(K[ih - oh + PH]), and each block T(k) is itself Toeplitz
/// (constant along diagonals). The matrix is dense here, for analysis and teaching on small inputs only.</summary>
public static class Toeplitz
{
    /// <summary>The float64 matrix [OH·OW, H·W] of the 2-D cross-correlation with <paramref name="kernel"/>; OH = floor((H + 2PH - DH(KH-1) - 1)/SH) + 1.</summary>
    /// <exception cref="ArgumentException">an empty kernel.</exception>
    /// <exception cref="ArgumentOutOfRangeException">inputH/inputW below 1, stride or dilation below 1, negative padding, a kernel
    /// larger than the padded input, or a matrix over 2^24 entries (named inputH).</exception>
    public static Tensor Build(double[,] kernel, int inputH, int inputW, Size2? stride = null, Size2? padding = null, Size2? dilation = null)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Length == 0) throw new ArgumentException("kernel must have at least one entry", nameof(kernel));
        if (inputH < 1) throw new ArgumentOutOfRangeException(nameof(inputH), $"inputH must be >= 1; got {inputH}");
        if (inputW < 1) throw new ArgumentOutOfRangeException(nameof(inputW), $"inputW must be >= 1; got {inputW}");
        var s = (stride ?? 1).AtLeast(1, nameof(stride));
        var p = (padding ?? 0).AtLeast(0, nameof(padding));
        var d = (dilation ?? 1).AtLeast(1, nameof(dilation));
        int kh = kernel.GetLength(0), kw = kernel.GetLength(1);
        int oh = ConvGeometry.OutputSize(inputH, p.H, p.H, kh, s.H, d.H, nameof(kernel));
        int ow = ConvGeometry.OutputSize(inputW, p.W, p.W, kw, s.W, d.W, nameof(kernel));
        long entries = (long)oh * ow * inputH * inputW;
        if (entries > 1 << 24)
            throw new ArgumentOutOfRangeException(nameof(inputH), $"the dense matrix would have {entries} entries (at most {1 << 24}); use F.Conv2d for real inputs");
        int cols = inputH * inputW;
        var m = new double[entries];
        for (int y = 0; y < oh; y++)
            for (int x = 0; x < ow; x++)
            {
                long rowStart = (long)(y * ow + x) * cols;
                for (int ki = 0; ki < kh; ki++)
                {
                    int ih = y * s.H - p.H + ki * d.H;
                    if ((uint)ih >= (uint)inputH) continue;
                    for (int kj = 0; kj < kw; kj++)
                    {
                        int iw = x * s.W - p.W + kj * d.W;
                        if ((uint)iw >= (uint)inputW) continue;
                        m[rowStart + ih * inputW + iw] += kernel[ki, kj];
                    }
                }
            }
        return Tensor.FromArray(m, [oh * ow, cols]);
    }
}
