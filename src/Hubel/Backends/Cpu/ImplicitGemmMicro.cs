using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The float32 register blocks of <see cref="ImplicitGemmConv"/>: 6 (pixels or taps) x 16 output channels in 12 AVX
/// accumulators. A partial block of pixels or taps repeats its last valid one, so the loops have no branches; the extra
/// sums are dropped when the block is stored.
/// </summary>
internal static class ImplicitGemmMicro
{
    private const int PB = ImplicitGemmConv.PixelBlock, CB = ImplicitGemmConv.CoBlock;

    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>One image: y [Cout, P] = W·col(x) + b, col(x) read through tap offsets and pixel bases of the padded image.</summary>
    public static unsafe void ForwardImage(ReadOnlySpan<float> xp, ReadOnlySpan<float> packed, ReadOnlySpan<float> bias, Span<float> y,
        int[] offsets, int[] bases, int coPad, int outChannels)
    {
        int pixels = bases.Length, taps = offsets.Length;
        if ((long)outChannels * pixels > y.Length || (long)taps * coPad > packed.Length || (!bias.IsEmpty && bias.Length < outChannels))
            throw new ArgumentException("convolution buffers are smaller than the geometry needs");
        CheckReach(xp.Length, offsets, bases);
        float* buf = stackalloc float[PB * CB];
        fixed (float* x = xp, wpk = packed, bp = bias, yp = y)
        fixed (int* off = offsets, bs = bases)
        {
            for (int p0 = 0; p0 < pixels; p0 += PB)
            {
                int valid = Math.Min(PB, pixels - p0), last = valid - 1;
                float* x0 = x + bs[p0], x1 = x + bs[p0 + Math.Min(1, last)], x2 = x + bs[p0 + Math.Min(2, last)],
                    x3 = x + bs[p0 + Math.Min(3, last)], x4 = x + bs[p0 + Math.Min(4, last)], x5 = x + bs[p0 + last];
                for (int o0 = 0; o0 < coPad; o0 += CB)
                {
                    Block(x0, x1, x2, x3, x4, x5, off, taps, wpk + o0, coPad, buf);
                    int cols = Math.Min(CB, outChannels - o0);
                    for (int c = 0; c < cols; c++)
                    {
                        float b = bp == null ? 0f : bp[o0 + c];
                        float* yr = yp + (long)(o0 + c) * pixels + p0;
                        for (int j = 0; j < valid; j++) yr[j] = buf[j * CB + c] + b;
                    }
                }
            }
        }
    }

    /// <summary>buf[j][0..16) = Σ_t x_j[off[t]] · w[t][0..16) for the six pixel pointers x_j.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Block(float* x0, float* x1, float* x2, float* x3, float* x4, float* x5, int* off, int taps, float* w, int stride, float* buf)
    {
        Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default;
        Vector256<float> a3 = default, b3 = default, a4 = default, b4 = default, a5 = default, b5 = default;
        for (int t = 0; t < taps; t++, w += stride)
        {
            int o = off[t];
            var w0 = Avx.LoadVector256(w); var w1 = Avx.LoadVector256(w + 8);
            var v = Avx.BroadcastScalarToVector256(x0 + o); a0 = Fma.MultiplyAdd(v, w0, a0); b0 = Fma.MultiplyAdd(v, w1, b0);
            v = Avx.BroadcastScalarToVector256(x1 + o); a1 = Fma.MultiplyAdd(v, w0, a1); b1 = Fma.MultiplyAdd(v, w1, b1);
            v = Avx.BroadcastScalarToVector256(x2 + o); a2 = Fma.MultiplyAdd(v, w0, a2); b2 = Fma.MultiplyAdd(v, w1, b2);
            v = Avx.BroadcastScalarToVector256(x3 + o); a3 = Fma.MultiplyAdd(v, w0, a3); b3 = Fma.MultiplyAdd(v, w1, b3);
            v = Avx.BroadcastScalarToVector256(x4 + o); a4 = Fma.MultiplyAdd(v, w0, a4); b4 = Fma.MultiplyAdd(v, w1, b4);
            v = Avx.BroadcastScalarToVector256(x5 + o); a5 = Fma.MultiplyAdd(v, w0, a5); b5 = Fma.MultiplyAdd(v, w1, b5);
        }
        Avx.Store(buf, a0); Avx.Store(buf + 8, b0); Avx.Store(buf + 16, a1); Avx.Store(buf + 24, b1);
        Avx.Store(buf + 32, a2); Avx.Store(buf + 40, b2); Avx.Store(buf + 48, a3); Avx.Store(buf + 56, b3);
        Avx.Store(buf + 64, a4); Avx.Store(buf + 72, b4); Avx.Store(buf + 80, a5); Avx.Store(buf + 88, b5);
    }

    /// <summary>One image's contribution to the [taps][CoPad] weight-gradient partial: part[t][o] += Σ_p x[base_p + off_t] · dyT[p][o].</summary>
    public static unsafe void WeightGradImage(ReadOnlySpan<float> xp, ReadOnlySpan<float> dyT, Span<float> part, int[] offsets, int[] bases, int coPad)
    {
        int pixels = bases.Length, taps = offsets.Length;
        if ((long)pixels * coPad > dyT.Length || (long)taps * coPad > part.Length)
            throw new ArgumentException("weight-gradient buffers are smaller than the geometry needs");
        CheckReach(xp.Length, offsets, bases);
        float* buf = stackalloc float[PB * CB];
        fixed (float* x = xp, d = dyT, pp = part)
        fixed (int* off = offsets, bs = bases)
        {
            for (int t0 = 0; t0 < taps; t0 += PB)
            {
                int valid = Math.Min(PB, taps - t0), last = valid - 1;
                // Taps and pixels swap roles: the six "pixel" pointers are the taps' offsets, the offset table is the pixel bases.
                float* k0 = x + off[t0], k1 = x + off[t0 + Math.Min(1, last)], k2 = x + off[t0 + Math.Min(2, last)],
                    k3 = x + off[t0 + Math.Min(3, last)], k4 = x + off[t0 + Math.Min(4, last)], k5 = x + off[t0 + last];
                for (int o0 = 0; o0 < coPad; o0 += CB)
                {
                    Block(k0, k1, k2, k3, k4, k5, bs, pixels, d + o0, coPad, buf);
                    for (int j = 0; j < valid; j++)
                    {
                        float* row = pp + (long)(t0 + j) * coPad + o0;
                        Avx.Store(row, Avx.Add(Avx.LoadVector256(row), Avx.LoadVector256(buf + j * CB)));
                        Avx.Store(row + 8, Avx.Add(Avx.LoadVector256(row + 8), Avx.LoadVector256(buf + j * CB + 8)));
                    }
                }
            }
        }
    }

    /// <summary>Every base + offset must lie inside the image (the pointer loops do not check); both tables are increasing.</summary>
    private static void CheckReach(int length, int[] offsets, int[] bases)
    {
        // Both tables are increasing (row-major taps and pixels), so their ends bound them.
        if (offsets.Length == 0 || bases.Length == 0) return;
        long reach = (long)offsets[^1] + bases[^1];
        if (offsets[0] < 0 || bases[0] < 0 || reach >= length)
            throw new ArgumentException($"convolution taps reach element {reach} of an image of {length}");
    }
}
