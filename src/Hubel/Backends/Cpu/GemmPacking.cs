using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hubel.Backends.Cpu;

/// <summary>Packing for the float32 blocked GEMM. The transpose of each operand is absorbed here, so the micro-kernel is
/// one loop over unit-stride memory whatever the layout: A becomes MR-tall slivers ([kc][MR] each), B becomes NR-wide
/// slivers ([kc][NR] each); partial slivers are padded with zeros so every tile computes a full MR x NR block.</summary>
internal static partial class Gemm
{
    /// <summary>Packs rows [i0, i0 + rows) and columns [pc, pc + kc) of op(A) into ⌈rows / MR⌉ slivers at
    /// <paramref name="dst"/>. op(A)[i, p] is a[i·lda + p], or a[p·lda + i] when <paramref name="transA"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void PackA(bool transA, float* a, long lda, int i0, int rows, int pc, int kc, float* dst)
    {
        for (int s = 0; s < rows; s += MR)
        {
            int h = Math.Min(MR, rows - s);
            if (transA)
            {
                // Row p of the stored Aᵀ holds the sliver's h values for step p side by side.
                float* src = a + (long)pc * lda + i0 + s;
                if (h == MR)
                    for (int p = 0; p < kc; p++, src += lda, dst += MR)
                    {
                        Vector128.Store(Vector128.Load(src), dst);
                        *(ulong*)(dst + 4) = *(ulong*)(src + 4);
                    }
                else
                    for (int p = 0; p < kc; p++, src += lda, dst += MR)
                        for (int r = 0; r < MR; r++) dst[r] = r < h ? src[r] : 0f;
            }
            else
            {
                float* r0 = a + (i0 + s) * lda + pc;
                if (h == MR)
                {
                    // Six rows read side by side, the sliver written sequentially.
                    float* r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
                    int p = Sse.IsSupported ? PackSixRows(r0, lda, kc, dst) : 0;
                    dst += p * MR;
                    for (; p < kc; p++, dst += MR)
                    {
                        dst[0] = r0[p]; dst[1] = r1[p]; dst[2] = r2[p]; dst[3] = r3[p]; dst[4] = r4[p]; dst[5] = r5[p];
                    }
                }
                else
                    for (int p = 0; p < kc; p++, dst += MR)
                        for (int r = 0; r < MR; r++) dst[r] = r < h ? r0[r * lda + p] : 0f;
            }
        }
    }

    /// <summary>The full-sliver case of <see cref="PackA"/> for a row-major A, four steps of k at a time: four floats from
    /// each of the six rows, rows 0-3 transposed 4 x 4 in registers and rows 4-5 interleaved, written as the 24 floats
    /// [r0..r5 at p], [r0..r5 at p+1], ... with eight stores. The scalar loop it replaces did 24 single-float loads and
    /// stores, which for n = 256 was about a twentieth of the product's time. Returns how many steps it packed.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int PackSixRows(float* r0, long lda, int kc, float* dst)
    {
        float* r1 = r0 + lda, r2 = r1 + lda, r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda;
        int p = 0;
        for (; p + 4 <= kc; p += 4, dst += 4 * MR)
        {
            var x0 = Sse.LoadVector128(r0 + p); var x1 = Sse.LoadVector128(r1 + p);
            var x2 = Sse.LoadVector128(r2 + p); var x3 = Sse.LoadVector128(r3 + p);
            var x4 = Sse.LoadVector128(r4 + p); var x5 = Sse.LoadVector128(r5 + p);
            var t0 = Sse.UnpackLow(x0, x1);    // r0p0 r1p0 r0p1 r1p1
            var t1 = Sse.UnpackLow(x2, x3);    // r2p0 r3p0 r2p1 r3p1
            var t2 = Sse.UnpackHigh(x0, x1);   // r0p2 r1p2 r0p3 r1p3
            var t3 = Sse.UnpackHigh(x2, x3);   // r2p2 r3p2 r2p3 r3p3
            var u = Sse.UnpackLow(x4, x5);     // r4p0 r5p0 r4p1 r5p1
            var v = Sse.UnpackHigh(x4, x5);    // r4p2 r5p2 r4p3 r5p3
            Sse.Store(dst, Sse.MoveLowToHigh(t0, t1));        // r0..r3 at p
            Sse.StoreLow(dst + 4, u);
            Sse.Store(dst + 6, Sse.MoveHighToLow(t1, t0));    // r0..r3 at p + 1
            Sse.StoreHigh(dst + 10, u);
            Sse.Store(dst + 12, Sse.MoveLowToHigh(t2, t3));
            Sse.StoreLow(dst + 16, v);
            Sse.Store(dst + 18, Sse.MoveHighToLow(t3, t2));
            Sse.StoreHigh(dst + 22, v);
        }
        return p;
    }

    /// <summary>Packs slivers [s0, s1) of the block of op(B) with rows [pc, pc + kc) and columns [jc, jc + nc) into
    /// <paramref name="dst"/> (sliver s at dst + s·kc·nr). op(B)[p, j] is b[p·ldb + j], or b[j·ldb + p] when
    /// <paramref name="transB"/>. Slivers are independent, so workers can pack disjoint ranges at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void PackB(bool transB, float* b, long ldb, int pc, int kc, int jc, int nc, int nr, int s0, int s1, float* dst)
    {
        for (int s = s0; s < s1; s++)
        {
            int j = s * nr, w = Math.Min(nr, nc - j);
            float* d = dst + (long)s * kc * nr;
            if (!transB)
            {
                float* src = b + (long)pc * ldb + jc + j;
                if (w == nr)
                    // Whole slivers (every NR is a multiple of 4) copied with vector moves: a memmove call per 64-byte
                    // row cost more than the copy.
                    for (int p = 0; p < kc; p++, src += ldb, d += nr)
                        for (int q = 0; q < nr; q += 4) Vector128.Store(Vector128.Load(src + q), d + q);
                else
                    for (int p = 0; p < kc; p++, src += ldb, d += nr)
                        for (int q = 0; q < nr; q++) d[q] = q < w ? src[q] : 0f;
            }
            else
            {
                // Column j of op(B) is row j of the stored Bᵀ. A whole sliver goes eight rows by eight k at a time through a
                // register transpose instead of one scalar store per element, NR floats apart; the k tail and edge slivers
                // read each row sequentially and write it down the sliver.
                int p0 = 0;
                if (w == nr && nr % 8 == 0 && Avx.IsSupported)
                    for (; p0 + 8 <= kc; p0 += 8)
                        for (int q = 0; q < nr; q += 8)
                            Transposes.Transpose8x8(b + (long)(jc + j + q) * ldb + pc + p0, ldb, d + (long)p0 * nr + q, nr);
                for (int q = 0; q < nr; q++)
                {
                    float* col = d + q;
                    if (q < w)
                    {
                        float* src = b + (long)(jc + j + q) * ldb + pc;
                        for (int p = p0; p < kc; p++) col[(long)p * nr] = src[p];
                    }
                    else
                        for (int p = p0; p < kc; p++) col[(long)p * nr] = 0f;
                }
            }
        }
    }
}
