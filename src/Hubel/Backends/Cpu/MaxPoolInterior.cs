using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Max pooling when every window lies inside the image (no padding, no dilation: LeNet's and most CNNs' 2x2/2 pools).
/// No argmax array is kept: backward finds each window's winner again as the first element equal to the output
/// (or the first NaN), which is exactly the element the forward rule picked (first maximum, NaN wins), so the
/// gradient goes to the same place while training allocates and writes a quarter less per pool.
/// The 2x2 stride-2 float case runs 8 outputs at a time with AVX.
/// </summary>
internal static class MaxPoolInterior
{
    /// <summary>At least 4 planes, and enough of them that a second worker is worth waking (LeNet's batch-1 pools are not).</summary>
    private static int PlanesPerWorker(in ConvGeometry g) => Math.Max(4, CpuThreads.MinItemsPerWorker((long)g.H * g.W));

    public static bool Applies(in ConvGeometry g) =>
        g.PadTop == 0 && g.PadLeft == 0 && g.DH == 1 && g.DW == 1 && (g.OutH - 1) * g.SH + g.KH <= g.H && (g.OutW - 1) * g.SW + g.KW <= g.W;

    /// <summary>Whether <see cref="Backward{T}"/> stores (not adds) every element of dx: the vectorised 2x2/2 float32 rule
    /// on an input the windows tile exactly (even height and width). Otherwise the caller must zero dx.</summary>
    public static bool WritesEveryInput(in ConvGeometry g, Tensors.DType dtype) =>
        dtype == Tensors.DType.Float32 && Avx.IsSupported && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2
        && g.OutH * 2 == g.H && g.OutW * 2 == g.W;

    public static void Forward<T>(ReadOnlyMemory<T> x, Memory<T> y, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = g.N * g.C;
        CpuThreads.For(planes, (p0, p1) =>
        {
            if (typeof(T) == typeof(float) && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && Avx.IsSupported)
                Forward2x2(Unsafe.BitCast<ReadOnlyMemory<T>, ReadOnlyMemory<float>>(x).Span, Unsafe.BitCast<Memory<T>, Memory<float>>(y).Span, g, p0, p1);
            else ForwardScalar(x.Span, y.Span, g, p0, p1);
        }, minPerWorker: PlanesPerWorker(g));
    }

