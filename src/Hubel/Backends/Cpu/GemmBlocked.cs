using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The float32 GEMM in the BLIS / GotoBLAS arrangement: C[m, n] (+)= op(A)·op(B) as five loops around one micro-kernel.
/// <code>
/// for jc in 0..n by NC          B block: KC x NC, packed once per (jc, pc) by all workers together (stays in L3)
///   for pc in 0..k by KC
///     for ic in 0..m by MC      A block: MC x KC, packed by the worker that owns those rows (stays in L2)
///       for jr in 0..NC by NR   B sliver: KC x NR (stays in L1 while the A slivers stream past it)
///         for ir in 0..MC by MR   micro-kernel: MR x NR tile of C in registers across all of KC
/// </code>
/// Sizes for this machine class (AMD Zen 3 / Zen 4: 32 KB L1d and 512 KB / 1 MB L2 per core, shared L3), 6 x 16 tiles:
/// KC = 256 puts the B sliver at 256·16·4 = 16 KB, half of L1, leaving the other half to the 6 KB A sliver and C lines;
/// MC = 144 (a multiple of 6) makes the A block 144·256·4 = 144 KB, under a third of L2, so it is not evicted by the B
/// slivers streaming through; NC = 4096 (a multiple of every NR) bounds the packed B block to 4 MB of L3. BLIS uses
/// the same KC and MC for its Zen SGEMM kernel, which has the same 6 x 16 shape.
/// Work is split over the cores without splitting K: chunks of rows of C (or, when there are few rows, of columns) go to
/// the workers (<see cref="ForChunks"/>), each element is still summed in the same order by the same kernel, so the result does not depend on the
/// thread count (what <see cref="Determinism"/> needs) and no reduction is needed.
/// </summary>
internal static partial class Gemm
{
    private const int KCf = 256;
    private const int MCf = 144;
    private const int NCf = 4096;

    /// <summary>Below this many multiply-adds one core finishes before a second one would have started.</summary>
    private const long ParallelMinWork = 1L << 19;

    /// <summary>Below this many elements the caller packs the B block alone (a 128 x 128 block). The helpers spin between
    /// regions, so one joins within a microsecond; with a bound of 131,072 the 256 x 256 block was packed serially and SGEMM at
    /// n=256 ran at 166-167 GFLOP/s against 178-179 with this bound (n=384: 188 -> 199; alternated in one process).</summary>
    private const long ParallelPackMin = 1L << 14;

    /// <summary>Fewest A slivers (of 6 rows) in a row chunk: each chunk streams the whole packed B block, and with 4 slivers
    /// every 16 KB B sliver still serves four tiles from L1 before the next one is needed.</summary>
    private const int RowChunkMin = 4;

    /// <summary>Rows of C are split over the workers only when there are at least this many slivers per worker (m >= 192
    /// on two cores); fewer rows split by columns. With LeNet-5's linear layers at batch 64 (11 slivers) cut into row chunks
    /// of at least four slivers, one worker did 8 of 11 slivers; by columns, alternated in one process, 2 threads: fc1
    /// forward 65-84 -> 44-56 µs, its input gradient 60 -> 35, weight gradient 47 -> 33, fc2 input gradient 15 -> 10.</summary>
    private const int RowSplitFactor = 16;

