using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Direct stride-1 convolution (groups = 1) for layers with few input channels (LeNet's and Nielsen's conv1 have C = 1),
/// where im2col would copy every pixel KH·KW times to feed a GEMM only C·KH·KW deep. Each image is copied once into a
/// zero-bordered scratch plane, then each output row is built in registers: for every tap (c, ki, kj) one shifted row
/// load feeds three output channels (weights repacked as [channel block][tap][3], zero for missing channels), two
/// vectors of the row at a time. Backward: dW[o, tap] is the dot product of dy[o] with the shifted input rows (tap-major,
/// three channels' sums in registers), dX the scatter-add of w·dy into a zero-bordered plane, dB = Σ dy.
/// float32 with one input channel runs <see cref="SmallChannelConvF32"/> (forward and weight gradient), other
/// float32 shapes <see cref="DirectConvF32Grad"/>.
/// </summary>
internal static class DirectConvKernels
{
    private const int Block = 3;

    /// <summary>Shapes the kernel can compute (any channel count; <see cref="Preferred"/> says when it is the fast choice).</summary>
    public static bool Applies(in ConvGeometry g, int groups) => groups == 1 && ((g.SH == 1 && g.SW == 1) || StridedDirectConv.Applies(g, groups));

    /// <summary>Few input channels, rows at least one vector wide, and few output channels or a large batch. Measured
    /// against im2col + GEMM in one process (2-core AVX2): LeNet conv1 N=64 Cout=6 0.28x the time, N=64 Cout=20 0.63x,
    /// N=10 Cout=6 0.93x; but N=10 Cout=12-20 (Nielsen's conv1) 1.2-1.3x, where the GEMM wins. With three channels (ResNet's
    /// first layer, C3 K16 3x3 on 32x32) the engine wins at any batch since the output-channel split for few images
    /// (forward; weight gradient, µs, two threads, same run): N=1 12; 13 against the GEMM's 25-40; 166, N=4 38; 30 against
    /// 59; 46, N=16 164; 96 against 212; 183 (N=2 30; 18 against 26; 23).
/// With one input channel the float32 plane kernel (<see cref="SmallChannelConvF32"/>) beats the GEMM from batch 8 on:
/// network3's conv1 (N10 K20 5x5) forward + weight gradient 0.19 ms against 0.29 (one thread), 0.13 against 0.16 (two).
    /// Also, with the float32 engine (<see cref="DirectConvF32"/>), kernels up to 3x3 with at most 32 channels in and out, or
    /// on planes of at most 64 outputs, where it beats Winograd F(2x2, 3x3) (one thread, CPU ms, forward; forward+backward,
    /// loaded machine, best of 7-9): N128 C16 32x32 K16 7.2; 29 against 13.4; 50, N128 C32 16x16 K32 7.0; 26 against 10.8;
    /// 31, N128 C64 8x8 K64 6.3; 23 against 7.5; 23. At C = K = 64 on 56x56 Winograd's larger GEMMs win (70; 226 against
    /// 82; 248). And up to 5x5 with at most 8 input channels: LeNet conv2 (N64 C6 14x14 K16 5x5, two threads, CPU ms, best
    /// of 15 on a loaded machine) 0.82; 3.9 against im2col's 1.5; 6.7.</summary>
    public static bool Preferred(in ConvGeometry g, int groups, int outChannels) =>
        g.SH != 1 || g.SW != 1 ? StridedPreferred(g, groups, outChannels) :
        Applies(g, groups) && g.OutW >= 8 && Vector256.IsHardwareAccelerated &&
        (g.C is 2 or 3 || (g.C == 1 && (outChannels <= 8 || g.N >= 8)) ||
         (DirectConvF32Grad.Enabled && g.C >= 4 && g.KH * g.KW <= 9 && g.C <= 64 && outChannels <= 64 &&
          ((g.C <= 32 && outChannels <= 32) || g.OutPixels <= 64)) ||
         (DirectConvF32Grad.Enabled && g.C >= 4 && g.C <= 8 && outChannels <= 32 && g.KH * g.KW <= 25));

