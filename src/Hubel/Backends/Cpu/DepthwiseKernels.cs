using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Direct depthwise convolution (groups = C, Cout = C·multiplier; MobileNet's 3x3 layers). im2col + GEMM is a poor fit
/// here: each group's GEMM has only <c>multiplier</c> rows and C·KH·KW = KH·KW columns of depth, so lowering the input
/// costs more than the multiply. Instead every (image, output channel) plane accumulates KH·KW shifted rows of its one
/// input plane, y[oh, ·] += w[ki, kj] · x[oh·SH - PT + ki·DH, · ·SW - PL + kj·DW], vectorised along the row at stride 1.
/// Backward: dX is the same walk with the roles swapped (scatter-add of w·dy), dW[oc, ki, kj] is the dot product of
/// dy with the shifted input rows, dB = Σ dy. <see cref="F.Conv2d"/> picks this kernel by itself (<see cref="Applies"/>).
/// </summary>
internal static class DepthwiseKernels
{
    /// <summary>Off switch for measurements and tests that compare against the im2col + GEMM path.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>True for depthwise convolutions with more than one channel.</summary>
    public static bool Applies(in ConvGeometry g, int groups, int outChannels) =>
        Enabled && groups > 1 && groups == g.C && outChannels % groups == 0;

    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && DepthwiseF32.Applies(g))
        {
            DepthwiseF32.Forward(AsFloat(x), AsFloat(w), b is { } bm ? AsFloat(bm) : default(ReadOnlyMemory<float>?), AsFloat(y), g, outChannels);
            return;
        }
        int mult = outChannels / g.C, hw = g.H * g.W, p = g.OutPixels, kk = g.KH * g.KW;
        CpuThreads.For(g.N * outChannels, (j0, j1) =>
        {
            for (int j = j0; j < j1; j++)
            {
                int n = j / outChannels, oc = j % outChannels, c = oc / mult;
                var xs = x.Span.Slice((n * g.C + c) * hw, hw);
                var ws = w.Span.Slice(oc * kk, kk);
                var ys = y.Span.Slice(j * p, p);
                ys.Fill(b is { } bias ? bias.Span[oc] : T.Zero);
                for (int ki = 0; ki < g.KH; ki++)
                    for (int kj = 0; kj < g.KW; kj++)
                        Walk(g, ki, kj, ws[ki * g.KW + kj], xs, ys, toOutput: true);
            }
        }, minPerWorker: 4);
    }

    public static void Backward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        ConvGeometry g, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && DepthwiseF32.Applies(g))
        {
            DepthwiseF32.Backward(AsFloat(x), AsFloat(w), AsFloat(dy), dx is { } a ? AsFloat(a) : default(Memory<float>?),
                dw is { } c ? AsFloat(c) : default(Memory<float>?), db is { } d ? AsFloat(d) : default(Memory<float>?), g, outChannels);
            return;
        }
        int mult = outChannels / g.C, hw = g.H * g.W, p = g.OutPixels, kk = g.KH * g.KW;
        if (dx is { } dxm)
            CpuThreads.For(g.N * g.C, (j0, j1) =>
            {
                for (int j = j0; j < j1; j++)
                {
                    int n = j / g.C, c = j % g.C;
                    var dxs = dxm.Span.Slice(j * hw, hw);       // zeroed by the caller
                    for (int m = 0; m < mult; m++)
                    {
                        int oc = c * mult + m;
                        var dys = dy.Span.Slice((n * outChannels + oc) * p, p);
                        var ws = w.Span.Slice(oc * kk, kk);
                        for (int ki = 0; ki < g.KH; ki++)
                            for (int kj = 0; kj < g.KW; kj++)
                                Walk(g, ki, kj, ws[ki * g.KW + kj], dys, dxs, toOutput: false);
                    }
                }
            }, minPerWorker: 4);
        if (dw is not null || db is not null)
            CpuThreads.For(outChannels, (o0, o1) =>
            {
                for (int oc = o0; oc < o1; oc++)
                {
                    int c = oc / mult;
                    if (dw is { } dwm)
                    {
                        var dws = dwm.Span.Slice(oc * kk, kk);
                        for (int ki = 0; ki < g.KH; ki++)
                            for (int kj = 0; kj < g.KW; kj++)
                            {
                                T sum = T.Zero;
                                for (int n = 0; n < g.N; n++)
                                    sum += Dot(g, ki, kj, x.Span.Slice((n * g.C + c) * hw, hw), dy.Span.Slice((n * outChannels + oc) * p, p));
                                dws[ki * g.KW + kj] = sum;
                            }
                    }
                    if (db is { } dbm)
                    {
                        T sum = T.Zero;
                        for (int n = 0; n < g.N; n++) sum += TensorPrimitives.Sum<T>(dy.Span.Slice((n * outChannels + oc) * p, p));
                        dbm.Span[oc] = sum;
                    }
                }
            });
    }

    /// <summary>For one kernel tap (ki, kj): toOutput: dst = output plane, dst[oh, ow] += wv · src[ih, iw] (src the image);
    /// otherwise the adjoint, dst = image plane, dst[ih, iw] += wv · src[oh, ow] (src the output gradient); over every output
    /// pixel whose tap lands inside the image.</summary>
    private static void Walk<T>(in ConvGeometry g, int ki, int kj, T wv, ReadOnlySpan<T> src, Span<T> dst, bool toOutput)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int offset = kj * g.DW - g.PadLeft;
        var (lo, hi) = InsideRange(offset, g.SW, g.W, g.OutW);
        if (lo >= hi) return;
        int len = hi - lo;
        for (int oh = 0; oh < g.OutH; oh++)
        {
            int ih = oh * g.SH - g.PadTop + ki * g.DH;
            if ((uint)ih >= (uint)g.H) continue;
            int outStart = oh * g.OutW + lo, imgStart = ih * g.W + lo * g.SW + offset;
            if (toOutput)
            {
                var outRow = dst.Slice(outStart, len);
                if (g.SW == 1) MulAdd(src.Slice(imgStart, len), wv, outRow);
                else for (int i = 0; i < len; i++) outRow[i] += wv * src[imgStart + i * g.SW];
            }
            else
            {
                var dyRow = src.Slice(outStart, len);
                if (g.SW == 1) MulAdd(dyRow, wv, dst.Slice(imgStart, len));
                else for (int i = 0; i < len; i++) dst[imgStart + i * g.SW] += wv * dyRow[i];
            }
        }
    }

    /// <summary>Σ over output pixels of dy[oh, ow] · x[ih, iw] for one kernel tap (the weight gradient of that tap for one image).</summary>
    private static T Dot<T>(in ConvGeometry g, int ki, int kj, ReadOnlySpan<T> img, ReadOnlySpan<T> dyPlane)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int offset = kj * g.DW - g.PadLeft;
        var (lo, hi) = InsideRange(offset, g.SW, g.W, g.OutW);
        T sum = T.Zero;
        if (lo >= hi) return sum;
        for (int oh = 0; oh < g.OutH; oh++)
        {
            int ih = oh * g.SH - g.PadTop + ki * g.DH;
            if ((uint)ih >= (uint)g.H) continue;
            var dyRow = dyPlane.Slice(oh * g.OutW + lo, hi - lo);
            int start = ih * g.W + lo * g.SW + offset;
            if (g.SW == 1) sum += Dot(img.Slice(start, hi - lo), dyRow);
            else for (int i = 0; i < dyRow.Length; i++) sum += dyRow[i] * img[start + i * g.SW];
        }
        return sum;
    }

    // Rows are tens of elements: an inlined Vector<T> loop beats a TensorPrimitives call per row (measured 2x on 28x28 planes).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MulAdd<T>(ReadOnlySpan<T> src, T w, Span<T> dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && src.Length >= Vector<T>.Count)
        {
            var wv = new Vector<T>(w);
            for (; i <= src.Length - Vector<T>.Count; i += Vector<T>.Count)
                (new Vector<T>(dst[i..]) + wv * new Vector<T>(src[i..])).CopyTo(dst[i..]);
        }
        for (; i < src.Length; i++) dst[i] += w * src[i];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Dot<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T sum = T.Zero;
        if (Vector.IsHardwareAccelerated && a.Length >= Vector<T>.Count)
        {
            var acc = Vector<T>.Zero;
            for (; i <= a.Length - Vector<T>.Count; i += Vector<T>.Count) acc += new Vector<T>(a[i..]) * new Vector<T>(b[i..]);
            sum = Vector.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    // Only called when T is float.
    private static ReadOnlyMemory<float> AsFloat<T>(ReadOnlyMemory<T> m) => Unsafe.As<ReadOnlyMemory<T>, ReadOnlyMemory<float>>(ref m);
    private static Memory<float> AsFloat<T>(Memory<T> m) => Unsafe.As<Memory<T>, Memory<float>>(ref m);

    /// <summary>[lo, hi): the output columns ow with 0 &lt;= ow·stride + offset &lt; width.</summary>
    private static (int Lo, int Hi) InsideRange(int offset, int stride, int width, int outW)
    {
        int lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
        int hi = width - offset <= 0 ? 0 : Math.Min(outW, (width - offset - 1) / stride + 1);
        return (lo, hi);
    }
}