    private static unsafe void RunBlocked(GemmKernel kernel, bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, bool parallel)
    {
        kernel = GemmKernels.Resolve(kernel);
        int nr = GemmKernels.NR(kernel);
        bool split = parallel && CpuThreads.Count > 1 && (long)m * n * k >= ParallelMinWork;
        int ncMax = Math.Min(NCf, RoundUp(n, nr)), kcMax = Math.Min(KCf, k);
        float* packB = PackBuffers.B(ncMax * kcMax);
        nint aAddr = (nint)a, bAddr = (nint)b, cAddr = (nint)c, packBAddr = (nint)packB;
        int mSlivers = (m + MR - 1) / MR;
        for (int jc = 0; jc < n; jc += NCf)
        {
            int nc = Math.Min(NCf, n - jc), nSlivers = (nc + nr - 1) / nr;
            for (int pc = 0; pc < k; pc += KCf)
            {
                int kc = Math.Min(KCf, k - pc);
                bool overwrite = pc == 0 && !accumulate;
                int jc0 = jc, pc0 = pc;
                void Pack(int s0, int s1) => PackB(transB, (float*)bAddr, ldb, pc0, kc, jc0, nc, nr, s0, s1, (float*)packBAddr);
                void Block(int r0, int r1, int s0, int s1) => Macro(kernel, transA, (float*)aAddr, lda, m, pc0, kc, r0, r1,
                    (float*)packBAddr, nr, nc, s0, s1, (float*)cAddr + jc0, ldc, overwrite);
                if (!split)
                {
                    Pack(0, nSlivers);
                    Block(0, mSlivers, 0, nSlivers);
                }
                else if (mSlivers >= RowSplitFactor * CpuThreads.Count)
                {
                    // Row chunks: every chunk reads all of the B block, so it is packed first (by all workers when large).
                    if (nSlivers > 1 && (long)kc * nc >= ParallelPackMin) ForChunks(nSlivers, 1, 64, 4, Pack);
                    else Pack(0, nSlivers);
                    ForChunks(mSlivers, RowChunkMin, MCf / MR, 16, (r0, r1) => Block(r0, r1, 0, nSlivers));
                }
                else
                {
                    // Column chunks: a chunk packs the B slivers it computes (disjoint parts of the block), so no core waits
                    // for a serial pack. LeNet-5's linear layers at batch 64 spent 6 % of a training step's main-thread time
                    // packing B alone while the helper spun.
                    long key = PackBuffers.NextKey();
                    ForChunks(nSlivers, 1, 64, 4, (s0, s1) =>
                    {
                        Pack(s0, s1);
                        Macro(kernel, transA, (float*)aAddr, lda, m, pc0, kc, 0, mSlivers, (float*)packBAddr, nr, nc, s0, s1, (float*)cAddr + jc0, ldc,
                            overwrite, key);
                    });
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>One worker's share of a (jc, pc) step: row slivers [r0, r1) of C against B slivers [s0, s1), packing its own
    /// A blocks of at most MC rows. <paramref name="c"/> points at column jc of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Macro(GemmKernel kernel, bool transA, float* a, int lda, int m, int pc, int kc, int r0, int r1,
        float* packB, int nr, int nc, int s0, int s1, float* c, int ldc, bool overwrite, long packKey = 0)
    {
        float* packA = PackBuffers.A(MCf * kc);
        for (int i0 = r0 * MR, iEnd = Math.Min(m, r1 * MR); i0 < iEnd; i0 += MCf)
        {
            int mc = Math.Min(MCf, iEnd - i0);
            // Column chunks of one (jc, pc) step all use the same A block: a worker that takes several packs it once
            // (keyed by the step; only when the block is all of A's rows, so one buffer holds it).
            bool whole = packKey != 0 && i0 == 0 && mc == m;
            if (!whole || PackBuffers.PackedAKey != packKey) PackA(transA, a, lda, i0, mc, pc, kc, packA);
            PackBuffers.PackedAKey = whole ? packKey : 0;
            for (int s = s0; s < s1; s++)
            {
                int j = s * nr, cols = Math.Min(nr, nc - j);
                float* bSliver = packB + (long)s * kc * nr;
                float* cTile = c + (long)i0 * ldc + j;
                for (int ir = 0; ir < mc; ir += MR, cTile += (long)MR * ldc)
                    Tile(kernel, kc, packA + (long)ir * kc, bSliver, nr, cTile, ldc, Math.Min(MR, mc - ir), cols, overwrite);
            }
        }
    }

    /// <summary>One MR x NR tile: full tiles go straight to C; edge tiles take the slower <see cref="EdgeTile"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Tile(GemmKernel kernel, int kc, float* a, float* b, int nr, float* c, int ldc, int rows, int cols, bool overwrite)
    {
        if (rows == MR && cols == nr) Micro(kernel, kc, a, b, c, ldc, overwrite);
        else EdgeTile(kernel, kc, a, b, nr, c, ldc, rows, cols, overwrite);
    }

    /// <summary>An edge tile is computed whole into a stack tile (the packed operands are zero-padded) and only its valid
    /// rows and columns are written to C. Kept out of <see cref="Tile"/> so the common path carries no stack buffer
    /// (which the JIT would zero on every call).</summary>
    [MethodImpl(MethodImplOptions.NoInlining), SkipLocalsInit]
    private static unsafe void EdgeTile(GemmKernel kernel, int kc, float* a, float* b, int nr, float* c, int ldc, int rows, int cols, bool overwrite)
    {
        float* tile = stackalloc float[MR * 32];
        Micro(kernel, kc, a, b, tile, nr, overwrite: true);
        for (int r = 0; r < rows; r++)
        {
            float* dst = c + (long)r * ldc, src = tile + r * nr;
            if (overwrite) for (int q = 0; q < cols; q++) dst[q] = src[q];
            else for (int q = 0; q < cols; q++) dst[q] += src[q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Micro(GemmKernel kernel, int kc, float* a, float* b, float* c, long ldc, bool overwrite)
    {
        switch (kernel)
        {
            case GemmKernel.Vector512: Kernel512(kc, a, b, c, ldc, overwrite); break;
            case GemmKernel.Vector256: Kernel256(kc, a, b, 16, c, ldc, overwrite); break;
            case GemmKernel.Vector128: Kernel128(kc, a, b, c, ldc, overwrite); break;
            default: KernelScalar(kc, a, b, c, ldc, overwrite); break;
        }
    }

    /// <summary>Per-thread packing buffers, pinned (so raw pointers stay valid while workers use them), grown on demand
    /// and then reused: after warm-up a GEMM call allocates nothing. The caller's thread owns the shared B block; every
    /// worker owns the A block it packs. Handed out 64-byte aligned: a pinned array starts only 16-byte aligned, and then
    /// one of the two B vectors the 6 x 16 kernel loads per step straddled two cache lines.</summary>
    private static class PackBuffers
    {
        private const int AlignFloats = 16;
        [ThreadStatic] private static float[]? _a;

        /// <summary>Which column-split step this thread's A buffer holds (0: none or a partial block).</summary>
        [ThreadStatic] public static long PackedAKey;

        /// <summary>A new key for a column-split step; never 0.</summary>
        public static long NextKey() => Interlocked.Increment(ref _keys);

        private static long _keys;

        [ThreadStatic] private static float[]? _b;

        public static unsafe float* A(int size) => Pointer(ref _a, size);
        public static unsafe float* B(int size) => Pointer(ref _b, size);

        private static unsafe float* Pointer(ref float[]? buffer, int size)
        {
            if (buffer is null || buffer.Length < size + AlignFloats)
                buffer = GC.AllocateUninitializedArray<float>(size + AlignFloats, pinned: true);
            var start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(buffer));
            return (float*)((start + 63) & ~(nint)63);
        }
    }
}
