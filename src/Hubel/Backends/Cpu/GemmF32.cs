using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// float32 paths of <see cref="Gemm"/> for the shapes convolution produces, where the general packed
/// algorithm wastes its time packing:
/// <list type="bullet">
/// <item>Few rows (m ≤ 24, e.g. W[6, 25] x col[25, 25088] in LeNet's conv1): every element of B is used by at
/// most four row panels, so B is read in place instead of packed.</item>
/// <item>A·Bᵀ with a long shared dimension (the weight gradient dY·colᵀ, k = images x pixels): both operands
/// are contiguous along k, so tiles of dot products run along k and are summed horizontally at the end.</item>
/// </list>
/// </summary>
internal static partial class Gemm
{
    private const int SmallM = 4 * MR;

    /// <summary>float32 C = op(A)·op(B) (+ C) with the given micro-kernel; <see cref="GemmKernel.Auto"/> is what
    /// <see cref="Run{T}"/> uses, the others let tests run every variant on any machine. <paramref name="shapePaths"/>
    /// false skips the few-row and long-K paths below, so tests reach the blocked algorithm with any shape.</summary>
    internal static unsafe void RunF32(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, bool parallel = true,
        bool shapePaths = true)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        CheckExtent(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a));
        CheckExtent(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));
        CheckExtent(c.Length, m, n, ldc, nameof(c));
        kernel = GemmKernels.Resolve(kernel);
        // The shape-specific paths below are written with Vector256; they stand aside when a narrower kernel is asked for.
        bool wide = shapePaths && Vector256.IsHardwareAccelerated && kernel is GemmKernel.Vector256 or GemmKernel.Vector512;
        if (wide && TryFastF32(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel)) return;
        fixed (float* pa = a, pb = b, pc = c)
            RunBlocked(kernel, transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, parallel);
    }

    private static unsafe bool TryFastF32(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, bool parallel)
    {
        if (transB && !transA && k >= 8 * Math.Max(m, n))
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                nint ap = (nint)pa, bp = (nint)pb, cp = (nint)pc;
                if (parallel && CpuThreads.Count > 1 && (long)m * n * k > 256 * 1024)
                    // One chunk per worker: every chunk streams all of B, which here is long (k = images x pixels).
                    ForChunks((m + 1) / 2, 1, int.MaxValue, 1, (r0, r1) => DotTiles((float*)ap, lda, (float*)bp, ldb, (float*)cp, ldc, 2 * r0, Math.Min(m, 2 * r1), n, k, accumulate));
                else DotTiles(pa, lda, pb, ldb, pc, ldc, 0, m, n, k, accumulate);
            }
            return true;
        }
        if (!transB && m <= SmallM)
        {
            SmallMDirect(transA, m, n, k, a, lda, b, ldb, c, ldc, accumulate, parallel);
            return true;
        }
        return false;
    }

    private static unsafe void SmallMDirect(bool transA, int m, int n, int k, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc, bool accumulate, bool parallel)
    {
        int kcMax = Math.Min(k, KC);
        var packA = Scratch<float>.A(((m + MR - 1) / MR) * MR * kcMax);
        int panels = (n + 15) / 16;
        fixed (float* pb = b, pc = c, pa = packA)
        {
            nint bAddr = (nint)pb, cAddr = (nint)pc, aAddr = (nint)pa;
            for (int pc0 = 0; pc0 < k; pc0 += KC)
            {
                int kc = Math.Min(KC, k - pc0);
                bool overwrite = pc0 == 0 && !accumulate;
                PackA(transA, a, lda, pc0, m, kc, packA);
                int p0 = pc0;
                void Columns(int first, int last)
                {
                    var tailBuffer = EdgePanel.Get();
                    fixed (float* tail = tailBuffer)
                    for (int panel = first; panel < last; panel++)
                    {
                        int j = panel * 16, cols = Math.Min(16, n - j);
                        float* bp = (float*)bAddr + (long)p0 * ldb + j;
                        long stride = ldb;
                        if (cols < 16)
                        {
                            for (int p = 0; p < kc; p++)
                                for (int q = 0; q < 16; q++) tail[p * 16 + q] = q < cols ? bp[(long)p * ldb + q] : 0f;
                            bp = tail;
                            stride = 16;
                        }
                        for (int i = 0; i < m; i += MR)
                            TileF32(kc, (float*)aAddr + (long)(i / MR) * kc * MR, bp, stride, (float*)cAddr + (long)i * ldc + j, ldc,
                                Math.Min(MR, m - i), cols, overwrite);
                    }
                }
                if (parallel && CpuThreads.Count > 1 && (long)m * n * kc > 64 * 1024 && panels > 1) ForChunks(panels, 1, int.MaxValue, 4, Columns);
                else Columns(0, panels);
            }
        }
    }

    /// <summary>Per-thread buffer for the last, partial column panel (padded to 16 with zeros).</summary>
    private static class EdgePanel
    {
        [ThreadStatic] private static float[]? _buffer;
        public static float[] Get() => _buffer ??= new float[KC * 16];
    }

    /// <summary>C[r0..r1, 0..n] (+)= A[r, :]·B[j, :] with 2x4 tiles of 8-wide dot products along k.</summary>
    private static unsafe void DotTiles(float* a, int lda, float* b, int ldb, float* c, int ldc, int r0, int r1, int n, int k, bool accumulate)
    {
        int k8 = k & ~7;
        Span<float> sums = stackalloc float[8];
        for (int i = r0; i < r1; i += 2)
        {
            int rows = Math.Min(2, r1 - i);
            float* a0 = a + (long)i * lda, a1 = rows == 2 ? a0 + lda : a0;
            for (int j = 0; j < n; j += 4)
            {
                int cols = Math.Min(4, n - j);
                float* b0 = b + (long)j * ldb;
                float* b1 = cols > 1 ? b0 + ldb : b0, b2 = cols > 2 ? b0 + 2L * ldb : b0, b3 = cols > 3 ? b0 + 3L * ldb : b0;
                Vector256<float> s00 = default, s01 = default, s02 = default, s03 = default;
                Vector256<float> s10 = default, s11 = default, s12 = default, s13 = default;
                for (int p = 0; p < k8; p += 8)
                {
                    var x0 = Vector256.Load(a0 + p); var x1 = Vector256.Load(a1 + p);
                    var y = Vector256.Load(b0 + p); s00 = Vector256.MultiplyAddEstimate(x0, y, s00); s10 = Vector256.MultiplyAddEstimate(x1, y, s10);
                    y = Vector256.Load(b1 + p); s01 = Vector256.MultiplyAddEstimate(x0, y, s01); s11 = Vector256.MultiplyAddEstimate(x1, y, s11);
                    y = Vector256.Load(b2 + p); s02 = Vector256.MultiplyAddEstimate(x0, y, s02); s12 = Vector256.MultiplyAddEstimate(x1, y, s12);
                    y = Vector256.Load(b3 + p); s03 = Vector256.MultiplyAddEstimate(x0, y, s03); s13 = Vector256.MultiplyAddEstimate(x1, y, s13);
                }
                sums[0] = Vector256.Sum(s00); sums[1] = Vector256.Sum(s01); sums[2] = Vector256.Sum(s02); sums[3] = Vector256.Sum(s03);
                sums[4] = Vector256.Sum(s10); sums[5] = Vector256.Sum(s11); sums[6] = Vector256.Sum(s12); sums[7] = Vector256.Sum(s13);
                for (int p = k8; p < k; p++)
                {
                    sums[0] += a0[p] * b0[p]; sums[1] += a0[p] * b1[p]; sums[2] += a0[p] * b2[p]; sums[3] += a0[p] * b3[p];
                    sums[4] += a1[p] * b0[p]; sums[5] += a1[p] * b1[p]; sums[6] += a1[p] * b2[p]; sums[7] += a1[p] * b3[p];
                }
                for (int r = 0; r < rows; r++)
                    for (int q = 0; q < cols; q++)
                    {
                        float* dst = c + (long)(i + r) * ldc + j + q;
                        *dst = accumulate ? *dst + sums[r * 4 + q] : sums[r * 4 + q];
                    }
            }
        }
    }

    /// <summary>float32 6x16 tile: full tiles go straight to C, edge tiles through a stack tile.</summary>
    private static unsafe void TileF32(int kc, float* a, float* b, long bStride, float* c, int ldc, int rows, int cols, bool overwrite)
    {
        if (rows == MR && cols == 16)
        {
            Kernel256(kc, a, b, bStride, c, ldc, overwrite);
            return;
        }
        float* tile = stackalloc float[MR * 16];
        Kernel256(kc, a, b, bStride, tile, 16, overwrite: true);
        for (int r = 0; r < rows; r++)
        {
            float* dst = c + (long)r * ldc;
            float* src = tile + r * 16;
            if (overwrite) for (int q = 0; q < cols; q++) dst[q] = src[q];
            else for (int q = 0; q < cols; q++) dst[q] += src[q];
        }
    }
}
