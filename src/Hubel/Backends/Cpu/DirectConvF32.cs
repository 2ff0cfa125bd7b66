using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Hubel.Backends.Cpu;

/// <summary>
/// The float32 engine of <see cref="DirectConvKernels"/> (stride 1, groups 1, any kernel size, dilation and padding): one
/// stride-1 correlation out[n, o] = Σ_{i, ki, kj} w[o, i, ki, kj] · src[n, i, oh - padTop + ki·DH, ow - padLeft + kj·DW].
/// The forward pass is one; the input gradient is another, over dY with the 180°-rotated, channel-transposed kernel and
/// padding (K-1)·D - pad. A block of images is copied into zero-bordered scratch planes whose rows are padded to whole
/// vectors, then every output is built in registers: four output channels x three 8-float vectors (the vectors run over
/// the block's output pixels, across rows and images, so 8x8 planes waste nothing), twelve FMA chains fed per tap by three
/// shifted loads and four weight broadcasts. No lowering, no transforms: all 9·C·K multiplies, but at close to the FMA
/// rate, which beats Winograd's 2.25x fewer multiplies through skinny GEMMs when C and K are small.
/// </summary>
internal static class DirectConvF32
{
    public const int Lanes = 8;
    public const int KBlock = 4;
    private const int VBlock = 3;

    /// <summary>Scratch budget for a block of padded images, in floats (256 KB: the block stays in L2 across the channel blocks).</summary>
    private const int BlockFloats = 1 << 16;

    /// <summary>One correlation: source [N, Cin, Hs, Ws] read through padding (top, left; negative crops), output [N, Cout, OH, OW],
    /// stride <paramref name="S"/> in both directions (only the small-plane engine takes S = 2).</summary>
    internal readonly record struct Plan(int N, int Cin, int Hs, int Ws, int PadTop, int PadLeft, int Cout, int OH, int OW, int KH, int KW, int DH, int DW,
        int S = 1)
    {
        public int OWp => (OW + Lanes - 1) / Lanes * Lanes;
        public int Wp => OWp + (KW - 1) * DW;
        /// <summary>Rows of the zero-bordered plane the windows cover.</summary>
        public int Hp => (OH - 1) * S + (KH - 1) * DH + 1;
        public int Plane => Hp * Wp;
        public int Image => Cin * Plane;
        public int Taps => Cin * KH * KW;
        public int KBlocks => (Cout + KBlock - 1) / KBlock;
        public int ImagesPerBlock => Math.Clamp(BlockFloats / Math.Max(1, Image), 1, Math.Max(1, N));

        /// <summary>Offsets of the taps (i, ki, kj) inside a padded image, tap-major as the packed weights.</summary>
        public int[] TapOffsets()
        {
            var offs = new int[Taps];
            int t = 0;
            for (int i = 0; i < Cin; i++)
                for (int ki = 0; ki < KH; ki++)
                    for (int kj = 0; kj < KW; kj++) offs[t++] = i * Plane + ki * DH * Wp + kj * DW;
            return offs;
        }
    }

    /// <summary>Weights [Cout, Taps] as [block of 4 outputs][tap][4] (zero past Cout), so one tap's four broadcasts are adjacent.
    /// With <c>FlipTranspose</c>, w is [Cin', Cout', KH, KW] of the forward pass and the result is for the input
    /// gradient: outputs = the forward's inputs, taps over the forward's outputs with the kernel rotated by 180°.
    /// <see cref="PackBlocks"/> fills the blocks; <c>KBlock</c> outputs per block (the AVX-512 engine
    /// <see cref="SmallPlaneConvF32"/> takes 8).</summary>
    public readonly record struct Packing(int Cout, int Cin, int KH, int KW, bool FlipTranspose, int KBlock)
    {
        public int Taps => Cin * KH * KW;
        public int Blocks => (Cout + KBlock - 1) / KBlock;

        /// <summary>Floats of the whole packed array.</summary>
        public int Floats => Blocks * Taps * KBlock;
    }

