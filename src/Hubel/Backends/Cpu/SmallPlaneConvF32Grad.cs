using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The weight gradient of <see cref="SmallPlaneConvF32"/>: dW[o, tap] = Σ over images and output pixels of dY[o] · (the
/// input shifted by the tap), which in the shifted layout is a dot product of two flat runs per image. A block of images is
/// shifted once; dY of the block is repacked as [vector][channel][16] (channels rounded up to the block of 8, lanes past
/// the plane zero), so the eight channels of one vector sit at fixed distances from one pointer. The tile is eight
/// channels x three taps in 24 zmm accumulators (one dY load feeds three taps, one input load eight channels), reduced
/// across lanes once per block into per-block partial sums added in block order.
/// </summary>
internal static unsafe class SmallPlaneConvF32Grad
{
    private const int Lanes = SmallPlaneConvF32.Lanes, KBlock = SmallPlaneConvF32.KBlock, TBlock = 3;

    /// <summary>Scratch budget for a block of shifted images and their repacked dY, in floats (4 MB). Larger blocks cost
    /// fewer lane reductions and partial sums; what matters more is that the blocks split evenly over the workers (see
    /// <see cref="BlockMultiple"/>). C = K = 64 on 8x8, N = 128, 2 threads, wall, best of 9: 6 blocks of 23 images (the old
    /// 2 MB budget, one worker doing 69 images and the other 59) 3.7-3.9 ms, 4 blocks of 32 3.4-3.6, 2 of 64 3.6-3.8, 3 of
    /// up to 48 4.3-4.4, 8 of 16 3.7-3.8.</summary>
    private const int GradBlockFloats = 1 << 20;

    /// <summary>The block count is rounded up to a multiple of this (2 or 4 workers then get equal shares), and the images
    /// spread evenly over the blocks. It depends on the shape only, not on the thread count, so the partial sums, and the
    /// result, are the same at any thread count.</summary>
    private const int BlockMultiple = 4;

    /// <summary>Images per block for a batch of n: at most perMax, in a block count that is a multiple of
    /// <see cref="BlockMultiple"/> (or 1).</summary>
    internal static int ImagesPerBlock(int n, int perMax)
    {
        int blocks = (n + perMax - 1) / perMax;
        if (blocks > 1) blocks = Math.Min(n, (blocks + BlockMultiple - 1) / BlockMultiple * BlockMultiple);
        return (n + blocks - 1) / blocks;
    }

    /// <summary>dw = Σ over images of dY ⋆ x for the forward plan <paramref name="p"/> (overwritten).</summary>
    public static void WeightGradient(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dw, DirectConvF32.Plan p)
    {
        int taps = p.Taps;
        if (p.N == 0) { dw.Span.Clear(); return; }
        if ((long)p.N * p.Cout * p.OH * p.OW > dy.Length) throw new ArgumentException("dY buffer is smaller than the plan needs");
        var l = new SmallPlaneConvF32.Layout(p);
        var offs = l.TapOffsets();
        int coutp = l.KBlocks * KBlock, dyImage = l.Vectors * coutp * Lanes, len = p.Cout * taps;
        // Larger blocks than the forward's: each block ends in 24 lane reductions per tile and one more partial sum.
        int per = ImagesPerBlock(p.N, Math.Clamp(GradBlockFloats / (l.Image + dyImage), 1, p.N)), dyFloats = per * dyImage;
        // One partial sum per block of images, claimed by whichever worker is free (see SmallPlaneConvF32.Correlate) and
        // added in block order: the blocks depend only on the shape, so the sum is the same at any thread count. Each
        // block writes every element of its partial, so the scratch needs no clearing.
        int blocks = (p.N + per - 1) / per, next = 0;
        var partials = ConvScratch<float>.Rent(blocks * len);
        CpuThreads.For(blocks, (_, _) =>
        {
            var scratch = ConvScratch<float>.Rent(SmallPlaneConvF32.AlignedSize(per * l.Image));
            var dscratch = ConvScratch<float>.Rent(SmallPlaneConvF32.AlignedSize(dyFloats));
            var pad = ConvScratch<float>.Rent(l.PadFloats);
            fixed (float* raw = scratch, draw = dscratch, pp = pad)
            fixed (int* ofs = offs)
            {
                float* xs = SmallPlaneConvF32.Align(raw), ds = SmallPlaneConvF32.Align(draw);
                for (int block; (block = Interlocked.Increment(ref next) - 1) < blocks;)
                {
                    int n0 = block * per, count = Math.Min(per, p.N - n0);
                    SmallPlaneConvF32.ShiftBlock(x.Span, l, n0, count, xs, pp);
                    PackDy(dy.Span, l, n0, count, coutp, ds);
                    fixed (float* part = &partials[block * len]) GradBlock(xs, ds, ofs, part, l, count, coutp);
                }
            }
            ConvScratch<float>.Return(pad);
            ConvScratch<float>.Return(dscratch);
            ConvScratch<float>.Return(scratch);
        });
        var total = dw.Span[..len];
        partials.AsSpan(0, len).CopyTo(total);
        for (int i = 1; i < blocks; i++) TensorPrimitives.Add(total, partials.AsSpan(i * len, len), total);
        ConvScratch<float>.Return(partials);
    }

    /// <summary>dY of images [n0, n0 + count) as [channel block][image][vector][8][16], zero past Cout and past the plane:
    /// one block's dY is one contiguous run. (As [image][vector][coutp][16], a block's 512 bytes per vector lay coutp·64
    /// bytes apart, 4 KB for 64 channels, so all of them fell into the same eight L1 sets and every tap re-read them from L2.)</summary>
    private static void PackDy(ReadOnlySpan<float> dy, in SmallPlaneConvF32.Layout l, int n0, int count, int coutp, float* dst)
    {
        int pixels = l.Pixels, vecs = l.Vectors, cout = l.P.Cout;
        long blockFloats = (long)count * vecs * KBlock * Lanes;
        new Span<float>(dst, count * vecs * coutp * Lanes).Clear();
        fixed (float* ds = dy)
        {
            for (int n = 0; n < count; n++)
                for (int o = 0; o < cout; o++)
                {
                    float* s = ds + ((long)(n0 + n) * cout + o) * pixels;
                    for (int v = 0; v < vecs; v++)
                    {
                        float* d = dst + o / KBlock * blockFloats + (((long)n * vecs + v) * KBlock + o % KBlock) * Lanes;
                        int len = Math.Min(Lanes, pixels - v * Lanes);
                        if (len == Lanes) Vector512.Store(Vector512.Load(s + v * Lanes), d);
                        else for (int e = 0; e < len; e++) d[e] = s[v * Lanes + e];
                    }
                }
        }
    }

    /// <summary>partial[o, tap] = Σ over the block of dY[o] · x[tap shift], eight channels x three taps at a time.</summary>
    private static void GradBlock(float* xs, float* ds, int* offs, float* part, in SmallPlaneConvF32.Layout l, int count, int coutp)
    {
        var p = l.P;
        int taps = p.Taps, total = count * l.Vectors;
        var res = stackalloc float[KBlock * TBlock];
        // Where each vector of the block starts in an image's copy, so the tile runs one flat loop (its 24 accumulators then
        // live in a single loop level).
        var xoArray = ConvScratch<int>.Rent(total);
        for (int i = 0; i < total; i++) xoArray[i] = i / l.Vectors * l.Image + i % l.Vectors * Lanes;
        fixed (int* xo = xoArray)
        for (int kb = 0; kb < l.KBlocks; kb++)
        {
            int o0 = kb * KBlock, kv = Math.Min(KBlock, p.Cout - o0);
            for (int t0 = 0; t0 < taps; t0 += TBlock)
            {
                int tv = Math.Min(TBlock, taps - t0);
                // Taps past the last repeat it (computed, not stored).
                float* x0 = xs + offs[t0], x1 = xs + offs[t0 + Math.Min(1, tv - 1)], x2 = xs + offs[t0 + Math.Min(2, tv - 1)];
                GradTile(x0, x1, x2, ds + (long)kb * total * KBlock * Lanes, xo, total, KBlock * Lanes, res);
                for (int c = 0; c < kv; c++)
                    for (int m = 0; m < tv; m++) part[(o0 + c) * taps + t0 + m] = res[c * TBlock + m];
            }
        }
        ConvScratch<int>.Return(xoArray);
    }

    /// <summary>res[c][m] = Σ over the block's vectors i of dY_c · x_m[xo[i]]: the eight channels of a vector are 16 floats
    /// apart at d, consecutive vectors <paramref name="dstride"/> apart.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradTile(float* x0, float* x1, float* x2, float* d, int* xo, int total, int dstride, float* res)
    {
        Vector512<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a50 = default, a51 = default, a52 = default;
        Vector512<float> a60 = default, a61 = default, a62 = default, a70 = default, a71 = default, a72 = default;
        for (int i = 0; i < total; i++, d += dstride)
        {
            int xi = xo[i];
            var v0 = Vector512.Load(x0 + xi);
            var v1 = Vector512.Load(x1 + xi);
            var v2 = Vector512.Load(x2 + xi);
            var g = Vector512.Load(d);
            a00 = Vector512.MultiplyAddEstimate(g, v0, a00); a01 = Vector512.MultiplyAddEstimate(g, v1, a01); a02 = Vector512.MultiplyAddEstimate(g, v2, a02);
            g = Vector512.Load(d + 16);
            a10 = Vector512.MultiplyAddEstimate(g, v0, a10); a11 = Vector512.MultiplyAddEstimate(g, v1, a11); a12 = Vector512.MultiplyAddEstimate(g, v2, a12);
            g = Vector512.Load(d + 32);
            a20 = Vector512.MultiplyAddEstimate(g, v0, a20); a21 = Vector512.MultiplyAddEstimate(g, v1, a21); a22 = Vector512.MultiplyAddEstimate(g, v2, a22);
            g = Vector512.Load(d + 48);
            a30 = Vector512.MultiplyAddEstimate(g, v0, a30); a31 = Vector512.MultiplyAddEstimate(g, v1, a31); a32 = Vector512.MultiplyAddEstimate(g, v2, a32);
            g = Vector512.Load(d + 64);
            a40 = Vector512.MultiplyAddEstimate(g, v0, a40); a41 = Vector512.MultiplyAddEstimate(g, v1, a41); a42 = Vector512.MultiplyAddEstimate(g, v2, a42);
            g = Vector512.Load(d + 80);
            a50 = Vector512.MultiplyAddEstimate(g, v0, a50); a51 = Vector512.MultiplyAddEstimate(g, v1, a51); a52 = Vector512.MultiplyAddEstimate(g, v2, a52);
            g = Vector512.Load(d + 96);
            a60 = Vector512.MultiplyAddEstimate(g, v0, a60); a61 = Vector512.MultiplyAddEstimate(g, v1, a61); a62 = Vector512.MultiplyAddEstimate(g, v2, a62);
            g = Vector512.Load(d + 112);
            a70 = Vector512.MultiplyAddEstimate(g, v0, a70); a71 = Vector512.MultiplyAddEstimate(g, v1, a71); a72 = Vector512.MultiplyAddEstimate(g, v2, a72);
        }
        res[0] = Vector512.Sum(a00); res[1] = Vector512.Sum(a01); res[2] = Vector512.Sum(a02);
        res[3] = Vector512.Sum(a10); res[4] = Vector512.Sum(a11); res[5] = Vector512.Sum(a12);
        res[6] = Vector512.Sum(a20); res[7] = Vector512.Sum(a21); res[8] = Vector512.Sum(a22);
        res[9] = Vector512.Sum(a30); res[10] = Vector512.Sum(a31); res[11] = Vector512.Sum(a32);
        res[12] = Vector512.Sum(a40); res[13] = Vector512.Sum(a41); res[14] = Vector512.Sum(a42);
        res[15] = Vector512.Sum(a50); res[16] = Vector512.Sum(a51); res[17] = Vector512.Sum(a52);
        res[18] = Vector512.Sum(a60); res[19] = Vector512.Sum(a61); res[20] = Vector512.Sum(a62);
        res[21] = Vector512.Sum(a70); res[22] = Vector512.Sum(a71); res[23] = Vector512.Sum(a72);
    }
}
