using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The AVX-512 engine of <see cref="DirectConvF32"/> for small planes (ResNet-20's 8x8 and 16x16, 7x7 and 14x14 on 28x28
/// inputs): the same stride-1 correlation, but each padded input plane is stored as KW copies shifted by one kernel column
/// and cut to the output width, so that for every tap (i, ki, kj) the inputs of all output pixels of a plane are one flat,
/// contiguous run (row oh + ki·DH of copy kj). The vectors then run over the flattened output plane, 16 pixels at a time
/// (an 8x8 plane is four whole vectors, where rows padded to 10 made most 8-float loads of the AVX2 engine straddle cache
/// lines), and are stored straight into NCHW. The tile is eight output channels x three vectors in 24 of the 32 zmm
/// registers: per tap three loads and eight broadcasts feed 24 FMAs, twice the work per load of the 4 x 3 ymm tile.
/// </summary>
internal static unsafe class SmallPlaneConvF32
{
    public const int Lanes = 16;
    public const int KBlock = 8;
    private const int VBlock = 3;

    /// <summary>Output planes up to this many pixels (16x16) take this engine.</summary>
    public const int MaxPixels = 256;

    /// <summary>Scratch budget for a block of shifted images, in floats (512 KB of the 1 MB L2 of each core).</summary>
    private const int BlockFloats = 1 << 17;

    [ThreadStatic] private static int _off;

    /// <summary>Whether the engine runs this plan: AVX-512 hardware, a small output plane, and not turned off on this thread.
    /// The plane must also fill its 16-float vectors at least as well as the AVX2 engine fills its 8-float rows: 14x14 (196
    /// of 208 lanes against 14 of 16) and 8x8 qualify, 7x7 (49 of 64 against 7 of 8) does not. Measured (2 threads, wall,
    /// best of 15, N = 128, this engine against the AVX2 one, forward + backward): C = K = 64 on 8x8 13.3-13.6 against
    /// 13.4-14.4 ms, C = K = 32 on 14x14 10.6 against 12.8, on 16x16 15.1 against 15.4; on 7x7 14.6 against 15.1 but the
    /// weight gradient 4.5 against 3.9.</summary>
    public static bool Applies(in DirectConvF32.Plan p)
    {
        if (_off != 0 || !Vector512.IsHardwareAccelerated || (long)p.OH * p.OW > MaxPixels || p.S is not (1 or 2)) return false;
        int pixels = p.OH * p.OW, rowLanes = (p.OW + 7) / 8 * 8;
        // pixels / (16 · vectors) >= OW / rowLanes, in integers.
        return (long)pixels * rowLanes >= (long)p.OW * ((pixels + Lanes - 1) / Lanes * Lanes);
    }

    /// <summary>Until disposed, calls on this thread use the AVX2 engine (tests keep both engines covered).</summary>
    public static OffScope Off()
    {
        _off++;
        return new OffScope();
    }

    public readonly struct OffScope : IDisposable
    {
        public void Dispose() => _off--;
    }

    /// <summary>Sizes of the shifted layout: per image [Cin][KW][S][Plane], one copy per kernel column and, with stride S, per
    /// row phase (copy (kj, ph) row r holds padded row S·r + ph, every S-th column from column kj·DW), so that every tap
    /// (i, ki, kj) is the flat run of copy (kj, ki·DH mod S) from row ki·DH div S. A copy's rows are OW floats apart; it is
    /// long enough that the last vector of the lowest tap row stays inside (its extra lanes are finite and never stored)
    /// and that the last row's whole-vector copy fits.</summary>
    internal readonly record struct Layout(DirectConvF32.Plan P)
    {
        public int Pixels => P.OH * P.OW;
        public int Vectors => (Pixels + Lanes - 1) / Lanes;

        /// <summary>Rows below an output row that the lowest tap reads, in a copy's rows.</summary>
        public int RowReach => (P.KH - 1) * P.DH / P.S;

        /// <summary>Rows of each copy.</summary>
        public int Rows => P.OH + RowReach;
        public int Copies => P.KW * P.S;
        public int Plane => RoundUp(Math.Max(Rows * P.OW + 8, Vectors * Lanes + RowReach * P.OW));
        public int Image => P.Cin * Copies * Plane;
        public int ImagesPerBlock => Math.Clamp(BlockFloats / Math.Max(1, Image), 1, Math.Max(1, P.N));
        public int KBlocks => (P.Cout + KBlock - 1) / KBlock;

        /// <summary>Width of the zero-bordered plane the copies are cut from.</summary>
        public int PaddedWidth => (P.OW - 1) * P.S + (P.KW - 1) * P.DW + 1;

        /// <summary>Floats of that plane, with room for the last row's whole-vector reads (two vectors at stride 2).</summary>
        public int PadFloats => P.Hp * PaddedWidth + 32;

        /// <summary>Offsets of the taps (i, ki, kj), tap-major as the packed weights. The layout's sizes are read once: through
        /// the record's properties, recomputed per tap, building this array took 0.8 us of LeNet-5's 8.7 us conv2 at batch 1.</summary>
        public int[] TapOffsets()
        {
            int cin = P.Cin, kh = P.KH, kw = P.KW, dh = P.DH, s = P.S, ow = P.OW, copies = Copies, plane = Plane;
            var offs = new int[cin * kh * kw];
            int t = 0;
            for (int i = 0; i < cin; i++)
                for (int ki = 0; ki < kh; ki++)
                {
                    int row = ki * dh, at = (i * copies + row % s) * plane + row / s * ow;
                    for (int kj = 0; kj < kw; kj++) offs[t++] = at + kj * s * plane;
                }
            return offs;
        }

        private static int RoundUp(int v) => (v + Lanes - 1) / Lanes * Lanes;
    }

    /// <summary>Floats to rent for <paramref name="floats"/> floats starting on a 64-byte boundary.</summary>
    public static int AlignedSize(int floats) => floats + Lanes;

    /// <summary>The first 64-byte boundary at or after <paramref name="p"/> (the array must be pinned while it is used).</summary>
    public static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

    /// <summary>out = correlation of src with w (+ bias, then ReLU when asked), overwriting every output. w is [Cout, Cin, KH,
    /// KW], or with <paramref name="flipTranspose"/> the forward weights of the input gradient (see <see cref="DirectConvF32.Packing"/>).</summary>
    public static void Correlate(ReadOnlyMemory<float> src, ReadOnlyMemory<float> w, bool flipTranspose, ReadOnlyMemory<float>? bias, Memory<float> output,
        DirectConvF32.Plan p, bool relu)
    {
        if (p.N == 0) return;
        if ((long)p.N * p.Cout * p.OH * p.OW > output.Length) throw new ArgumentException("output buffer is smaller than the plan needs");
        var l = new Layout(p);
        var k = new DirectConvF32.Packing(p.Cout, p.Cin, p.KH, p.KW, flipTranspose, KBlock);
        var packed = ConvScratch<float>.Rent(k.Floats);
        var offs = l.TapOffsets();
        var bias8 = new float[l.KBlocks * KBlock];
        if (bias is { } b) b.Span[..p.Cout].CopyTo(bias8);
        int per = l.ImagesPerBlock, workers = CpuThreads.Count;
        // A batch that fits one block but has two or more images per worker (network3's 10) goes in equal image blocks, one
        // per worker: split by output-channel blocks, its 5 blocks of 8 channels fell 3 to 2 and one core waited. Forward,
        // 2 threads, alternated in one process: network3 conv2 (N=10) 378 / 181 -> 340 / 149 us, C=K=32 on 16x16 N=4 119 /
        // 105 -> 111 / 101; at N=2 (C=K=64 on 8x8) the channel split stays faster (54 against 68: the weights are packed
        // once, serially, before an image split).
        if (per >= p.N && p.N >= 2 * workers && workers > 1) per = (p.N + workers - 1) / workers;
        int blocks = (p.N + per - 1) / per, next = 0;
        if (blocks == 1 && l.KBlocks > 1 && workers > 1)
        {
            CorrelateFewImages(src, w, k, packed, offs, bias8, output, l, relu);
            ConvScratch<float>.Return(packed);
            return;
        }
        DirectConvF32.PackBlocks(w.Span, k, 0, k.Blocks, packed);
        // Workers claim blocks of images one at a time rather than taking fixed halves: on a shared machine one worker can
        // lose its core for milliseconds, and the other then finishes the batch instead of waiting for it.
        CpuThreads.For(blocks, (_, _) =>
        {
            var scratch = ConvScratch<float>.Rent(AlignedSize(per * l.Image));
            var pad = ConvScratch<float>.Rent(l.PadFloats);
            fixed (float* raw = scratch, pp = pad, ws = packed, bs = bias8, ys = output.Span)
            fixed (int* ofs = offs)
            {
                float* xs = Align(raw);
                for (int block; (block = Interlocked.Increment(ref next) - 1) < blocks;)
                {
                    int n0 = block * per, count = Math.Min(per, p.N - n0);
                    ShiftBlock(src.Span, l, n0, count, xs, pp);
                    CorrelateBlock(xs, ws, ofs, bs, ys, l, n0, count, relu, 0, l.KBlocks);
                }
            }
            ConvScratch<float>.Return(pad);
            ConvScratch<float>.Return(scratch);
        });
        ConvScratch<float>.Return(packed);
    }

    /// <summary>All images fit one block (batch-1 inference): the workers split the output channels instead, each shifting
    /// its own copy of the block and packing its own weight blocks, so a single image still uses every core (one shared
    /// copy made by the caller cost more than the convolution saved: every write to it took its cache lines back from the
    /// core that had read it).</summary>
    private static void CorrelateFewImages(ReadOnlyMemory<float> src, ReadOnlyMemory<float> w, DirectConvF32.Packing k, float[] packed, int[] offs,
        float[] bias8, Memory<float> output, Layout l, bool relu)
    {
        CpuThreads.For(l.KBlocks, (kb0, kb1) =>
        {
            var scratch = ConvScratch<float>.Rent(AlignedSize(l.P.N * l.Image));
            var pad = ConvScratch<float>.Rent(l.PadFloats);
            DirectConvF32.PackBlocks(w.Span, k, kb0, kb1, packed);
            fixed (float* raw = scratch, pp = pad, ws = packed, bs = bias8, ys = output.Span)
            fixed (int* ofs = offs)
            {
                ShiftBlock(src.Span, l, 0, l.P.N, Align(raw), pp);
                CorrelateBlock(Align(raw), ws, ofs, bs, ys, l, 0, l.P.N, relu, kb0, kb1);
            }
            ConvScratch<float>.Return(pad);
            ConvScratch<float>.Return(scratch);
        });
    }

    /// <summary>Images [n0, n0 + count) of src as the shifted layout at dst: each plane goes once into the zero-bordered
    /// scratch <paramref name="pad"/> (its border is cleared once and never written), then each copy (kj, ph) takes OW
    /// columns, every S-th from column kj·DW, of padded rows ph, ph + S, ...</summary>
    public static void ShiftBlock(ReadOnlySpan<float> src, in Layout l, int n0, int count, float* dst, float* pad)
    {
        var p = l.P;
        int hs = p.Hs, ws = p.Ws, ow = p.OW, wq = l.PaddedWidth, hp = p.Hp, plane = l.Plane, rows = l.Rows, body = rows * ow, stride = p.S;
        new Span<float>(pad, l.PadFloats).Clear();
        // Source rows [r0, r1) and columns [c0, c1) of the padded plane hold input; the rest stays zero.
        int r0 = Math.Max(0, p.PadTop), r1 = Math.Min(hp, p.PadTop + hs), c0 = Math.Max(0, p.PadLeft), c1 = Math.Min(wq, p.PadLeft + ws);
        if ((long)(n0 + count) * p.Cin * hs * ws > src.Length) throw new ArgumentException("source buffer is smaller than the plan needs");
        fixed (float* ss = src)
        {
            for (int n = 0; n < count; n++)
                for (int i = 0; i < p.Cin; i++)
                {
                    float* sp = ss + ((long)(n0 + n) * p.Cin + i) * hs * ws;
                    for (int r = r0; r < r1; r++) Copy(sp + (r - p.PadTop) * ws + (c0 - p.PadLeft), pad + r * wq + c0, c1 - c0);
                    float* dp = dst + ((long)n * p.Cin + i) * l.Copies * plane;
                    for (int kj = 0; kj < p.KW; kj++)
                        for (int ph = 0; ph < stride; ph++, dp += plane)
                        {
                            // Rows go a whole number of 8-float vectors at a time (a 7- or 14-wide row element by element cost
                            // as much as 10 % of the convolution): each row's overrun lands on the next row, written after it,
                            // and the last row's on the tail, cleared after it.
                            float* from = pad + kj * p.DW;
                            if (stride == 1)
                                // Stride 1: the copy's rows are the padded plane's rows (Rows = Hp), none to clear.
                                for (int r = 0; r < rows; r++)
                                {
                                    float* f = from + r * wq, to = dp + r * ow;
                                    for (int k = 0; k < ow; k += 8) Vector256.Store(Vector256.Load(f + k), to + k);
                                }
                            else
                                for (int r = 0; r < rows; r++)
                                {
                                    int pr = r * stride + ph;
                                    float* to = dp + r * ow;
                                    if (pr >= hp) new Span<float>(to, ow).Clear();
                                    else for (int k = 0; k < ow; k += 8) Vector256.Store(Im2Col.EvenLanes(from + pr * wq + 2 * k), to + k);
                                }
                            new Span<float>(dp + body, plane - body).Clear();
                        }
                }
        }
    }

    /// <summary>len floats from s to d (also the one-channel engine's row copy).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Copy(float* s, float* d, int len)
    {
        if (len < 8)
        {
            for (int k = 0; k < len; k++) d[k] = s[k];
            return;
        }
        // Whole vectors, the last one overlapping the one before it (it writes the same values again).
        for (int k = 0; k < len - 8; k += 8) Vector256.Store(Vector256.Load(s + k), d + k);
        Vector256.Store(Vector256.Load(s + len - 8), d + len - 8);
    }

    /// <summary>Output-channel blocks [kb0, kb1) of images [n0, n0 + count), from their shifted layout at xs.</summary>
    private static void CorrelateBlock(float* xs, float* ws, int* offs, float* bias8, float* ys, in Layout l, int n0, int count, bool relu, int kb0, int kb1)
    {
        var p = l.P;
        int vecs = l.Vectors, total = count * vecs, taps = p.Taps, pixels = l.Pixels;
        var res = stackalloc float[KBlock * VBlock * Lanes];
        var srcOff = stackalloc long[VBlock];
        var dstOff = stackalloc long[VBlock];
        var valid = stackalloc int[VBlock];
        for (int kb = kb0; kb < kb1; kb++)
        {
            int o0 = kb * KBlock, kv = Math.Min(KBlock, p.Cout - o0);
            float* wb = ws + (long)kb * taps * KBlock;
            for (int v0 = 0, width; v0 < total; v0 += width)
            {
                // Groups of three vectors, but the last four go as two pairs and the last two as one (one image of 8x8 is
                // four vectors: 3 + 1 computed six). Only a lone vector computes a copy of itself.
                int left = total - v0;
                width = left is 4 or 2 or 1 ? 2 : VBlock;
                int distinct = Math.Min(width, left);
                for (int j = 0; j < width; j++)
                {
                    // Missing vectors of the last group repeat the last real one (computed, not stored).
                    int v = v0 + Math.Min(j, distinct - 1), n = v / vecs, col = v % vecs * Lanes;
                    srcOff[j] = (long)n * l.Image + col;
                    dstOff[j] = ((long)(n0 + n) * p.Cout + o0) * pixels + col;
                    valid[j] = Math.Min(Lanes, pixels - col);
                }
                if (width == VBlock) Tile(xs + srcOff[0], xs + srcOff[1], xs + srcOff[2], offs, taps, wb, bias8 + o0, res);
                else Pair(xs + srcOff[0], xs + srcOff[1], offs, taps, wb, bias8 + o0, res);
                for (int c = 0; c < kv; c++)
                    for (int j = 0; j < distinct; j++)
                    {
                        float* r = res + (c * VBlock + j) * Lanes, dst = ys + dstOff[j] + (long)c * pixels;
                        var a = Vector512.Load(r);
                        if (relu) a = Vector512.Max(a, Vector512<float>.Zero);
                        if (valid[j] == Lanes) a.Store(dst);
                        else
                        {
                            a.Store(r);
                            for (int e = 0; e < valid[j]; e++) dst[e] = r[e];
                        }
                    }
            }
        }
    }

    /// <summary><see cref="Tile"/> for two vectors (res[c][0..2) of the same layout): 16 accumulators, two loads and eight
    /// broadcasts per tap.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Pair(float* x0, float* x1, int* offs, int taps, float* w, float* bias, float* res)
    {
        Vector512<float> a00 = Vector512.Create(bias[0]), a01 = a00, a10 = Vector512.Create(bias[1]), a11 = a10;
        Vector512<float> a20 = Vector512.Create(bias[2]), a21 = a20, a30 = Vector512.Create(bias[3]), a31 = a30;
        Vector512<float> a40 = Vector512.Create(bias[4]), a41 = a40, a50 = Vector512.Create(bias[5]), a51 = a50;
        Vector512<float> a60 = Vector512.Create(bias[6]), a61 = a60, a70 = Vector512.Create(bias[7]), a71 = a70;
        for (int t = 0; t < taps; t++, w += KBlock)
        {
            int o = offs[t];
            var v0 = Vector512.Load(x0 + o);
            var v1 = Vector512.Load(x1 + o);
            var b = Vector512.Create(w[0]); a00 = Vector512.MultiplyAddEstimate(b, v0, a00); a01 = Vector512.MultiplyAddEstimate(b, v1, a01);
            b = Vector512.Create(w[1]); a10 = Vector512.MultiplyAddEstimate(b, v0, a10); a11 = Vector512.MultiplyAddEstimate(b, v1, a11);
            b = Vector512.Create(w[2]); a20 = Vector512.MultiplyAddEstimate(b, v0, a20); a21 = Vector512.MultiplyAddEstimate(b, v1, a21);
            b = Vector512.Create(w[3]); a30 = Vector512.MultiplyAddEstimate(b, v0, a30); a31 = Vector512.MultiplyAddEstimate(b, v1, a31);
            b = Vector512.Create(w[4]); a40 = Vector512.MultiplyAddEstimate(b, v0, a40); a41 = Vector512.MultiplyAddEstimate(b, v1, a41);
            b = Vector512.Create(w[5]); a50 = Vector512.MultiplyAddEstimate(b, v0, a50); a51 = Vector512.MultiplyAddEstimate(b, v1, a51);
            b = Vector512.Create(w[6]); a60 = Vector512.MultiplyAddEstimate(b, v0, a60); a61 = Vector512.MultiplyAddEstimate(b, v1, a61);
            b = Vector512.Create(w[7]); a70 = Vector512.MultiplyAddEstimate(b, v0, a70); a71 = Vector512.MultiplyAddEstimate(b, v1, a71);
        }
        const int Row = VBlock * Lanes;
        a00.Store(res); a01.Store(res + 16); a10.Store(res + Row); a11.Store(res + Row + 16);
        a20.Store(res + 2 * Row); a21.Store(res + 2 * Row + 16); a30.Store(res + 3 * Row); a31.Store(res + 3 * Row + 16);
        a40.Store(res + 4 * Row); a41.Store(res + 4 * Row + 16); a50.Store(res + 5 * Row); a51.Store(res + 5 * Row + 16);
        a60.Store(res + 6 * Row); a61.Store(res + 6 * Row + 16); a70.Store(res + 7 * Row); a71.Store(res + 7 * Row + 16);
    }

    /// <summary>res[c][j] = bias[c] + Σ_t w[t][c] · x_j[offs[t]] for 8 output channels c and three 16-float vectors x_j:
    /// 24 accumulators, three loads and one broadcast in 28 zmm registers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile(float* x0, float* x1, float* x2, int* offs, int taps, float* w, float* bias, float* res)
    {
        Vector512<float> a00 = Vector512.Create(bias[0]), a01 = a00, a02 = a00;
        Vector512<float> a10 = Vector512.Create(bias[1]), a11 = a10, a12 = a10;
        Vector512<float> a20 = Vector512.Create(bias[2]), a21 = a20, a22 = a20;
        Vector512<float> a30 = Vector512.Create(bias[3]), a31 = a30, a32 = a30;
        Vector512<float> a40 = Vector512.Create(bias[4]), a41 = a40, a42 = a40;
        Vector512<float> a50 = Vector512.Create(bias[5]), a51 = a50, a52 = a50;
        Vector512<float> a60 = Vector512.Create(bias[6]), a61 = a60, a62 = a60;
        Vector512<float> a70 = Vector512.Create(bias[7]), a71 = a70, a72 = a70;
        for (int t = 0; t < taps; t++, w += KBlock)
        {
            int o = offs[t];
            var v0 = Vector512.Load(x0 + o);
            var v1 = Vector512.Load(x1 + o);
            var v2 = Vector512.Load(x2 + o);
            var b = Vector512.Create(w[0]);
            a00 = Vector512.MultiplyAddEstimate(b, v0, a00); a01 = Vector512.MultiplyAddEstimate(b, v1, a01); a02 = Vector512.MultiplyAddEstimate(b, v2, a02);
            b = Vector512.Create(w[1]);
            a10 = Vector512.MultiplyAddEstimate(b, v0, a10); a11 = Vector512.MultiplyAddEstimate(b, v1, a11); a12 = Vector512.MultiplyAddEstimate(b, v2, a12);
            b = Vector512.Create(w[2]);
            a20 = Vector512.MultiplyAddEstimate(b, v0, a20); a21 = Vector512.MultiplyAddEstimate(b, v1, a21); a22 = Vector512.MultiplyAddEstimate(b, v2, a22);
            b = Vector512.Create(w[3]);
            a30 = Vector512.MultiplyAddEstimate(b, v0, a30); a31 = Vector512.MultiplyAddEstimate(b, v1, a31); a32 = Vector512.MultiplyAddEstimate(b, v2, a32);
            b = Vector512.Create(w[4]);
            a40 = Vector512.MultiplyAddEstimate(b, v0, a40); a41 = Vector512.MultiplyAddEstimate(b, v1, a41); a42 = Vector512.MultiplyAddEstimate(b, v2, a42);
            b = Vector512.Create(w[5]);
            a50 = Vector512.MultiplyAddEstimate(b, v0, a50); a51 = Vector512.MultiplyAddEstimate(b, v1, a51); a52 = Vector512.MultiplyAddEstimate(b, v2, a52);
            b = Vector512.Create(w[6]);
            a60 = Vector512.MultiplyAddEstimate(b, v0, a60); a61 = Vector512.MultiplyAddEstimate(b, v1, a61); a62 = Vector512.MultiplyAddEstimate(b, v2, a62);
            b = Vector512.Create(w[7]);
            a70 = Vector512.MultiplyAddEstimate(b, v0, a70); a71 = Vector512.MultiplyAddEstimate(b, v1, a71); a72 = Vector512.MultiplyAddEstimate(b, v2, a72);
        }
        a00.Store(res); a01.Store(res + 16); a02.Store(res + 32);
        a10.Store(res + 48); a11.Store(res + 64); a12.Store(res + 80);
        a20.Store(res + 96); a21.Store(res + 112); a22.Store(res + 128);
        a30.Store(res + 144); a31.Store(res + 160); a32.Store(res + 176);
        a40.Store(res + 192); a41.Store(res + 208); a42.Store(res + 224);
        a50.Store(res + 240); a51.Store(res + 256); a52.Store(res + 272);
        a60.Store(res + 288); a61.Store(res + 304); a62.Store(res + 320);
        a70.Store(res + 336); a71.Store(res + 352); a72.Store(res + 368);
    }
}