    /// <summary>Blocks [b0, b1) of the packed weights (see <see cref="Packing"/>) into <paramref name="packed"/>, written in
    /// order and reading one source run per output channel of a block: the scatter in source order it replaces cost
    /// 40 µs for 64x64x3x3, as much as that convolution on one image.</summary>
    public static unsafe void PackBlocks(ReadOnlySpan<float> w, in Packing k, int b0, int b1, float[] packed)
    {
        int kk = k.KH * k.KW, taps = k.Taps, kblock = k.KBlock;
        if ((long)k.Cout * taps > w.Length) throw new ArgumentException("weight buffer is smaller than the shape needs", nameof(w));
        if ((long)b1 * taps * kblock > packed.Length) throw new ArgumentException("packed buffer is smaller than the blocks need", nameof(packed));
        // src[c]: where output channel c of the block starts; its tap (i, e) is at src[c] + i·iStride + e·eStep. Forward:
        // w[o, i, e]. Flipped: the forward weight w[i, o, kk-1-e] (i runs over the forward's outputs).
        var src = stackalloc int[kblock];
        int iStride = k.FlipTranspose ? k.Cout * kk : kk, eStep = k.FlipTranspose ? -1 : 1;
        fixed (float* ws = w, dst0 = packed)
        {
            for (int b = b0; b < b1; b++)
            {
                float* dst = dst0 + (long)b * taps * kblock;
                int valid = Math.Min(kblock, k.Cout - b * kblock);
                for (int c = 0; c < valid; c++)
                {
                    int o = b * kblock + c;
                    src[c] = k.FlipTranspose ? o * kk + kk - 1 : o * taps;
                }
                int t0 = 0;
                if (!k.FlipTranspose && kblock == 8 && valid == 8 && Avx.IsSupported)
                {
                    // Forward weights: the block's eight rows are contiguous runs of taps, so eight taps at a time are an 8x8
                    // transpose in registers (batch-1 inference packs every call: 37 K weights of a 64x64 3x3 layer took
                    // 10 µs per core element by element, as long as a quarter of the convolution).
                    for (; t0 + 8 <= taps; t0 += 8, dst += 64) Transposes.Transpose8x8(ws + src[0] + t0, taps, dst, 8);
                }
                for (int t = t0, i = t0 / kk, e = t0 % kk; t < taps; t++, dst += kblock)
                {
                    int at = i * iStride + e * eStep;
                    for (int c = 0; c < valid; c++) dst[c] = ws[src[c] + at];
                    for (int c = valid; c < kblock; c++) dst[c] = 0;
                    if (++e == kk) { e = 0; i++; }
                }
            }
        }
    }

