using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Row-major GEMM: C = op(A) * op(B) (+ C when accumulating), for float and double. float32 goes to
/// <see cref="RunF32"/> (GemmF32.cs, GemmBlocked.cs); what follows is the generic path that double uses.
/// Goto-style blocking: a KC-deep slice of B is packed into NR-wide panels and A into MR-tall panels,
/// so the micro-kernel streams both from cache with unit stride; a 6 x 2-vector register tile
/// accumulates with fused multiply-add. Column panels are split over the CPU workers.
/// </summary>
internal static partial class Gemm
{
    private const int MR = 6;
    private const int KC = 256;
    private const int MC = 96;
    private const int NC = 2048;

    private static int NR<T>() => 2 * Vector256<T>.Count;

    /// <param name="transA">A is stored as [k, m] (use Aᵀ).</param>
    /// <param name="transB">B is stored as [n, k] (use Bᵀ).</param>
    /// <param name="accumulate">add into C instead of overwriting it.</param>
    /// <param name="parallel">split the work over <see cref="CpuThreads"/>; pass false when the caller already runs in parallel.</param>
    public static void Run<T>(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<T> a, int lda, ReadOnlySpan<T> b, int ldb, Span<T> c, int ldc,
        bool accumulate, bool parallel = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            RunF32(GemmKernel.Auto, transA, transB, m, n, k, MemoryMarshal.Cast<T, float>(a), lda, MemoryMarshal.Cast<T, float>(b), ldb,
                MemoryMarshal.Cast<T, float>(c), ldc, accumulate, parallel);
            return;
        }
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.Slice(i * ldc, n).Clear();
            return;
        }
        CheckExtent(a.Length, transA ? k : m, transA ? m : k, lda, nameof(a));
        CheckExtent(b.Length, transB ? n : k, transB ? k : n, ldb, nameof(b));
        CheckExtent(c.Length, m, n, ldc, nameof(c));


        int nr = NR<T>();
        int mPanels = (m + MR - 1) / MR;
        int kcMax = Math.Min(k, KC);
        var packA = Scratch<T>.A(mPanels * MR * kcMax);
        var packB = Scratch<T>.B(((Math.Min(n, NC) + nr - 1) / nr) * nr * kcMax);
        {
            for (int jc = 0; jc < n; jc += NC)
            {
                int nc = Math.Min(NC, n - jc);
                int nPanels = (nc + nr - 1) / nr;
                for (int pc = 0; pc < k; pc += KC)
                {
                    int kc = Math.Min(KC, k - pc);
                    bool overwrite = pc == 0 && !accumulate;
                    PackB(transB, b, ldb, pc, jc, kc, nc, nr, packB);
                    PackA(transA, a, lda, pc, m, kc, packA);
                    var cArr = c;
                    if (parallel && CpuThreads.Count > 1 && (long)m * nc * kc > 64 * 1024 && nPanels > 1)
                    {
                        unsafe
                        {
                            fixed (T* cp = c)
                            {
                                nint cAddr = (nint)cp;
                                CpuThreads.For(nPanels, (p0, p1) =>
                                    Macro((T*)cAddr, ldc, packA, packB, m, nc, kc, jc, p0, p1, nr, overwrite));
                            }
                        }
                    }
                    else
                    {
                        unsafe
                        {
                            fixed (T* cp = c) Macro(cp, ldc, packA, packB, m, nc, kc, jc, 0, nPanels, nr, overwrite);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Per-thread packing buffers, grown on demand and reused, so a GEMM call allocates nothing
    /// after warm-up. Workers only read them (they are filled before the parallel region).</summary>
    private static class Scratch<T>
    {
        [ThreadStatic] private static T[]? _a;
        [ThreadStatic] private static T[]? _b;
        public static T[] A(int size) => _a is { } a && a.Length >= size ? a : _a = new T[size];
        public static T[] B(int size) => _b is { } b && b.Length >= size ? b : _b = new T[size];
    }

    private static void CheckExtent(int length, int rows, int cols, int ld, string name)
    {
        if (ld < cols) throw new ArgumentOutOfRangeException(name, $"leading dimension {ld} is smaller than the row length {cols}");
        long need = (long)(rows - 1) * ld + cols;
        if (rows > 0 && cols > 0 && need > length)
            throw new ArgumentOutOfRangeException(name, $"buffer of {length} elements is too small for {rows}x{cols} with leading dimension {ld}");
    }

    private static unsafe void Macro<T>(T* c, int ldc, T[] packA, T[] packB, int m, int nc, int kc, int jc,
        int panel0, int panel1, int nr, bool overwrite) where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pa = packA, pb = packB)
        {
            for (int ic = 0; ic < m; ic += MC)
            {
                int mcEnd = Math.Min(m, ic + MC);
                for (int panel = panel0; panel < panel1; panel++)
                {
                    int j = panel * nr;
                    int ncols = Math.Min(nr, nc - j);
                    T* bp = pb + (long)panel * kc * nr;
                    for (int i = ic; i < mcEnd; i += MR)
                    {
                        int nrows = Math.Min(MR, m - i);
                        T* ap = pa + (long)(i / MR) * kc * MR;
                        MicroKernel(kc, ap, bp, c + (long)i * ldc + jc + j, ldc, nrows, ncols, overwrite);
                    }
                }
            }
        }
    }

    private static void PackA<T>(bool transA, ReadOnlySpan<T> a, int lda, int pc, int m, int kc, T[] dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = 0;
        for (int i0 = 0; i0 < m; i0 += MR)
        {
            int rows = Math.Min(MR, m - i0);
            for (int p = 0; p < kc; p++)
            {
                if (transA)
                {
                    var src = a.Slice((pc + p) * lda + i0, rows);
                    for (int r = 0; r < rows; r++) dst[d + r] = src[r];
                }
                else
                {
                    for (int r = 0; r < rows; r++) dst[d + r] = a[(i0 + r) * lda + pc + p];
                }
                for (int r = rows; r < MR; r++) dst[d + r] = T.Zero;
                d += MR;
            }
        }
    }

    private static void PackB<T>(bool transB, ReadOnlySpan<T> b, int ldb, int pc, int jc, int kc, int nc, int nr, T[] dst)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = 0;
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            for (int p = 0; p < kc; p++)
            {
                if (!transB)
                {
                    b.Slice((pc + p) * ldb + jc + j0, cols).CopyTo(dst.AsSpan(d, cols));
                }
                else
                {
                    for (int q = 0; q < cols; q++) dst[d + q] = b[(jc + j0 + q) * ldb + pc + p];
                }
                for (int q = cols; q < nr; q++) dst[d + q] = T.Zero;
                d += nr;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<T> Fma<T>(Vector256<T> x, Vector256<T> y, Vector256<T> acc)
    {
        if (typeof(T) == typeof(float))
            return Vector256.MultiplyAddEstimate(x.As<T, float>(), y.As<T, float>(), acc.As<T, float>()).As<float, T>();
        if (typeof(T) == typeof(double))
            return Vector256.MultiplyAddEstimate(x.As<T, double>(), y.As<T, double>(), acc.As<T, double>()).As<double, T>();
        return x * y + acc;
    }

    /// <summary>C[0..rows, 0..cols] (+)= sum over p of A[p, 0..6] ⊗ B[p, 0..NR] from packed panels.</summary>
    private static unsafe void MicroKernel<T>(int kc, T* a, T* b, T* c, int ldc, int rows, int cols, bool overwrite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int w = Vector256<T>.Count;
        Vector256<T> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<T> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + w);
            var a0 = Vector256.Create(a[0]); c00 = Fma(a0, b0, c00); c01 = Fma(a0, b1, c01);
            var a1 = Vector256.Create(a[1]); c10 = Fma(a1, b0, c10); c11 = Fma(a1, b1, c11);
            var a2 = Vector256.Create(a[2]); c20 = Fma(a2, b0, c20); c21 = Fma(a2, b1, c21);
            var a3 = Vector256.Create(a[3]); c30 = Fma(a3, b0, c30); c31 = Fma(a3, b1, c31);
            var a4 = Vector256.Create(a[4]); c40 = Fma(a4, b0, c40); c41 = Fma(a4, b1, c41);
            var a5 = Vector256.Create(a[5]); c50 = Fma(a5, b0, c50); c51 = Fma(a5, b1, c51);
            a += MR;
            b += 2 * w;
        }
        if (rows == MR && cols == 2 * w)
        {
            Store(c, c00, c01, w, overwrite); Store(c + ldc, c10, c11, w, overwrite);
            Store(c + 2 * ldc, c20, c21, w, overwrite); Store(c + 3 * ldc, c30, c31, w, overwrite);
            Store(c + 4 * ldc, c40, c41, w, overwrite); Store(c + 5 * ldc, c50, c51, w, overwrite);
            return;
        }
        T* tile = stackalloc T[MR * 2 * w];
        int tw = 2 * w;
        c00.Store(tile); c01.Store(tile + w); c10.Store(tile + tw); c11.Store(tile + tw + w);
        c20.Store(tile + 2 * tw); c21.Store(tile + 2 * tw + w); c30.Store(tile + 3 * tw); c31.Store(tile + 3 * tw + w);
        c40.Store(tile + 4 * tw); c41.Store(tile + 4 * tw + w); c50.Store(tile + 5 * tw); c51.Store(tile + 5 * tw + w);
        for (int r = 0; r < rows; r++)
        {
            T* dst = c + (long)r * ldc;
            T* src = tile + r * tw;
            if (overwrite) for (int q = 0; q < cols; q++) dst[q] = src[q];
            else for (int q = 0; q < cols; q++) dst[q] += src[q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store<T>(T* dst, Vector256<T> lo, Vector256<T> hi, int w, bool overwrite)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!overwrite)
        {
            lo += Vector256.Load(dst);
            hi += Vector256.Load(dst + w);
        }
        lo.Store(dst);
        hi.Store(dst + w);
    }
}
