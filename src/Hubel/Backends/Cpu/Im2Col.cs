using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Lowers one image's convolution windows to a matrix (the notes' im2col view): row (c, ki, kj),
/// column (oh, ow) holds x[c, oh*S - P + ki*D, ow*S - P + kj*D] or 0 in the padding. Convolution is
/// then a GEMM W[Cout, C*KH*KW] x col[C*KH*KW, OH*OW]. <see cref="Accumulate"/> (col2im) is the adjoint (it adds back).
/// </summary>
internal static class Im2Col
{
    /// <param name="x">one image's channels [channels, H, W], contiguous.</param>
    /// <param name="col">[channels*KH*KW, OH*OW] at column <paramref name="colOffset0"/> of rows <paramref name="ldCol"/> long
    /// (several images side by side make one wide GEMM operand).</param>
    public static unsafe void Lower<T>(ReadOnlySpan<T> x, int channels, in ConvGeometry g, Span<T> col, int ldCol = -1, int colOffset0 = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = g.OutPixels;
        if (ldCol < 0) ldCol = p;
        if (channels == 0 || p == 0) return;
        // Bounds are proven once here; the loops below use pointers (this runs per image per layer per step).
        long lastRow = (long)(channels * g.KH * g.KW - 1) * ldCol + colOffset0 + p;
        if (x.Length < channels * g.H * g.W || col.Length < lastRow)
            throw new ArgumentException("im2col buffers are smaller than the geometry needs");
        int outW = g.OutW, sw = g.SW;
        fixed (T* xp = x, cp = col)
        {
            T* xEnd = xp + x.Length;
            int row = 0;
            for (int c = 0; c < channels; c++)
            {
                T* plane = xp + (long)c * g.H * g.W;
                for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++, row++)
                {
                    T* dst = cp + (long)row * ldCol + colOffset0;
                    int colOffset = kj * g.DW - g.PadLeft;
                    // ow range whose input column lies inside [0, W)
                    int owLo = FirstInside(colOffset, sw), owHi = EndInside(colOffset, sw, g.W, outW);
                    for (int oh = 0; oh < g.OutH; oh++, dst += outW)
                    {
                        int ih = oh * g.SH - g.PadTop + ki * g.DH;
                        if ((uint)ih >= (uint)g.H || owLo >= owHi) { Zero(dst, outW); continue; }
                        T* src = plane + (long)ih * g.W + colOffset;
                        Zero(dst, owLo);
                        if (sw == 1) Copy(src + owLo, dst + owLo, owHi - owLo);
                        else if (sw == 2 && typeof(T) == typeof(float)) CopyEven((float*)src, (float*)dst, owLo, owHi, (float*)xEnd);
                        else for (int ow = owLo; ow < owHi; ow++) dst[ow] = src[ow * sw];
                        Zero(dst + owHi, outW - owHi);
                    }
                }
            }
        }
    }

    private static unsafe void Zero<T>(T* dst, int count) where T : unmanaged
    {
        for (int i = 0; i < count; i++) dst[i] = default;
    }

    /// <summary>Short row copy without a memmove call (rows are tens of elements).</summary>
    private static unsafe void Copy<T>(T* src, T* dst, int count) where T : unmanaged
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= count - Vector256<T>.Count; i += Vector256<T>.Count)
                Vector256.Load(src + i).Store(dst + i);
        for (; i < count; i++) dst[i] = src[i];
    }

    /// <summary>dst[ow] = src[2·ow] for ow in [lo, hi): eight at a time (<see cref="EvenLanes"/>; stride-2 layers lowered
    /// element by element took 20-33 µs of ResNet-20's 46-64 µs downsampling convolutions at batch 1). The loads read one
    /// float past the last one kept, so the vector loop stops where that would pass <paramref name="end"/>.</summary>
    private static unsafe void CopyEven(float* src, float* dst, int lo, int hi, float* end)
    {
        int ow = lo;
        if (Vector256.IsHardwareAccelerated)
            for (; ow + 8 <= hi && src + 2 * ow + 16 <= end; ow += 8) Vector256.Store(EvenLanes(src + 2 * ow), dst + ow);
        for (; ow < hi; ow++) dst[ow] = src[2 * ow];
    }

    /// <summary>s[0], s[2], ..., s[14]: the even lanes of two 8-float loads (stride-2 gathers here and in the small-plane
    /// engine's row-phase copies).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe Vector256<float> EvenLanes(float* s)
    {
        var a = Vector256.Load(s);
        var b = Vector256.Load(s + 8);
        if (Avx2.IsSupported)
        {
            // Per 128-bit lane [a0 a2 b0 b2 | a4 a6 b4 b6], then 64-bit pairs reordered to [a0 a2 a4 a6 b0 b2 b4 b6].
            var even = Avx.Shuffle(a, b, 0b10_00_10_00);
            return Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle();
        }
        return Vector256.Create(s[0], s[2], s[4], s[6], s[8], s[10], s[12], s[14]);
    }

    /// <summary>x[c, ih, iw] += col[(c,ki,kj), (oh,ow)] over every window that read that pixel.</summary>
    public static unsafe void Accumulate<T>(ReadOnlySpan<T> col, int channels, in ConvGeometry g, Span<T> x, int ldCol = -1, int colOffset0 = 0) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = g.OutPixels;
        if (ldCol < 0) ldCol = p;
        if (channels == 0 || p == 0) return;
        long lastRow = (long)(channels * g.KH * g.KW - 1) * ldCol + colOffset0 + p;
        if (x.Length < channels * g.H * g.W || col.Length < lastRow)
            throw new ArgumentException("col2im buffers are smaller than the geometry needs");
        int outW = g.OutW, sw = g.SW;
        fixed (T* xp = x, cp = col)
        {
            int row = 0;
            for (int c = 0; c < channels; c++)
            {
                T* plane = xp + (long)c * g.H * g.W;
                for (int ki = 0; ki < g.KH; ki++)
                for (int kj = 0; kj < g.KW; kj++, row++)
                {
                    T* src = cp + (long)row * ldCol + colOffset0;
                    int colOffset = kj * g.DW - g.PadLeft;
                    int owLo = FirstInside(colOffset, sw), owHi = EndInside(colOffset, sw, g.W, outW);
                    if (owLo >= owHi) continue;
                    for (int oh = 0; oh < g.OutH; oh++, src += outW)
                    {
                        int ih = oh * g.SH - g.PadTop + ki * g.DH;
                        if ((uint)ih >= (uint)g.H) continue;
                        T* dst = plane + (long)ih * g.W + colOffset;
                        if (sw == 1) AddInto(src + owLo, dst + owLo, owHi - owLo);
                        else for (int ow = owLo; ow < owHi; ow++) dst[ow * sw] += src[ow];
                    }
                }
            }
        }
    }

    private static unsafe void AddInto<T>(T* src, T* dst, int count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= count - Vector256<T>.Count; i += Vector256<T>.Count)
                (Vector256.Load(dst + i) + Vector256.Load(src + i)).Store(dst + i);
        for (; i < count; i++) dst[i] += src[i];
    }

    /// <summary>Smallest ow with ow*stride + offset >= 0.</summary>
    private static int FirstInside(int offset, int stride) => offset >= 0 ? 0 : (-offset + stride - 1) / stride;

    /// <summary>One past the largest ow (below outW) with ow*stride + offset &lt; width.</summary>
    private static int EndInside(int offset, int stride, int width, int outW)
    {
        if (width - offset <= 0) return 0;
        return Math.Min(outW, (width - offset - 1) / stride + 1);
    }
}