    /// <summary>out = correlation of src with w (+ bias, then ReLU when asked), overwriting every output. w is [Cout, Cin, KH,
    /// KW], or with <paramref name="flipTranspose"/> the forward weights of the input gradient (see <see cref="Packing"/>).</summary>
    public static void Correlate(ReadOnlyMemory<float> src, ReadOnlyMemory<float> w, bool flipTranspose, ReadOnlyMemory<float>? bias, Memory<float> output,
        Plan p, bool relu)
    {
        if (p.N == 0) return;
        if (p.S != 1) throw new ArgumentException($"the AVX2 engine computes stride 1 only; got stride {p.S}", nameof(p));
        var k = new Packing(p.Cout, p.Cin, p.KH, p.KW, flipTranspose, KBlock);
        var packed = ConvScratch<float>.Rent(k.Floats);
        var offs = p.TapOffsets();
        var bias4 = new float[p.KBlocks * KBlock];
        if (bias is { } b) b.Span[..p.Cout].CopyTo(bias4);
        int per = p.ImagesPerBlock;
        if (per >= p.N && p.KBlocks > 1 && CpuThreads.Count > 1)
        {
            // All images fit one block (batch-1 inference): the workers split the output channels instead, each packing its
            // own weight blocks, so a single image still uses every core. Each pads its own copy of the images: one copy
            // padded by the caller and read by both cores cost 20 µs a call (16x32x32), as every write to it then had to
            // take its cache lines back from the other core, against 4.5 µs for a copy each, made in parallel.
            CpuThreads.For(p.KBlocks, (kb0, kb1) =>
            {
                var padded = ConvScratch<float>.Rent(p.N * p.Image);
                PadBlock(src.Span, p, 0, p.N, padded);
                PackBlocks(w.Span, k, kb0, kb1, packed);
                CorrelateBlock(padded, packed, offs, bias4, output.Span, p, 0, p.N, relu, kb0, kb1);
                ConvScratch<float>.Return(padded);
            });
        }
        else
        {
            PackBlocks(w.Span, k, 0, k.Blocks, packed);
            // Images (not blocks) split over the workers, so 128 images in blocks of 10 still split 64/64.
            CpuThreads.For(p.N, (i0, i1) =>
            {
                var scratch = ConvScratch<float>.Rent(per * p.Image);
                for (int n0 = i0; n0 < i1; n0 += per)
                {
                    int count = Math.Min(per, i1 - n0);
                    PadBlock(src.Span, p, n0, count, scratch);
                    CorrelateBlock(scratch, packed, offs, bias4, output.Span, p, n0, count, relu, 0, p.KBlocks);
                }
                ConvScratch<float>.Return(scratch);
            });
        }
        ConvScratch<float>.Return(packed);
    }

    /// <summary>Images [n0, n0 + count) of src as zero-bordered padded planes [count][Cin][Hp][Wp].</summary>
    public static void PadBlock(ReadOnlySpan<float> src, Plan p, int n0, int count, Span<float> dst)
    {
        int hs = p.Hs, ws = p.Ws, wp = p.Wp, hsws = hs * ws;
        // Source columns [c0, c1) land at padded columns c + PadLeft; the rest of each row is zero.
        int c0 = Math.Max(0, -p.PadLeft), c1 = Math.Min(ws, wp - p.PadLeft), len = c1 - c0, d0 = c0 + p.PadLeft;
        for (int n = 0; n < count; n++)
            for (int i = 0; i < p.Cin; i++)
            {
                var plane = src.Slice(((n0 + n) * p.Cin + i) * hsws, hsws);
                var dp = dst.Slice((n * p.Cin + i) * p.Plane, p.Plane);
                for (int r = 0; r < p.Hp; r++)
                {
                    var row = dp.Slice(r * wp, wp);
                    int sr = r - p.PadTop;
                    if ((uint)sr >= (uint)hs || len <= 0) { row.Clear(); continue; }
                    row[..d0].Clear();
                    plane.Slice(sr * ws + c0, len).CopyTo(row.Slice(d0, len));
                    row[(d0 + len)..].Clear();
                }
            }
    }