    /// <summary>Stride 2 where the small-plane engine runs its forward pass (<see cref="StridedDirectConv"/>), with the channel
    /// bounds of the stride-1 3x3 rule. ResNet-20's downsampling layers, forward, N=128, two threads, hot, ms, im2col
    /// against the engine, alternated twice: 16 -> 32 on 32x32 3.8, 3.7 against 1.9, 2.2; 32 -> 64 on 16x16 2.9, 3.6
    /// against 1.9, 1.8. At batch 1, µs: 48-50 against 22-24 and 42 against 23-24.</summary>
    private static bool StridedPreferred(in ConvGeometry g, int groups, int outChannels) =>
        StridedDirectConv.Applies(g, groups) && StridedDirectConv.OnEngine(g, outChannels)
        && g.C >= 4 && g.C <= 64 && outChannels <= 64 && g.KH * g.KW <= 9;

    private readonly record struct Padded(int Hp, int Wp)
    {
        public int Plane => Hp * Wp;
    }

    private static Padded PaddedShape(in ConvGeometry g) => new(g.OutH + (g.KH - 1) * g.DH, g.OutW + (g.KW - 1) * g.DW);

    /// <summary>Copies image n into the zero-bordered [C, Hp, Wp] scratch (rows/columns past the input stay zero).</summary>
    private static void PadImage<T>(ReadOnlySpan<T> x, int n, in ConvGeometry g, Padded pd, Span<T> xp) where T : unmanaged
    {
        xp.Clear();
        int hw = g.H * g.W;
        for (int c = 0; c < g.C; c++)
            for (int h = 0; h < g.H; h++)
            {
                int ph = h + g.PadTop;
                if (ph >= pd.Hp) break;
                int w0 = g.PadLeft, count = Math.Min(g.W, pd.Wp - w0);
                if (count <= 0) continue;
                x.Slice((n * g.C + c) * hw + h * g.W, count).CopyTo(xp.Slice(c * pd.Plane + ph * pd.Wp + w0, count));
            }
    }

    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int outChannels, bool relu = false)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.SH != 1 || g.SW != 1)
        {
            StridedDirectConv.Forward(x, w, b, y, g, outChannels, relu);
            return;
        }
        if (typeof(T) == typeof(float) && SmallChannelConvF32.Applies(g))
        {
            SmallChannelConvF32.Forward(AsFloat(x), AsFloat(w), b is { } bs ? AsFloat(bs) : default(ReadOnlyMemory<float>?), AsFloat(y), g, outChannels, relu);
            return;
        }
        if (typeof(T) == typeof(float) && DirectConvF32Grad.Enabled)
        {
            DirectConvF32Grad.Forward(AsFloat(x), AsFloat(w), b is { } bm ? AsFloat(bm) : default(ReadOnlyMemory<float>?), AsFloat(y), g, outChannels, relu);
            return;
        }
        var pd = PaddedShape(g);
        int taps = g.C * g.KH * g.KW, blocks = (outChannels + Block - 1) / Block;
        // Weights as [block][tap][3] so the three broadcasts of one tap are adjacent.
        var packed = new T[blocks * taps * Block];
        var ws = w.Span;
        for (int o = 0; o < outChannels; o++)
            for (int t = 0; t < taps; t++) packed[((o / Block) * taps + t) * Block + o % Block] = ws[o * taps + t];
        CpuThreads.For(g.N, (n0, n1) =>
        {
            var xp = Scratch<T>.Get(0, g.C * pd.Plane);
            for (int n = n0; n < n1; n++)
            {
                PadImage(x.Span, n, g, pd, xp);
                for (int ob = 0; ob < blocks; ob++)
                    ForwardBlock(xp, packed.AsSpan(ob * taps * Block, taps * Block), b, y.Span, n, ob * Block, Math.Min(Block, outChannels - ob * Block), g, pd, outChannels, relu);
            }
        });
    }

    private static unsafe void ForwardBlock<T>(T[] xp, ReadOnlySpan<T> wb, ReadOnlyMemory<T>? b, Span<T> y, int n, int o0, int valid,
        in ConvGeometry g, Padded pd, int outChannels, bool relu) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int L = Vector256<T>.Count, outW = g.OutW, p = g.OutPixels, kh = g.KH, kw = g.KW, c = g.C;
        T b0 = T.Zero, b1 = T.Zero, b2 = T.Zero;
        if (b is { } bm) { var bs = bm.Span; b0 = bs[o0]; if (valid > 1) b1 = bs[o0 + 1]; if (valid > 2) b2 = bs[o0 + 2]; }
        if ((long)(n * outChannels + o0 + valid) * p > y.Length) throw new ArgumentException("output buffer is smaller than the geometry needs");
        fixed (T* xs = xp, wp = wb, ys = y)
        {
            T* y0 = ys + (long)(n * outChannels + o0) * p, y1 = valid > 1 ? y0 + p : y0, y2 = valid > 2 ? y0 + 2 * p : y0;
            for (int oh = 0; oh < g.OutH; oh++)
            {
                int chunks = outW >= L ? (outW + L - 1) / L : 0;
                for (int ci = 0; ci < chunks; ci += 2)
                {
                    // Chunk starts; the last one is pulled back to end at outW (recomputing a few outputs is harmless).
                    int ow0 = Math.Min(ci * L, outW - L), ow1 = Math.Min((ci + 1) * L, outW - L);
                    Vector256<T> a00 = Vector256.Create(b0), a01 = a00, a10 = Vector256.Create(b1), a11 = a10, a20 = Vector256.Create(b2), a21 = a20;
                    T* wt = wp;
                    for (int ch = 0; ch < c; ch++)
                        for (int ki = 0; ki < kh; ki++)
                        {
                            T* row = xs + ch * pd.Plane + (oh + ki * g.DH) * pd.Wp;
                            for (int kj = 0; kj < kw; kj++, wt += Block)
                            {
                                T* r = row + kj * g.DW;
                                var x0 = Vector256.Load(r + ow0); var x1 = Vector256.Load(r + ow1);
                                var w0 = Vector256.Create(wt[0]); var w1 = Vector256.Create(wt[1]); var w2 = Vector256.Create(wt[2]);
                                a00 += w0 * x0; a01 += w0 * x1;
                                a10 += w1 * x0; a11 += w1 * x1;
                                a20 += w2 * x0; a21 += w2 * x1;
                            }
                        }
                    if (relu)
                    {
                        a00 = Vector256.Max(a00, Vector256<T>.Zero); a01 = Vector256.Max(a01, Vector256<T>.Zero);
                        a10 = Vector256.Max(a10, Vector256<T>.Zero); a11 = Vector256.Max(a11, Vector256<T>.Zero);
                        a20 = Vector256.Max(a20, Vector256<T>.Zero); a21 = Vector256.Max(a21, Vector256<T>.Zero);
                    }
                    // Stores in reverse channel order so a missing channel's aliased pointer is overwritten by the real one.
                    a20.Store(y2 + oh * outW + ow0); a21.Store(y2 + oh * outW + ow1);
                    a10.Store(y1 + oh * outW + ow0); a11.Store(y1 + oh * outW + ow1);
                    a00.Store(y0 + oh * outW + ow0); a01.Store(y0 + oh * outW + ow1);
                }
                if (chunks == 0)
                    for (int j = 0; j < valid; j++)
                        for (int ow = 0; ow < outW; ow++)
                        {
                            T acc = j == 0 ? b0 : j == 1 ? b1 : b2;
                            T* wt = wp + j;
                            for (int ch = 0; ch < c; ch++)
                                for (int ki = 0; ki < kh; ki++)
                                    for (int kj = 0; kj < kw; kj++, wt += Block)
                                        acc += *wt * xs[ch * pd.Plane + (oh + ki * g.DH) * pd.Wp + ow + kj * g.DW];
                            ys[(long)(n * outChannels + o0 + j) * p + oh * outW + ow] = relu ? T.Max(acc, T.Zero) : acc;
                        }
            }
        }
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (g.SH != 1 || g.SW != 1)
        {
            StridedDirectConv.Backward(x, w, dy, dx, dw, db, g, outChannels);
            return;
        }
        if (typeof(T) == typeof(float) && SmallChannelConvF32.Applies(g) && dw is { } dwf)
        {
            // Few input channels: the plane-vectorised weight gradient; the input and bias gradients as below.
            SmallChannelConvF32.WeightGradient(AsFloat(x), AsFloat(dy), AsFloat(dwf), g, outChannels);
            dw = null;
        }
        if (typeof(T) == typeof(float) && DirectConvF32Grad.Enabled)
        {
            DirectConvF32Grad.Backward(AsFloat(x), AsFloat(w), AsFloat(dy), dx is { } a ? AsFloat(a) : default(Memory<float>?), dw is { } c ? AsFloat(c) : default(Memory<float>?),
                db is { } d ? AsFloat(d) : default(Memory<float>?), g, outChannels);
            return;
        }
        var pd = PaddedShape(g);
        int taps = g.C * g.KH * g.KW, workers = CpuThreads.WorkersFor(g.N);
        var partials = PartialSums.Allocate<T>(dw is not null, workers, outChannels * taps);
        CpuThreads.ForWorkers(g.N, workers, (worker, n0, n1) =>
        {
            var xp = Scratch<T>.Get(0, g.C * pd.Plane);
            T[]? local = dw is null ? null : partials![worker];
            for (int n = n0; n < n1; n++)
            {
                if (local is not null)
                {
                    PadImage(x.Span, n, g, pd, xp);
                    WeightGrad(xp, dy.Span, local, n, g, pd, outChannels);
                }
                if (dx is { } dxm) InputGrad(w.Span, dy.Span, dxm.Span, xp, n, g, pd, outChannels);
            }
        });
        if (dw is { } dwm)
        {
            var d = dwm.Span;
            d.Clear();
            foreach (var part in partials!) if (part is not null) System.Numerics.Tensors.TensorPrimitives.Add<T>(d, part, d);
        }
        if (db is { } dbm) ConvNdKernels.BiasGrad(dy.Span, dbm.Span, g.N, outChannels, g.OutPixels);
    }

    private static unsafe void WeightGrad<T>(T[] xp, ReadOnlySpan<T> dy, T[] dw, int n, in ConvGeometry g, Padded pd, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int L = Vector256<T>.Count, outW = g.OutW, p = g.OutPixels, taps = g.C * g.KH * g.KW, full = outW / L * L;
        fixed (T* xs = xp, dys = dy, dws = dw)
        {
            for (int o0 = 0; o0 < outChannels; o0 += Block)
            {
                int valid = Math.Min(Block, outChannels - o0);
                T* d0 = dys + (long)(n * outChannels + o0) * p, d1 = valid > 1 ? d0 + p : d0, d2 = valid > 2 ? d0 + 2 * p : d0;
                int t = 0;
                for (int ch = 0; ch < g.C; ch++)
                    for (int ki = 0; ki < g.KH; ki++)
                        for (int kj = 0; kj < g.KW; kj++, t++)
                        {
                            T* xbase = xs + ch * pd.Plane + ki * g.DH * pd.Wp + kj * g.DW;
                            Vector256<T> s0 = default, s1 = default, s2 = default;
                            T r0 = T.Zero, r1 = T.Zero, r2 = T.Zero;
                            for (int oh = 0; oh < g.OutH; oh++)
                            {
                                T* xr = xbase + oh * pd.Wp;
                                int off = oh * outW;
                                int ow = 0;
                                for (; ow < full; ow += L)
                                {
                                    var xv = Vector256.Load(xr + ow);
                                    s0 += Vector256.Load(d0 + off + ow) * xv;
                                    s1 += Vector256.Load(d1 + off + ow) * xv;
                                    s2 += Vector256.Load(d2 + off + ow) * xv;
                                }
                                for (; ow < outW; ow++)
                                {
                                    T xv = xr[ow];
                                    r0 += d0[off + ow] * xv; r1 += d1[off + ow] * xv; r2 += d2[off + ow] * xv;
                                }
                            }
                            dws[o0 * taps + t] += Vector256.Sum(s0) + r0;
                            if (valid > 1) dws[(o0 + 1) * taps + t] += Vector256.Sum(s1) + r1;
                            if (valid > 2) dws[(o0 + 2) * taps + t] += Vector256.Sum(s2) + r2;
                        }
            }
        }
    }

    /// <summary>dx[n] = the interior of Σ_o Σ_tap w[o, tap] · dy[o] scattered at the tap's shift in a zero-bordered plane.</summary>
    private static unsafe void InputGrad<T>(ReadOnlySpan<T> w, ReadOnlySpan<T> dy, Span<T> dx, T[] scratch, int n, in ConvGeometry g, Padded pd, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int L = Vector256<T>.Count, outW = g.OutW, p = g.OutPixels, taps = g.C * g.KH * g.KW, full = outW / L * L, hw = g.H * g.W;
        var dxp = scratch.AsSpan(0, g.C * pd.Plane);
        dxp.Clear();
        fixed (T* ds = dxp, dys = dy, wp = w)
        {
            for (int o = 0; o < outChannels; o++)
            {
                T* d = dys + (long)(n * outChannels + o) * p;
                int t = 0;
                for (int ch = 0; ch < g.C; ch++)
                    for (int ki = 0; ki < g.KH; ki++)
                        for (int kj = 0; kj < g.KW; kj++, t++)
                        {
                            T wt = wp[o * taps + t];
                            var wv = Vector256.Create(wt);
                            T* dbase = ds + ch * pd.Plane + ki * g.DH * pd.Wp + kj * g.DW;
                            for (int oh = 0; oh < g.OutH; oh++)
                            {
                                T* dr = dbase + oh * pd.Wp, dyr = d + oh * outW;
                                int ow = 0;
                                for (; ow < full; ow += L) (Vector256.Load(dr + ow) + wv * Vector256.Load(dyr + ow)).Store(dr + ow);
                                for (; ow < outW; ow++) dr[ow] += wt * dyr[ow];
                            }
                        }
            }
        }
        for (int c = 0; c < g.C; c++)
            for (int h = 0; h < g.H; h++)
            {
                int ph = h + g.PadTop;
                var dst = dx.Slice((n * g.C + c) * hw + h * g.W, g.W);
                if (ph >= pd.Hp) { dst.Clear(); continue; }
                int count = Math.Clamp(pd.Wp - g.PadLeft, 0, g.W);
                dxp.Slice(c * pd.Plane + ph * pd.Wp + g.PadLeft, count).CopyTo(dst);
                dst.Slice(count).Clear();
            }
    }

    /// <summary>The same memory as float32 (callers check typeof(T) == typeof(float) first).</summary>
    internal static ReadOnlyMemory<float> AsFloat<T>(ReadOnlyMemory<T> m) => Unsafe.As<ReadOnlyMemory<T>, ReadOnlyMemory<float>>(ref m);
    internal static Memory<float> AsFloat<T>(Memory<T> m) => Unsafe.As<Memory<T>, Memory<float>>(ref m);

    private static class Scratch<T>
    {
        [ThreadStatic] private static T[]? _buffer;

        public static T[] Get(int slot, int size)
        {
            _ = slot;
            var buffer = _buffer;
            if (buffer is null || buffer.Length < size) _buffer = buffer = new T[size];
            return buffer;
        }
    }
}
