using System.Numerics;

namespace Hubel.Backends.Cpu;

/// <summary>Batch normalisation and local response normalisation over a tensor viewed as [N, C, S]
/// (S = product of the spatial dimensions). Channels are independent in batch norm, so workers split them;
/// statistics are accumulated in double whatever T is.</summary>
internal static class NormKernels
{
    /// <summary>Per-channel mean and biased variance over N·S values.</summary>
    public static void BatchStats<T>(ReadOnlyMemory<T> x, int n, int c, int s, double[] mean, double[] variance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                double sum = 0;
                for (int b = 0; b < n; b++)
                    foreach (var v in xs.Slice((b * c + ch) * s, s)) sum += double.CreateTruncating(v);
                double m = sum / ((double)n * s), sq = 0;
                for (int b = 0; b < n; b++)
                    foreach (var v in xs.Slice((b * c + ch) * s, s)) { double d = double.CreateTruncating(v) - m; sq += d * d; }
                mean[ch] = m;
                variance[ch] = sq / ((double)n * s);
            }
        });
    }

    /// <summary>y = (x - mean)·invStd·w + b per channel (w = 1, b = 0 when absent).</summary>
    public static void BatchNormForward<T>(ReadOnlyMemory<T> x, Memory<T> y, int n, int c, int s, double[] mean, double[] invStd,
        ReadOnlyMemory<T>? weight, ReadOnlyMemory<T>? bias) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                double w = weight is { } wm ? double.CreateTruncating(wm.Span[ch]) : 1, bb = bias is { } bm ? double.CreateTruncating(bm.Span[ch]) : 0;
                T scale = T.CreateTruncating(invStd[ch] * w), shift = T.CreateTruncating(bb - mean[ch] * invStd[ch] * w);
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * s;
                    for (int i = 0; i < s; i++) ys[o + i] = xs[o + i] * scale + shift;
                }
            }
        });
    }

    /// <summary>Backward of batch norm. With batch statistics (training) the mean and variance depend on x:
    /// dx = w·invStd/M · (M·dy - Σdy - x̂·Σ(dy·x̂)); with fixed (running) statistics dx = w·invStd·dy.
    /// dw = Σ dy·x̂, db = Σ dy, with x̂ = (x - mean)·invStd and M = N·S.</summary>
    public static void BatchNormBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> dy, Memory<T>? dx, Memory<T>? dw, Memory<T>? db,
        int n, int c, int s, double[] mean, double[] invStd, ReadOnlyMemory<T>? weight, bool batchStats) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] sumG = new double[c], sumGx = new double[c];
        BatchNormGradSums(x, dy, n, c, s, mean, invStd, sumG, sumGx);
        WriteChannelSums(dw, sumGx);
        WriteChannelSums(db, sumG);
        if (dx is { } dxm) BatchNormInputGrad(x, dy, dxm, n, c, s, mean, invStd, weight, batchStats, sumG, sumGx, (double)n * s);
    }

    /// <summary>Per-channel Σdy and Σdy·x̂ with x̂ = (x - mean)·invStd: the weight and bias gradients, and what the input
    /// gradient needs (summed over all replicas first when batch norm is synchronised).</summary>
    public static void BatchNormGradSums<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> dy, int n, int c, int s, double[] mean, double[] invStd,
        double[] sumG, double[] sumGx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var gs = dy.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                double m = mean[ch], inv = invStd[ch], g0 = 0, g1 = 0;
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * s;
                    for (int i = 0; i < s; i++)
                    {
                        double g = double.CreateTruncating(gs[o + i]);
                        g0 += g;
                        g1 += g * (double.CreateTruncating(xs[o + i]) - m) * inv;
                    }
                }
                sumG[ch] = g0;
                sumGx[ch] = g1;
            }
        });
    }

    /// <summary>The input gradient from the per-channel sums over <paramref name="count"/> values (this batch's N·S,
    /// or the global count when the statistics were taken over several replicas).</summary>
    public static void BatchNormInputGrad<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> dy, Memory<T> dx, int n, int c, int s, double[] mean, double[] invStd,
        ReadOnlyMemory<T>? weight, bool batchStats, double[] sumG, double[] sumGx, double count) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var gs = dy.Span; var dxs = dx.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                double m = mean[ch], inv = invStd[ch];
                double w = weight is { } wm ? double.CreateTruncating(wm.Span[ch]) : 1, k = w * inv;
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * s;
                    for (int i = 0; i < s; i++)
                    {
                        double g = double.CreateTruncating(gs[o + i]);
                        if (!batchStats) { dxs[o + i] = T.CreateTruncating(k * g); continue; }
                        double xhat = (double.CreateTruncating(xs[o + i]) - m) * inv;
                        dxs[o + i] = T.CreateTruncating(k / count * (count * g - sumG[ch] - xhat * sumGx[ch]));
                    }
                }
            }
        });
    }

    /// <summary>Copies per-channel sums into a weight or bias gradient, when one is wanted.</summary>
    public static void WriteChannelSums<T>(Memory<T>? target, double[] sums) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (target is not { } t) return;
        var span = t.Span;
        for (int ch = 0; ch < sums.Length; ch++) span[ch] = T.CreateTruncating(sums[ch]);
    }

    /// <summary>LRN (PyTorch's definition): d_c = k + α/size · Σ x_j² over channels j in [c - size/2, c + (size-1)/2]
    /// (zero outside), y_c = x_c · d_c^-β. Writes d and d^-β for the backward pass. Workers split the batch; the window
    /// sum slides over channels (add the channel entering, drop the one leaving), so the cost does not grow with size.</summary>
    public static void LrnForward<T>(ReadOnlyMemory<T> x, Memory<T> y, Memory<T> denom, Memory<T> power, int n, int c, int s, int size,
        double alpha, double beta, double k) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(n, (b0, b1) =>
        {
            var sq = new double[c * s];
            var window = new double[s];
            for (int b = b0; b < b1; b++)
            {
                var xs = x.Span.Slice(b * c * s, c * s);
                var ys = y.Span.Slice(b * c * s, c * s);
                var ds = denom.Span.Slice(b * c * s, c * s);
                var ps = power.Span.Slice(b * c * s, c * s);
                for (int i = 0; i < sq.Length; i++) { double v = double.CreateTruncating(xs[i]); sq[i] = v * v; }
                StartWindow(sq, window, c, s, (size - 1) / 2);
                for (int ch = 0; ch < c; ch++)
                {
                    for (int i = 0; i < s; i++)
                    {
                        double d = k + alpha / size * window[i], p = NegPow(d, beta);
                        int q = ch * s + i;
                        ds[q] = T.CreateTruncating(d);
                        ps[q] = T.CreateTruncating(p);
                        ys[q] = T.CreateTruncating(double.CreateTruncating(xs[q]) * p);
                    }
                    AdvanceWindow(sq, window, ch, c, s, size / 2, (size - 1) / 2);
                }
            }
        });
    }

    /// <summary>dx_j = dy_j·d_j^-β - (2αβ/size)·x_j·Σ_i dy_i·x_i·d_i^-β/d_i, over the channels i whose window holds j,
    /// i.e. i in [j - (size-1)/2, j + size/2] (the mirrored window).</summary>
    public static void LrnBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> denom, ReadOnlyMemory<T> power, ReadOnlyMemory<T> dy, Memory<T> dx,
        int n, int c, int s, int size, double alpha, double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(n, (b0, b1) =>
        {
            var t = new double[c * s];
            var window = new double[s];
            for (int b = b0; b < b1; b++)
            {
                int o = b * c * s;
                var xs = x.Span.Slice(o, c * s); var ds = denom.Span.Slice(o, c * s); var ps = power.Span.Slice(o, c * s);
                var gs = dy.Span.Slice(o, c * s); var dxs = dx.Span.Slice(o, c * s);
                for (int i = 0; i < t.Length; i++)
                    t[i] = double.CreateTruncating(gs[i]) * double.CreateTruncating(xs[i]) * double.CreateTruncating(ps[i]) / double.CreateTruncating(ds[i]);
                double scale = 2 * alpha * beta / size;
                StartWindow(t, window, c, s, size / 2);
                for (int ch = 0; ch < c; ch++)
                {
                    for (int i = 0; i < s; i++)
                    {
                        int q = ch * s + i;
                        dxs[q] = T.CreateTruncating(double.CreateTruncating(gs[q]) * double.CreateTruncating(ps[q]) - scale * double.CreateTruncating(xs[q]) * window[i]);
                    }
                    AdvanceWindow(t, window, ch, c, s, (size - 1) / 2, size / 2);
                }
            }
        });
    }

    // Sliding window over channels: sum holds Σ v[j] for j in [ch - before, ch + after] ∩ [0, C), row by row (length s).
    private static void StartWindow(double[] v, double[] sum, int c, int s, int after)
    {
        Array.Clear(sum);
        for (int j = 0; j <= Math.Min(after, c - 1); j++) AddRow(v, sum, j, s, 1);
    }

    /// <summary>Moves the window from channel ch to ch + 1: adds the channel entering, drops the one leaving.</summary>
    private static void AdvanceWindow(double[] v, double[] sum, int ch, int c, int s, int before, int after)
    {
        if (ch + after + 1 < c) AddRow(v, sum, ch + after + 1, s, 1);
        if (ch - before >= 0) AddRow(v, sum, ch - before, s, -1);
    }

    private static void AddRow(double[] v, double[] sum, int row, int s, double sign)
    {
        var r = v.AsSpan(row * s, s);
        for (int i = 0; i < s; i++) sum[i] += sign * r[i];
    }

    /// <summary>d^-β; AlexNet's β = 0.75 as 1/√(d√d), several times faster than Math.Pow.</summary>
    private static double NegPow(double d, double beta) => beta == 0.75 ? 1 / Math.Sqrt(d * Math.Sqrt(d)) : Math.Pow(d, -beta);
}