    private static void ForwardScalar<T>(ReadOnlySpan<T> xs, Span<T> ys, in ConvGeometry g, int p0, int p1) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int hw = g.H * g.W, p = g.OutPixels;
        for (int plane = p0; plane < p1; plane++)
        {
            var src = xs.Slice(plane * hw, hw);
            var dst = ys.Slice(plane * p, p);
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    int start = oh * g.SH * g.W + ow * g.SW;
                    T best = src[start];
                    for (int ki = 0; ki < g.KH; ki++)
                    {
                        var row = src.Slice(start + ki * g.W, g.KW);
                        for (int kj = 0; kj < row.Length; kj++)
                        {
                            T v = row[kj];
                            if (v > best || (T.IsNaN(v) && !T.IsNaN(best))) best = v;
                        }
                    }
                    dst[oh * g.OutW + ow] = best;
                }
        }
    }

    /// <summary>Rows 2oh and 2oh+1 are maxed lane-wise, then even and odd columns are split with in-lane shuffles and
    /// maxed; the 128-bit halves come out as [0,1,4,5 | 2,3,6,7] and one permute restores the order. Any NaN in the
    /// inputs is caught by an unordered compare and the block is redone by the scalar rule (NaN wins).</summary>
    private static unsafe void Forward2x2(ReadOnlySpan<float> xs, Span<float> ys, in ConvGeometry g, int p0, int p1)
    {
        int h = g.H, w = g.W, outH = g.OutH, outW = g.OutW, hw = h * w, p = g.OutPixels;
        if ((long)p1 * hw > xs.Length || (long)p1 * p > ys.Length) throw new ArgumentException("pooling buffers are smaller than the geometry needs");
        float* buffer = stackalloc float[8];
        fixed (float* xp = xs, yp = ys)
        {
            for (int plane = p0; plane < p1; plane++)
            {
                float* src = xp + (long)plane * hw, dst = yp + (long)plane * p;
                for (int oh = 0; oh < outH; oh++)
                {
                    float* r0 = src + 2 * oh * w, r1 = r0 + w, o = dst + oh * outW;
                    int ow = 0;
                    for (; ow <= outW - 8; ow += 8)
                    {
                        var a0 = Avx.LoadVector256(r0 + 2 * ow); var a1 = Avx.LoadVector256(r0 + 2 * ow + 8);
                        var b0 = Avx.LoadVector256(r1 + 2 * ow); var b1 = Avx.LoadVector256(r1 + 2 * ow + 8);
                        if (HasNaN(a0, a1, b0, b1)) { ScalarRun(r0, r1, o, ow, 8); continue; }
                        Avx.Store(o + ow, Max8(a0, a1, b0, b1));
                    }
                    int count = outW - ow;
                    if (count == 0) continue;
                    if (outW >= 8)
                    {
                        // The last 8 windows again, overlapping the previous vector: the overlap gets the same values twice,
                        // cheaper than the masked tail (LeNet's pool1: 14 windows a row, 8 + 6).
                        ow = outW - 8;
                        var c0 = Avx.LoadVector256(r0 + 2 * ow); var c1 = Avx.LoadVector256(r0 + 2 * ow + 8);
                        var e0 = Avx.LoadVector256(r1 + 2 * ow); var e1 = Avx.LoadVector256(r1 + 2 * ow + 8);
                        if (HasNaN(c0, c1, e0, e1)) ScalarRun(r0, r1, o, ow, 8);
                        else Avx.Store(o + ow, Max8(c0, c1, e0, e1));
                        continue;
                    }
                    // The last 1-7 windows of the row (all of them when the row is short, as in LeNet's pool2 with 5 a row)
                    // through the same vector rule with masked loads and stores: a scalar compare chain mispredicts on
                    // every other window of real data and cost more than the rest of the pool.
                    var in0 = FirstLanes(2 * count); var in1 = FirstLanes(2 * count - 8);
                    var t0 = Avx.MaskLoad(r0 + 2 * ow, in0); var t1 = Avx.MaskLoad(r0 + 2 * ow + 8, in1);
                    var u0 = Avx.MaskLoad(r1 + 2 * ow, in0); var u1 = Avx.MaskLoad(r1 + 2 * ow + 8, in1);
                    if (HasNaN(t0, t1, u0, u1)) ScalarRun(r0, r1, o, ow, count);
                    else
                    {
                        Avx.Store(buffer, Max8(t0, t1, u0, u1));   // not a masked store: those are slow on AMD
                        for (int i = 0; i < count; i++) o[ow + i] = buffer[i];
                    }
                }
            }
        }
    }

    /// <summary>Lanes [0, n) all ones, the rest zero (n clamped to [0, 8]): the mask of a partial vector.</summary>
    private static Vector256<float> FirstLanes(int n) =>
        Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(n)).AsSingle();

    private static bool HasNaN(Vector256<float> a0, Vector256<float> a1, Vector256<float> b0, Vector256<float> b1) =>
        Avx.MoveMask(Avx.Or(Avx.CompareUnordered(a0, a1), Avx.CompareUnordered(b0, b1))) != 0;

    /// <summary>Eight 2x2 windows: rows a (top) and b (bottom), 16 columns each as two vectors.</summary>
    private static Vector256<float> Max8(Vector256<float> a0, Vector256<float> a1, Vector256<float> b0, Vector256<float> b1)
    {
        var m0 = Avx.Max(a0, b0); var m1 = Avx.Max(a1, b1);
        var even = Avx.Shuffle(m0, m1, 0b10_00_10_00);
        var odd = Avx.Shuffle(m0, m1, 0b11_01_11_01);
        var m = Avx.Max(even, odd).AsDouble();
        return Avx2.IsSupported ? Avx2.Permute4x64(m, 0b11_01_10_00).AsSingle() : Reorder(m.AsSingle());
    }

    private static Vector256<float> Reorder(Vector256<float> v) =>
        Vector256.Create(v[0], v[1], v[4], v[5], v[2], v[3], v[6], v[7]);

    private static unsafe void ScalarRun(float* r0, float* r1, float* o, int ow0, int count)
    {
        for (int ow = ow0; ow < ow0 + count; ow++)
        {
            float best = r0[2 * ow];
            float v = r0[2 * ow + 1]; if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) best = v;
            v = r1[2 * ow]; if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) best = v;
            v = r1[2 * ow + 1]; if (v > best || (float.IsNaN(v) && !float.IsNaN(best))) best = v;
            o[ow] = best;
        }
    }

    /// <summary>dx (zeroed by the caller) += dy at each window's winner, found again from x and y.</summary>
    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> y, ReadOnlyMemory<T> dy, Memory<T> dx, ConvGeometry g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int planes = g.N * g.C, hw = g.H * g.W, p = g.OutPixels;
        CpuThreads.For(planes, (p0, p1) =>
        {
            var xs = x.Span; var ys = y.Span; var dys = dy.Span; var dxs = dx.Span;
            if (typeof(T) == typeof(float) && g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && Avx.IsSupported)
            {
                Backward2x2(Cast(xs), Cast(ys), Cast(dys), MemoryMarshalCast(dxs), g, p0, p1);
                return;
            }
            for (int plane = p0; plane < p1; plane++)
            {
                var src = xs.Slice(plane * hw, hw);
                var dst = dxs.Slice(plane * hw, hw);
                for (int oh = 0; oh < g.OutH; oh++)
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        int o = plane * p + oh * g.OutW + ow;
                        int idx = Winner(src, ys[o], oh * g.SH * g.W + ow * g.SW, g.KH, g.KW, g.W);
                        dst[idx] += dys[o];
                    }
            }
        }, minPerWorker: PlanesPerWorker(g));
    }

    private static ReadOnlySpan<float> Cast<T>(ReadOnlySpan<T> s) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(s);
    private static Span<float> MemoryMarshalCast<T>(Span<T> s) where T : unmanaged => System.Runtime.InteropServices.MemoryMarshal.Cast<T, float>(s);

    /// <summary>2x2/2 float backward, 8 windows at a time: y and dy are widened to pairs ([y0,y0,y1,y1,...]) to line up with
    /// the input rows; in each window the first element equal to y wins (top row before bottom, even column before odd)
    /// and gets dy, the others 0. Windows do not overlap, so dx is stored, not accumulated. A NaN output (the NaN won)
    /// sends the chunk to the scalar rule.</summary>
    private static unsafe void Backward2x2(ReadOnlySpan<float> xs, ReadOnlySpan<float> ys, ReadOnlySpan<float> dys, Span<float> dxs, in ConvGeometry g, int p0, int p1)
    {
        int w = g.W, outH = g.OutH, outW = g.OutW, hw = g.H * w, p = g.OutPixels;
        if ((long)p1 * hw > xs.Length || (long)p1 * hw > dxs.Length || (long)p1 * p > ys.Length || (long)p1 * p > dys.Length)
            throw new ArgumentException("pooling buffers are smaller than the geometry needs");
        float* buffer = stackalloc float[32];
        fixed (float* xp = xs, yp = ys, dyp = dys, dxp = dxs)
        {
            for (int plane = p0; plane < p1; plane++)
                for (int oh = 0; oh < outH; oh++)
                {
                    long inRow = (long)plane * hw + 2 * oh * w, outRow = (long)plane * p + oh * outW;
                    float* r0 = xp + inRow, r1 = r0 + w, d0 = dxp + inRow, d1 = d0 + w, yr = yp + outRow, dyr = dyp + outRow;
                    int ow = 0;
                    for (; ow <= outW - 8; ow += 8)
                    {
                        var yv = Avx.LoadVector256(yr + ow);
                        if (Avx.MoveMask(Avx.CompareUnordered(yv, yv)) != 0) { ScalarBackward(r0, r1, d0, d1, yr, dyr, ow, 8); continue; }
                        Route8(r0, r1, d0, d1, yv, Avx.LoadVector256(dyr + ow), 2 * ow, AllLanes, AllLanes, masked: false);
                    }
                    int count = outW - ow;
                    if (count == 0) continue;
                    if (outW >= 8)
                    {
                        // The last 8 windows again, overlapping (windows do not share inputs, so the overlap is stored twice
                        // with the same values; see Forward2x2).
                        ow = outW - 8;
                        var ya = Avx.LoadVector256(yr + ow);
                        if (Avx.MoveMask(Avx.CompareUnordered(ya, ya)) != 0) ScalarBackward(r0, r1, d0, d1, yr, dyr, ow, 8);
                        else Route8(r0, r1, d0, d1, ya, Avx.LoadVector256(dyr + ow), 2 * ow, AllLanes, AllLanes, masked: false);
                        continue;
                    }
                    // The row's last 1-7 windows by the same rule with masked loads and stores (see Forward2x2).
                    var tail = FirstLanes(count);
                    var yt = Avx.MaskLoad(yr + ow, tail);
                    if (Avx.MoveMask(Avx.CompareUnordered(yt, yt)) != 0) ScalarBackward(r0, r1, d0, d1, yr, dyr, ow, count);
                    else
                    {
                        Route8(r0, r1, buffer, buffer + 16, yt, Avx.MaskLoad(dyr + ow, tail), 2 * ow, FirstLanes(2 * count), FirstLanes(2 * count - 8), masked: true);
                        for (int i = 0; i < 2 * count; i++) { d0[2 * ow + i] = buffer[i]; d1[2 * ow + i] = buffer[16 + i]; }
                    }
                }
        }
    }

    private static readonly Vector256<float> AllLanes = Vector256<float>.AllBitsSet;

    /// <summary>Gradient of eight windows (outputs yv, upstream gv) into columns [at, at + 16) of rows d0/d1; when
    /// <paramref name="masked"/>, it reads only the lanes of <paramref name="lo"/> (columns at..at+7) and <paramref name="hi"/>
    /// (at+8..at+15) and writes all 16 lanes to d0[0..16) and d1[0..16) (a scratch buffer) instead. y and dy
    /// are widened to pairs ([y0,y0,y1,y1,...]) to line up with the input rows; in each window the first element equal to y
    /// wins (top row before bottom, even column before odd) and gets dy, the others 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Route8(float* r0, float* r1, float* d0, float* d1, Vector256<float> yv, Vector256<float> gv, int at0,
        Vector256<float> lo, Vector256<float> hi, bool masked)
    {
        var oddLane = Vector256.Create(0, -1, 0, -1, 0, -1, 0, -1).AsSingle();
        var ylo = Avx.UnpackLow(yv, yv); var yhi = Avx.UnpackHigh(yv, yv);
        var glo = Avx.UnpackLow(gv, gv); var ghi = Avx.UnpackHigh(gv, gv);
        for (int half = 0; half < 2; half++)
        {
            var ye = half == 0 ? Avx.Permute2x128(ylo, yhi, 0x20) : Avx.Permute2x128(ylo, yhi, 0x31);
            var ge = half == 0 ? Avx.Permute2x128(glo, ghi, 0x20) : Avx.Permute2x128(glo, ghi, 0x31);
            var mask = half == 0 ? lo : hi;
            int at = at0 + 8 * half;
            var top = Avx.CompareEqual(masked ? Avx.MaskLoad(r0 + at, mask) : Avx.LoadVector256(r0 + at), ye);
            var bottom = Avx.CompareEqual(masked ? Avx.MaskLoad(r1 + at, mask) : Avx.LoadVector256(r1 + at), ye);
            // An odd column loses to an equal even column of its own row; the bottom row loses to any top winner.
            var topWin = Avx.AndNot(Avx.And(oddLane, Avx.Shuffle(top, top, 0b10_10_00_00)), top);
            var topAny = Avx.Or(Avx.Shuffle(top, top, 0b10_10_00_00), Avx.Shuffle(top, top, 0b11_11_01_01));
            var bottomWin = Avx.AndNot(topAny, Avx.AndNot(Avx.And(oddLane, Avx.Shuffle(bottom, bottom, 0b10_10_00_00)), bottom));
            if (masked)
            {
                // Masked stores are slow on AMD (one per ~10 cycles); the tail goes through a buffer instead.
                Avx.Store(d0 + 8 * half, Avx.And(ge, topWin));
                Avx.Store(d1 + 8 * half, Avx.And(ge, bottomWin));
            }
            else
            {
                Avx.Store(d0 + at, Avx.And(ge, topWin));
                Avx.Store(d1 + at, Avx.And(ge, bottomWin));
            }
        }
    }

    private static unsafe void ScalarBackward(float* r0, float* r1, float* d0, float* d1, float* yr, float* dyr, int ow0, int count)
    {
        for (int ow = ow0; ow < ow0 + count; ow++)
        {
            float y = yr[ow], g = dyr[ow];
            bool nan = float.IsNaN(y);
            int c = 2 * ow;
            d0[c] = 0; d0[c + 1] = 0; d1[c] = 0; d1[c + 1] = 0;
            if (nan ? float.IsNaN(r0[c]) : r0[c] == y) d0[c] = g;
            else if (nan ? float.IsNaN(r0[c + 1]) : r0[c + 1] == y) d0[c + 1] = g;
            else if (nan ? float.IsNaN(r1[c]) : r1[c] == y) d1[c] = g;
            else d1[c + 1] = g;
        }
    }

    private static int Winner<T>(ReadOnlySpan<T> src, T best, int start, int kh, int kw, int w) where T : unmanaged, IFloatingPointIeee754<T>
    {
        bool nan = T.IsNaN(best);
        for (int ki = 0; ki < kh; ki++)
        {
            var row = src.Slice(start + ki * w, kw);
            for (int kj = 0; kj < row.Length; kj++)
                if (nan ? T.IsNaN(row[kj]) : row[kj] == best) return start + ki * w + kj;
        }
        return start;   // unreachable when y came from this x; keeps the index in range regardless
    }
}
