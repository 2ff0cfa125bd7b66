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
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var gs = dy.Span;
            double count = (double)n * s;
            for (int ch = c0; ch < c1; ch++)
            {
                double m = mean[ch], inv = invStd[ch], sumG = 0, sumGx = 0;
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * s;
                    for (int i = 0; i < s; i++)
                    {
                        double g = double.CreateTruncating(gs[o + i]);
                        sumG += g;
                        sumGx += g * (double.CreateTruncating(xs[o + i]) - m) * inv;
                    }
                }
                if (dw is { } dwm) dwm.Span[ch] = T.CreateTruncating(sumGx);
                if (db is { } dbm) dbm.Span[ch] = T.CreateTruncating(sumG);
                if (dx is not { } dxm) continue;
                var dxs = dxm.Span;
                double w = weight is { } wm ? double.CreateTruncating(wm.Span[ch]) : 1, k = w * inv;
                for (int b = 0; b < n; b++)
                {
                    int o = (b * c + ch) * s;
                    for (int i = 0; i < s; i++)
                    {
                        double g = double.CreateTruncating(gs[o + i]);
                        if (!batchStats) { dxs[o + i] = T.CreateTruncating(k * g); continue; }
                        double xhat = (double.CreateTruncating(xs[o + i]) - m) * inv;
                        dxs[o + i] = T.CreateTruncating(k / count * (count * g - sumG - xhat * sumGx));
                    }
                }
            }
        });
    }

    /// <summary>LRN (PyTorch's definition): d_c = k + α/size · Σ x_j² over channels j in [c - size/2, c + (size-1)/2]
    /// (zero outside), y_c = x_c · d_c^-β. Writes d for the backward pass.</summary>
    public static void LrnForward<T>(ReadOnlyMemory<T> x, Memory<T> y, Memory<T> denom, int n, int c, int s, int size, double alpha, double beta, double k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(n * c, (r0, r1) =>
        {
            var xs = x.Span; var ys = y.Span; var ds = denom.Span;
            for (int r = r0; r < r1; r++)
            {
                int b = r / c, ch = r % c, o = r * s;
                int lo = Math.Max(0, ch - size / 2), hi = Math.Min(c - 1, ch + (size - 1) / 2);
                for (int i = 0; i < s; i++)
                {
                    double sq = 0;
                    for (int j = lo; j <= hi; j++) { double v = double.CreateTruncating(xs[(b * c + j) * s + i]); sq += v * v; }
                    double d = k + alpha / size * sq;
                    ds[o + i] = T.CreateTruncating(d);
                    ys[o + i] = T.CreateTruncating(double.CreateTruncating(xs[o + i]) * Math.Pow(d, -beta));
                }
            }
        });
    }

    /// <summary>dx_j = dy_j·d_j^-β - (2αβ/size)·x_j·Σ_i dy_i·x_i·d_i^(-β-1), over the channels i whose window holds j,
    /// i.e. i in [j - (size-1)/2, j + size/2].</summary>
    public static void LrnBackward<T>(ReadOnlyMemory<T> x, ReadOnlyMemory<T> denom, ReadOnlyMemory<T> dy, Memory<T> dx, int n, int c, int s,
        int size, double alpha, double beta) where T : unmanaged, IFloatingPointIeee754<T>
    {
        CpuThreads.For(n * c, (r0, r1) =>
        {
            var xs = x.Span; var ds = denom.Span; var gs = dy.Span; var dxs = dx.Span;
            for (int r = r0; r < r1; r++)
            {
                int b = r / c, ch = r % c, o = r * s;
                int lo = Math.Max(0, ch - (size - 1) / 2), hi = Math.Min(c - 1, ch + size / 2);
                for (int i = 0; i < s; i++)
                {
                    double acc = 0;
                    for (int j = lo; j <= hi; j++)
                    {
                        int q = (b * c + j) * s + i;
                        double d = double.CreateTruncating(ds[q]);
                        acc += double.CreateTruncating(gs[q]) * double.CreateTruncating(xs[q]) * Math.Pow(d, -beta - 1);
                    }
                    double xv = double.CreateTruncating(xs[o + i]), dv = double.CreateTruncating(ds[o + i]);
                    dxs[o + i] = T.CreateTruncating(double.CreateTruncating(gs[o + i]) * Math.Pow(dv, -beta) - 2 * alpha * beta / size * xv * acc);
                }
            }
        });
    }
}
