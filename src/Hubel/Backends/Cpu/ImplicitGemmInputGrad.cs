using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hubel.Ops;
using Hubel.Tensors;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Input gradient of <see cref="ImplicitGemmConv"/> for images at most 16 wide (LeNet-5's conv2 input is 14, network3's 12):
/// dx[c, i, j] = Σ_o Σ_kh Σ_kw W[o, c, kh, kw] · dy[o, i + padT - kh, j + padL - kw], one dx row (two vectors) for six input
/// channels at a time in 12 accumulators; each (o, kh, kw) term loads two shifted vectors of a zero-bordered dy row and
/// broadcasts six weights. Rows of dy outside the image are skipped rather than multiplied by zeros, and nothing is
/// lowered: im2col's route writes and re-reads a [C·KH·KW, pixels] matrix per image and runs a GEMM only 16 deep.
/// float64 runs the same loops with scalar arithmetic.
/// </summary>
internal static class ImplicitGemmInputGrad
{
    private const int Lanes = 16, CBlock = 6;

    /// <summary>Tests set it to take the row kernel wherever it fits, so small registry-sized shapes exercise it too.</summary>
    [ThreadStatic] internal static bool Always;

    /// <summary>Images at most 16 wide, where the lanes, the 6-channel blocks and the dy border waste at most 2x:
    /// 16·cPad / (C·OW) is 1.6 for LeNet-5's conv2 (0.57 ms against im2col's 0.79 ms, batch 64, one thread) and 2.4 for
    /// network3's (0.84 ms against 0.40 ms, batch 10), where im2col's GEMM, 40 deep, is the better route.</summary>
    public static bool Applies(in ConvGeometry g) =>
        g.W <= Lanes && (Always || Lanes * ((g.C + CBlock - 1) / CBlock * CBlock) <= 2 * g.C * g.OutW);

    /// <summary>dx [N, C, H, W] (overwritten) from dy [N, Cout, OH, OW] and w [Cout, C, KH, KW].</summary>
    public static void Run<T>(ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T> dx, ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cPad = (g.C + CBlock - 1) / CBlock * CBlock, rowWidth = Lanes + g.PadLeft + g.KW - 1;
        // Weights as [o][kh][kw][cPad] so the six broadcasts of one term are adjacent; zero past C.
        var packed = MemoryScope.Allocate<T>(outChannels * g.KH * g.KW * cPad, zeroed: true);
        var ws = w.Span;
        for (int o = 0; o < outChannels; o++)
            for (int c = 0; c < g.C; c++)
                for (int t = 0; t < g.KH * g.KW; t++) packed[(o * g.KH * g.KW + t) * cPad + c] = ws[(o * g.C + c) * g.KH * g.KW + t];
        long perImage = (long)outChannels * g.C * g.KH * g.KW * g.OutPixels;
        CpuThreads.For(g.N, (n0, n1) =>
        {
            var dyp = Scratch<T>.Get(outChannels * g.OutH * rowWidth);
            for (int n = n0; n < n1; n++)
            {
                BorderRows(dy.Span.Slice(n * outChannels * g.OutPixels, outChannels * g.OutPixels), dyp, g, outChannels, rowWidth);
                var dxn = dx.Span.Slice(n * g.C * g.H * g.W, g.C * g.H * g.W);
                if (typeof(T) == typeof(float) && ImplicitGemmMicro.IsSupported)
                    ImageF32(Cast<T, float>(dyp), Cast<T, float>(packed), CastMut<T, float>(dxn), g, outChannels, cPad, rowWidth);
                else ImageScalar<T>(dyp, packed, dxn, g, outChannels, cPad, rowWidth);
            }
        }, minPerWorker: CpuThreads.MinItemsPerWorker(perImage / 8));
    }

    /// <summary>dy rows with KW - 1 zeros on the left and zeros out to the row width (16 + padL + KW - 1): column s of a row
    /// holds dy column s - (KW - 1), so lane j's term kw reads column j + padL - kw + KW - 1, inside the row for every lane.</summary>
    private static void BorderRows<T>(ReadOnlySpan<T> dy, Span<T> dyp, in ConvGeometry g, int outChannels, int rowWidth) where T : unmanaged
    {
        dyp.Clear();
        for (int r = 0; r < outChannels * g.OutH; r++)
            dy.Slice(r * g.OutW, g.OutW).CopyTo(dyp.Slice(r * rowWidth + g.KW - 1, g.OutW));
    }

