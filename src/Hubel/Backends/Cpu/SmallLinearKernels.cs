using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hubel.Backends.Cpu;

/// <summary>
/// y = x·Wᵀ + b for a fully connected layer with few rows (batch-1 inference, Nielsen's batch 10) in float32, on one thread.
/// x [m, k] and W [n, k] are both contiguous along k, so each output is a dot product read straight from the operands:
/// nothing is packed (the packed GEMM copies all of W, 48,000 floats for LeNet's fc1, to compute a single row) and no
/// worker is woken for a few microseconds of work. Tiles of 2 rows of x by 4 rows of W keep 8 accumulators in registers
/// (6 loads per 8 FMAs), a lone row 1 x 8; the last partial vector of k is read with a masked load, which reads zeros past the end.
/// </summary>
internal static class SmallLinearKernels
{
    /// <summary>Largest row count sent here: beyond it the packed GEMM's reuse of W across row blocks wins.</summary>
    public const int MaxRows = 16;

    public static bool Applies(int m, int k) => m <= MaxRows && k >= 1 && Fma.IsSupported && Avx2.IsSupported;

    /// <summary>y [m, n] = x [m, k] · w [n, k]ᵀ (+ bias [n]), then max(0, y) when <paramref name="relu"/> (inference: the
    /// ReLU as the results are stored instead of a second tensor); <paramref name="bias"/> empty for none.</summary>
    public static unsafe void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias, Span<float> y, int m, int n, int k,
        bool relu = false)
    {
        if ((long)m * k > x.Length || (long)n * k > w.Length || (long)m * n > y.Length || (!bias.IsEmpty && bias.Length < n))
            throw new ArgumentException("linear buffers are smaller than the shape needs");
        var tail = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(k % 8)).AsSingle();
        fixed (float* xp = x, wp = w, bp = bias, yp = y)
        {
            for (int i = 0; i < m; i += 2)
            {
                // A missing second row or W row reads a valid row again; its sums are computed and dropped (no branches inside).
                float* x0 = xp + (long)i * k, x1 = i + 1 < m ? x0 + k : x0;
                int j = 0;
                if (i + 1 == m)
                    // A lone row (batch 1) takes eight W rows a step instead of computing every product twice: LeNet-5's
                    // fc1 (400 -> 120) at batch 1 spent twice the multiplies it needed.
                    for (; j + 8 <= n; j += 8)
                    {
                        var s = Row8(x0, wp + (long)j * k, k, tail);
                        if (bp != null) s = Avx.Add(s, Avx.LoadVector256(bp + j));
                        if (relu) s = Avx.Max(s, Vector256<float>.Zero);
                        Avx.Store(yp + (long)i * n + j, s);
                    }
                for (; j < n; j += 4)
                {
                    float* w0 = wp + (long)j * k;
                    float* w1 = j + 1 < n ? w0 + k : w0, w2 = j + 2 < n ? w0 + 2L * k : w0, w3 = j + 3 < n ? w0 + 3L * k : w0;
                    Tile(x0, x1, w0, w1, w2, w3, k, tail, out var s0, out var s1);
                    if (bp != null)
                    {
                        var bv = j + 4 <= n ? Sse.LoadVector128(bp + j) : Partial(bp + j, n - j);
                        s0 = Sse.Add(s0, bv); s1 = Sse.Add(s1, bv);
                    }
                    if (relu) { s0 = Sse.Max(s0, Vector128<float>.Zero); s1 = Sse.Max(s1, Vector128<float>.Zero); }
                    Store(yp + (long)i * n + j, s0, n - j);
                    if (i + 1 < m) Store(yp + (long)(i + 1) * n + j, s1, n - j);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile(float* x0, float* x1, float* w0, float* w1, float* w2, float* w3, int k, Vector256<float> tail,
        out Vector128<float> row0, out Vector128<float> row1)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, b0 = default, b1 = default, b2 = default, b3 = default;
        int p = 0;
        for (; p <= k - 8; p += 8)
        {
            var u = Avx.LoadVector256(x0 + p); var v = Avx.LoadVector256(x1 + p);
            var c = Avx.LoadVector256(w0 + p); a0 = Fma.MultiplyAdd(u, c, a0); b0 = Fma.MultiplyAdd(v, c, b0);
            c = Avx.LoadVector256(w1 + p); a1 = Fma.MultiplyAdd(u, c, a1); b1 = Fma.MultiplyAdd(v, c, b1);
            c = Avx.LoadVector256(w2 + p); a2 = Fma.MultiplyAdd(u, c, a2); b2 = Fma.MultiplyAdd(v, c, b2);
            c = Avx.LoadVector256(w3 + p); a3 = Fma.MultiplyAdd(u, c, a3); b3 = Fma.MultiplyAdd(v, c, b3);
        }
        if (p < k)
        {
            var u = Avx.MaskLoad(x0 + p, tail); var v = Avx.MaskLoad(x1 + p, tail);
            var c = Avx.MaskLoad(w0 + p, tail); a0 = Fma.MultiplyAdd(u, c, a0); b0 = Fma.MultiplyAdd(v, c, b0);
            c = Avx.MaskLoad(w1 + p, tail); a1 = Fma.MultiplyAdd(u, c, a1); b1 = Fma.MultiplyAdd(v, c, b1);
            c = Avx.MaskLoad(w2 + p, tail); a2 = Fma.MultiplyAdd(u, c, a2); b2 = Fma.MultiplyAdd(v, c, b2);
            c = Avx.MaskLoad(w3 + p, tail); a3 = Fma.MultiplyAdd(u, c, a3); b3 = Fma.MultiplyAdd(v, c, b3);
        }
        row0 = Sum4(a0, a1, a2, a3);
        row1 = Sum4(b0, b1, b2, b3);
    }

    /// <summary>The dot products of x with the eight rows of W from w, k floats apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Row8(float* x, float* w, int k, Vector256<float> tail)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        float* w1 = w + k, w2 = w1 + k, w3 = w2 + k, w4 = w3 + k, w5 = w4 + k, w6 = w5 + k, w7 = w6 + k;
        int p = 0;
        for (; p <= k - 8; p += 8)
        {
            var u = Avx.LoadVector256(x + p);
            a0 = Fma.MultiplyAdd(u, Avx.LoadVector256(w + p), a0); a1 = Fma.MultiplyAdd(u, Avx.LoadVector256(w1 + p), a1);
            a2 = Fma.MultiplyAdd(u, Avx.LoadVector256(w2 + p), a2); a3 = Fma.MultiplyAdd(u, Avx.LoadVector256(w3 + p), a3);
            a4 = Fma.MultiplyAdd(u, Avx.LoadVector256(w4 + p), a4); a5 = Fma.MultiplyAdd(u, Avx.LoadVector256(w5 + p), a5);
            a6 = Fma.MultiplyAdd(u, Avx.LoadVector256(w6 + p), a6); a7 = Fma.MultiplyAdd(u, Avx.LoadVector256(w7 + p), a7);
        }
        if (p < k)
        {
            var u = Avx.MaskLoad(x + p, tail);
            a0 = Fma.MultiplyAdd(u, Avx.MaskLoad(w + p, tail), a0); a1 = Fma.MultiplyAdd(u, Avx.MaskLoad(w1 + p, tail), a1);
            a2 = Fma.MultiplyAdd(u, Avx.MaskLoad(w2 + p, tail), a2); a3 = Fma.MultiplyAdd(u, Avx.MaskLoad(w3 + p, tail), a3);
            a4 = Fma.MultiplyAdd(u, Avx.MaskLoad(w4 + p, tail), a4); a5 = Fma.MultiplyAdd(u, Avx.MaskLoad(w5 + p, tail), a5);
            a6 = Fma.MultiplyAdd(u, Avx.MaskLoad(w6 + p, tail), a6); a7 = Fma.MultiplyAdd(u, Avx.MaskLoad(w7 + p, tail), a7);
        }
        // Lane halves of [a0..a3] and [a4..a7] summed pairwise, then the two 128-bit halves added: [Σa0, ..., Σa7].
        var h0 = Avx.HorizontalAdd(Avx.HorizontalAdd(a0, a1), Avx.HorizontalAdd(a2, a3));
        var h1 = Avx.HorizontalAdd(Avx.HorizontalAdd(a4, a5), Avx.HorizontalAdd(a6, a7));
        return Avx.Add(Avx.Permute2x128(h0, h1, 0x20), Avx.Permute2x128(h0, h1, 0x31));
    }

    /// <summary>[Σa, Σb, Σc, Σd] of four vectors.</summary>
    private static Vector128<float> Sum4(Vector256<float> a, Vector256<float> b, Vector256<float> c, Vector256<float> d)
    {
        var h = Avx.HorizontalAdd(Avx.HorizontalAdd(a, b), Avx.HorizontalAdd(c, d));
        return Sse.Add(h.GetLower(), h.GetUpper());
    }

    private static unsafe Vector128<float> Partial(float* p, int count) =>
        Vector128.Create(p[0], count > 1 ? p[1] : 0f, count > 2 ? p[2] : 0f, 0f);

    private static unsafe void Store(float* dst, Vector128<float> v, int count)
    {
        if (count >= 4) { Sse.Store(dst, v); return; }
        dst[0] = v.GetElement(0);
        if (count > 1) dst[1] = v.GetElement(1);
        if (count > 2) dst[2] = v.GetElement(2);
    }
}
