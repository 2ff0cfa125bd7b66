using System.Collections.Concurrent;
using System.Numerics;
using Hubel.Ops;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Convolution through the frequency domain (the notes' S2 §4.3.1 傅里叶变换): transform the zero-padded input plane
/// and kernel, multiply pointwise, transform back. For cross-correlation y[i] = Σ_m x[i+m] k[m] the product is
/// X · conj(K). Planes are padded to P x Q (powers of two, P >= OH + KH - 1, Q >= OW + KW - 1) so the circular
/// correlation never wraps into the outputs we keep. Stride 1 and dilation 1 only (the caller checks).
/// Arithmetic is in float64 whatever T is, so float32 inputs lose nothing to the transforms.
/// </summary>
internal static class FftConv
{
    public static void Forward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> w, ReadOnlyMemory<T>? b, Memory<T> y, ConvGeometry g, int groups, int outChannels)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int cg = g.C / groups, og = outChannels / groups;
        int p = NextPow2(g.OutH + g.KH - 1), q = NextPow2(g.OutW + g.KW - 1), pq = p * q;
        var plan = Plan2d.Get(p, q);
        // Kernel spectra, once per call: [Cout][cg] planes of P x Q complex values.
        var kre = new double[outChannels * cg * pq];
        var kim = new double[outChannels * cg * pq];
        CpuThreads.For(outChannels * cg, (i0, i1) =>
        {
            var ws = w.Span;
            for (int i = i0; i < i1; i++)
            {
                var re = kre.AsSpan(i * pq, pq);
                for (int r = 0; r < g.KH; r++)
                    for (int c = 0; c < g.KW; c++)
                        re[r * q + c] = double.CreateTruncating(ws[(i * g.KH + r) * g.KW + c]);
                plan.Transform(re, kim.AsSpan(i * pq, pq), inverse: false, rows: g.KH);
            }
        });
        int hw = g.H * g.W, outP = g.OutPixels;
        // One image at a time: its input spectra in parallel over channels, then its output planes in parallel over
        // output channels (so a single image still uses every worker, and memory stays C·P·Q per image).
        var xre = new double[g.C * pq];
        var xim = new double[g.C * pq];
        for (int n = 0; n < g.N; n++)
        {
            int image = n;
            CpuThreads.For(g.C, (c0, c1) =>
            {
                var xs = x.Span;
                for (int ci = c0; ci < c1; ci++)
                {
                    var plane = xs.Slice((image * g.C + ci) * hw, hw);
                    var re = xre.AsSpan(ci * pq, pq);
                    var im = xim.AsSpan(ci * pq, pq);
                    re.Clear();
                    im.Clear();
                    int rows = Math.Min(g.H, p - g.PadTop), cols = Math.Min(g.W, q - g.PadLeft);
                    for (int ih = 0; ih < rows; ih++)
                        for (int iw = 0; iw < cols; iw++)
                            re[(ih + g.PadTop) * q + iw + g.PadLeft] = double.CreateTruncating(plane[ih * g.W + iw]);
                    plan.Transform(re, im, inverse: false, rows: g.PadTop + rows);
                }
            });
            // Output planes in pairs: y1 and y2 are real, so one inverse transform of Y1 + i·Y2 gives y1 + i·y2.
            int pairs = (outChannels + 1) / 2;
            CpuThreads.For(pairs, (p0, p1) =>
            {
                var re1 = new double[pq];
                var im1 = new double[pq];
                var re2 = new double[pq];
                var im2 = new double[pq];
                for (int pair = p0; pair < p1; pair++)
                {
                    int oc1 = 2 * pair, oc2 = oc1 + 1;
                    Spectrum(oc1, re1, im1);
                    if (oc2 < outChannels)
                    {
                        Spectrum(oc2, re2, im2);
                        for (int e = 0; e < pq; e++) { re1[e] -= im2[e]; im1[e] += re2[e]; }
                    }
                    plan.Transform(re1, im1, inverse: true);
                    Store(oc1, re1);
                    if (oc2 < outChannels) Store(oc2, im1);
                }
            });

            // Σ over the group's input channels of X · conj(K) for output channel oc.
            void Spectrum(int oc, double[] are, double[] aim)
            {
                int gi = oc / og;
                Array.Clear(are);
                Array.Clear(aim);
                for (int ci = 0; ci < cg; ci++)
                {
                    int xk = (gi * cg + ci) * pq, kk = (oc * cg + ci) * pq;
                    for (int e = 0; e < pq; e++)
                    {
                        // (a + ib)(c - id) = (ac + bd) + i(bc - ad)
                        double a = xre[xk + e], bb = xim[xk + e], c = kre[kk + e], d = kim[kk + e];
                        are[e] += a * c + bb * d;
                        aim[e] += bb * c - a * d;
                    }
                }
            }

            void Store(int oc, double[] values)
            {
                double scale = 1.0 / pq, bias = b is { } bm ? double.CreateTruncating(bm.Span[oc]) : 0;
                var dst = y.Span.Slice((image * outChannels + oc) * outP, outP);
                for (int r = 0; r < g.OutH; r++)
                    for (int c = 0; c < g.OutW; c++)
                        dst[r * g.OutW + c] = T.CreateTruncating(values[r * q + c] * scale + bias);
            }
        }
    }

    private static int NextPow2(int v)
    {
        int r = 1;
        while (r < v) r <<= 1;
        return r;
    }

    /// <summary>Twiddles and bit-reversal tables of one radix-2 size, cached (sizes repeat every step).</summary>
    private sealed class Plan1d
    {
        private static readonly ConcurrentDictionary<int, Plan1d> Cache = new();
        private readonly int[] _reverse;
        private readonly double[] _cos, _sin;
        public int Size { get; }

        private Plan1d(int n)
        {
            Size = n;
            int bits = BitOperations.Log2((uint)n);
            _reverse = new int[n];
            for (int i = 0; i < n; i++) _reverse[i] = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
            _cos = new double[Math.Max(1, n / 2)];
            _sin = new double[Math.Max(1, n / 2)];
            for (int i = 0; i < n / 2; i++) { _cos[i] = Math.Cos(2 * Math.PI * i / n); _sin[i] = -Math.Sin(2 * Math.PI * i / n); }
        }

        public static Plan1d Get(int n) => Cache.GetOrAdd(n, static k => new Plan1d(k));

        private static uint ReverseBits(uint v)
        {
            v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
            v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
            v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
            v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
            return (v >> 16) | (v << 16);
        }

        /// <summary>In-place iterative Cooley-Tukey DFT X[k] = Σ x[j] e^{∓2πijk/n} (minus forward, plus inverse; unscaled).</summary>
        public void Transform(Span<double> re, Span<double> im, bool inverse)
        {
            int n = Size;
            for (int i = 0; i < n; i++)
            {
                int j = _reverse[i];
                if (j > i) { (re[i], re[j]) = (re[j], re[i]); (im[i], im[j]) = (im[j], im[i]); }
            }
            double sign = inverse ? -1 : 1;
            for (int len = 2; len <= n; len <<= 1)
            {
                int half = len >> 1, step = n / len;
                for (int start = 0; start < n; start += len)
                    for (int k = 0; k < half; k++)
                    {
                        double wr = _cos[k * step], wi = sign * _sin[k * step];
                        int a = start + k, bIdx = a + half;
                        double tr = re[bIdx] * wr - im[bIdx] * wi, ti = re[bIdx] * wi + im[bIdx] * wr;
                        re[bIdx] = re[a] - tr; im[bIdx] = im[a] - ti;
                        re[a] += tr; im[a] += ti;
                    }
            }
        }
    }

    /// <summary>2-D transform of a row-major P x Q plane: rows, then columns (through a gathered copy).</summary>
    private sealed class Plan2d
    {
        private static readonly ConcurrentDictionary<(int, int), Plan2d> Cache = new();
        private readonly Plan1d _rows, _cols;

        private Plan2d(int p, int q) { _cols = Plan1d.Get(p); _rows = Plan1d.Get(q); }

        public static Plan2d Get(int p, int q) => Cache.GetOrAdd((p, q), static k => new Plan2d(k.Item1, k.Item2));

        /// <param name="rows">rows at or past this index are zero (their row transforms are zero too, so they are skipped:
        /// a kernel fills KH of P rows, an input at most H + PadTop).</param>
        public void Transform(Span<double> re, Span<double> im, bool inverse, int rows = int.MaxValue)
        {
            int p = _cols.Size, q = _rows.Size;
            for (int r = 0; r < Math.Min(p, rows); r++) _rows.Transform(re.Slice(r * q, q), im.Slice(r * q, q), inverse);
            Span<double> cre = p <= 512 ? stackalloc double[p] : new double[p];
            Span<double> cim = p <= 512 ? stackalloc double[p] : new double[p];
            for (int c = 0; c < q; c++)
            {
                for (int r = 0; r < p; r++) { cre[r] = re[r * q + c]; cim[r] = im[r * q + c]; }
                _cols.Transform(cre, cim, inverse);
                for (int r = 0; r < p; r++) { re[r * q + c] = cre[r]; im[r * q + c] = cim[r]; }
            }
        }
    }
}