    private static unsafe void ImageF32(ReadOnlySpan<float> dyp, ReadOnlySpan<float> packed, Span<float> dx, ConvGeometry g, int outChannels, int cPad, int rowWidth)
    {
        if ((long)outChannels * g.OutH * rowWidth > dyp.Length || (long)g.C * g.H * g.W > dx.Length) throw new ArgumentException("input-gradient buffers are smaller than the geometry needs");
        float* buf = stackalloc float[CBlock * Lanes];
        int taps = g.KH * g.KW, outPlane = g.OutH * rowWidth;
        fixed (float* d = dyp, wp = packed, xp = dx)
        {
            for (int c0 = 0; c0 < g.C; c0 += CBlock)
                for (int i = 0; i < g.H; i++)
                {
                    Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default, a2 = default, b2 = default;
                    Vector256<float> a3 = default, b3 = default, a4 = default, b4 = default, a5 = default, b5 = default;
                    for (int kh = 0; kh < g.KH; kh++)
                    {
                        int r = i + g.PadTop - kh;
                        if ((uint)r >= (uint)g.OutH) continue;
                        for (int o = 0; o < outChannels; o++)
                        {
                            float* row = d + (long)o * outPlane + r * rowWidth + g.PadLeft + g.KW - 1;
                            float* wk = wp + ((long)o * taps + kh * g.KW) * cPad + c0;
                            for (int kw = 0; kw < g.KW; kw++, wk += cPad)
                            {
                                var u = Avx.LoadVector256(row - kw); var v = Avx.LoadVector256(row - kw + 8);
                                var s = Avx.BroadcastScalarToVector256(wk); a0 = Fma.MultiplyAdd(s, u, a0); b0 = Fma.MultiplyAdd(s, v, b0);
                                s = Avx.BroadcastScalarToVector256(wk + 1); a1 = Fma.MultiplyAdd(s, u, a1); b1 = Fma.MultiplyAdd(s, v, b1);
                                s = Avx.BroadcastScalarToVector256(wk + 2); a2 = Fma.MultiplyAdd(s, u, a2); b2 = Fma.MultiplyAdd(s, v, b2);
                                s = Avx.BroadcastScalarToVector256(wk + 3); a3 = Fma.MultiplyAdd(s, u, a3); b3 = Fma.MultiplyAdd(s, v, b3);
                                s = Avx.BroadcastScalarToVector256(wk + 4); a4 = Fma.MultiplyAdd(s, u, a4); b4 = Fma.MultiplyAdd(s, v, b4);
                                s = Avx.BroadcastScalarToVector256(wk + 5); a5 = Fma.MultiplyAdd(s, u, a5); b5 = Fma.MultiplyAdd(s, v, b5);
                            }
                        }
                    }
                    Avx.Store(buf, a0); Avx.Store(buf + 8, b0); Avx.Store(buf + 16, a1); Avx.Store(buf + 24, b1);
                    Avx.Store(buf + 32, a2); Avx.Store(buf + 40, b2); Avx.Store(buf + 48, a3); Avx.Store(buf + 56, b3);
                    Avx.Store(buf + 64, a4); Avx.Store(buf + 72, b4); Avx.Store(buf + 80, a5); Avx.Store(buf + 88, b5);
                    for (int c = 0; c < CBlock && c0 + c < g.C; c++)
                        new ReadOnlySpan<float>(buf + c * Lanes, g.W).CopyTo(dx.Slice(((c0 + c) * g.H + i) * g.W, g.W));
                }
        }
    }

    private static void ImageScalar<T>(ReadOnlySpan<T> dyp, ReadOnlySpan<T> packed, Span<T> dx, in ConvGeometry g, int outChannels, int cPad, int rowWidth)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int taps = g.KH * g.KW, outPlane = g.OutH * rowWidth;
        for (int c = 0; c < g.C; c++)
            for (int i = 0; i < g.H; i++)
                for (int j = 0; j < g.W; j++)
                {
                    T s = T.Zero;
                    for (int kh = 0; kh < g.KH; kh++)
                    {
                        int r = i + g.PadTop - kh;
                        if ((uint)r >= (uint)g.OutH) continue;
                        for (int o = 0; o < outChannels; o++)
                            for (int kw = 0; kw < g.KW; kw++)
                                s += packed[(o * taps + kh * g.KW + kw) * cPad + c] * dyp[o * outPlane + r * rowWidth + g.PadLeft + g.KW - 1 + j - kw];
                    }
                    dx[(c * g.H + i) * g.W + j] = s;
                }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ReadOnlySpan<TTo> Cast<TFrom, TTo>(ReadOnlySpan<TFrom> s) where TFrom : unmanaged where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Span<TTo> CastMut<TFrom, TTo>(Span<TFrom> s) where TFrom : unmanaged where TTo : unmanaged =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<TFrom, TTo>(s);

    private static class Scratch<T>
    {
        [ThreadStatic] private static T[]? _buffer;

        public static T[] Get(int size) => _buffer is { } b && b.Length >= size ? b : _buffer = new T[size];
    }
}