    /// <summary>Output-channel blocks [kb0, kb1) of images [n0, n0 + count), from their padded planes.</summary>
    private static unsafe void CorrelateBlock(float[] padded, float[] packed, int[] offs, float[] bias4, Span<float> output, Plan p, int n0, int count,
        bool relu, int kb0, int kb1)
    {
        int vpr = p.OWp / Lanes, perImage = p.OH * vpr, total = count * perImage, taps = p.Taps, ohw = p.OH * p.OW;
        var res = stackalloc float[KBlock * VBlock * Lanes];
        var srcOff = stackalloc int[VBlock];
        var dstOff = stackalloc int[VBlock];
        var valid = stackalloc int[VBlock];
        if ((long)(n0 + count) * p.Cout * ohw > output.Length) throw new ArgumentException("output buffer is smaller than the plan needs");
        fixed (float* xs = padded, ws = packed, bs = bias4, ys = output)
        fixed (int* ofs = offs)
        {
            for (int kb = kb0; kb < kb1; kb++)
            {
                int o0 = kb * KBlock, kv = Math.Min(KBlock, p.Cout - o0);
                float* wb = ws + (long)kb * taps * KBlock;
                for (int v0 = 0; v0 < total; v0 += VBlock)
                {
                    int distinct = Math.Min(VBlock, total - v0);
                    for (int j = 0; j < VBlock; j++)
                    {
                        // Missing vectors of the last group repeat the last real one (computed, not stored).
                        int v = v0 + Math.Min(j, distinct - 1), n = v / perImage, r = v % perImage, oh = r / vpr, col = r % vpr * Lanes;
                        srcOff[j] = n * p.Image + oh * p.Wp + col;
                        dstOff[j] = ((n0 + n) * p.Cout + o0) * ohw + oh * p.OW + col;
                        valid[j] = Math.Min(Lanes, p.OW - col);
                    }
                    Tile(xs + srcOff[0], xs + srcOff[1], xs + srcOff[2], ofs, taps, wb, bs + o0, res);
                    for (int c = 0; c < kv; c++)
                        for (int j = 0; j < distinct; j++)
                        {
                            float* r = res + (c * VBlock + j) * Lanes, dst = ys + dstOff[j] + c * ohw;
                            var a = Vector256.Load(r);
                            if (relu) a = Vector256.Max(a, Vector256<float>.Zero);
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
    }

    /// <summary>res[c][j] = bias[c] + Σ_t w[t][c] · x_j[offs[t]] for 4 output channels c and the three vectors x_j. Twelve
    /// accumulators + three loads + one broadcast fill 16 ymm registers; written for float so the JIT keeps them there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Tile(float* x0, float* x1, float* x2, int* offs, int taps, float* w, float* bias, float* res)
    {
        Vector256<float> a00 = Vector256.Create(bias[0]), a01 = a00, a02 = a00;
        Vector256<float> a10 = Vector256.Create(bias[1]), a11 = a10, a12 = a10;
        Vector256<float> a20 = Vector256.Create(bias[2]), a21 = a20, a22 = a20;
        Vector256<float> a30 = Vector256.Create(bias[3]), a31 = a30, a32 = a30;
        for (int t = 0; t < taps; t++, w += KBlock)
        {
            int o = offs[t];
            var v0 = Vector256.Load(x0 + o);
            var v1 = Vector256.Load(x1 + o);
            var v2 = Vector256.Load(x2 + o);
            var b = Vector256.Create(w[0]);
            a00 = Vector256.MultiplyAddEstimate(b, v0, a00); a01 = Vector256.MultiplyAddEstimate(b, v1, a01); a02 = Vector256.MultiplyAddEstimate(b, v2, a02);
            b = Vector256.Create(w[1]);
            a10 = Vector256.MultiplyAddEstimate(b, v0, a10); a11 = Vector256.MultiplyAddEstimate(b, v1, a11); a12 = Vector256.MultiplyAddEstimate(b, v2, a12);
            b = Vector256.Create(w[2]);
            a20 = Vector256.MultiplyAddEstimate(b, v0, a20); a21 = Vector256.MultiplyAddEstimate(b, v1, a21); a22 = Vector256.MultiplyAddEstimate(b, v2, a22);
            b = Vector256.Create(w[3]);
            a30 = Vector256.MultiplyAddEstimate(b, v0, a30); a31 = Vector256.MultiplyAddEstimate(b, v1, a31); a32 = Vector256.MultiplyAddEstimate(b, v2, a32);
        }
        a00.Store(res); a01.Store(res + 8); a02.Store(res + 16);
        a10.Store(res + 24); a11.Store(res + 32); a12.Store(res + 40);
        a20.Store(res + 48); a21.Store(res + 56); a22.Store(res + 64);
        a30.Store(res + 72); a31.Store(res + 80); a32.Store(res + 88);
    }
}
