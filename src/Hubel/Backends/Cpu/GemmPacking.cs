using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
                        dst[0] = src[0]; dst[1] = src[1]; dst[2] = src[2]; dst[3] = src[3]; dst[4] = src[4]; dst[5] = src[5];
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
                    for (int p = 0; p < kc; p++, dst += MR)
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
                // Column j of op(B) is row j of the stored Bᵀ: read it sequentially, write it down the sliver.
                for (int q = 0; q < nr; q++)
                {
                    float* col = d + q;
                    if (q < w)
                    {
                        float* src = b + (long)(jc + j + q) * ldb + pc;
                        for (int p = 0; p < kc; p++, col += nr) *col = src[p];
                    }
                    else
                        for (int p = 0; p < kc; p++, col += nr) *col = 0f;
                }
            }
        }
    }
}
