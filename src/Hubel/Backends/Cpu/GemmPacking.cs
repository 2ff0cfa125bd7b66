using System.Runtime.CompilerServices;

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
                // Each of the h rows is read sequentially and scattered into its lane of the sliver.
                for (int r = 0; r < MR; r++)
                {
                    float* d = dst + r;
                    if (r < h)
                    {
                        float* src = a + (i0 + s + r) * lda + pc;
                        for (int p = 0; p < kc; p++, d += MR) *d = src[p];
                    }
                    else
                        for (int p = 0; p < kc; p++, d += MR) *d = 0f;
                }
                dst += kc * MR;
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
                uint bytes = (uint)(w * sizeof(float));
                for (int p = 0; p < kc; p++, src += ldb, d += nr)
                {
                    Unsafe.CopyBlockUnaligned(d, src, bytes);
                    for (int q = w; q < nr; q++) d[q] = 0f;
                }
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
