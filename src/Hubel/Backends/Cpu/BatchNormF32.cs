using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Hubel.Backends.Cpu;

/// <summary>
/// Float32 batch norm over [N, C, S] with 256-bit vectors: the training step's hot path (the generic
/// <see cref="NormKernels"/> keep float64 and other uses). Workers split the channels. Per channel a row is one image's
/// S values, contiguous; its sums are taken in float over blocks of a few hundred values and combined in double
/// (<c>BatchNormSumsF32.cs</c>).
/// </summary>
internal static partial class BatchNormF32
{
    /// <summary>Training forward in one pass over the channels: the batch mean and biased variance (each row's mean and
    /// squared deviations from it while the row is in cache, rows combined with Chan's formula, so there is no
    /// E[x²] - E[x]² cancellation), then y = x·scale + shift while the channel is still warm in L2, plus
    /// <paramref name="residual"/> and through ReLU when given (the fused epilogue of a residual block). Writes
    /// mean, variance and invStd = 1/√(variance + eps).</summary>
    public static void ForwardTraining(ReadOnlyMemory<float> x, Memory<float> y, int n, int c, int s, double eps,
        ReadOnlyMemory<float>? weight, ReadOnlyMemory<float>? bias, double[] mean, double[] variance, double[] invStd,
        ReadOnlyMemory<float>? residual = null, bool relu = false)
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                ChannelStats(xs, n, c, s, ch, out mean[ch], out variance[ch]);
                invStd[ch] = 1 / Math.Sqrt(variance[ch] + eps);
                NormalizeChannel(xs, ys, n, c, s, ch, mean[ch], invStd[ch], weight, bias, residual, relu);
            }
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>Per-channel mean and biased variance only (synchronised batch norm combines them over replicas first).</summary>
    public static void Stats(ReadOnlyMemory<float> x, int n, int c, int s, double[] mean, double[] variance)
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span;
            for (int ch = c0; ch < c1; ch++) ChannelStats(xs, n, c, s, ch, out mean[ch], out variance[ch]);
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>y = (x - mean)·invStd·w + b per channel (w = 1, b = 0 when absent), + residual, through ReLU.</summary>
    public static void Normalize(ReadOnlyMemory<float> x, Memory<float> y, int n, int c, int s, double[] mean, double[] invStd,
        ReadOnlyMemory<float>? weight, ReadOnlyMemory<float>? bias, ReadOnlyMemory<float>? residual = null, bool relu = false)
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var ys = y.Span;
            for (int ch = c0; ch < c1; ch++) NormalizeChannel(xs, ys, n, c, s, ch, mean[ch], invStd[ch], weight, bias, residual, relu);
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>Backward in two passes per channel: Σdy and Σdy·x̂ (the bias and weight gradients), then
    /// dx = w·invStd·(dy - Σdy/M - x̂·Σdy·x̂/M) with batch statistics, w·invStd·dy with running ones.</summary>
    public static void Backward(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float>? dx, Memory<float>? dw, Memory<float>? db,
        int n, int c, int s, double[] mean, double[] invStd, ReadOnlyMemory<float>? weight, bool batchStats)
    {
        double count = (double)n * s;
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var gs = dy.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                GradSums(xs, gs, n, c, s, ch, mean[ch], out double sumG, out double sumGxc);
                double sumGx = sumGxc * invStd[ch];   // Σdy·x̂ = invStd·Σdy·(x - mean)
                if (dw is { } w) w.Span[ch] = (float)sumGx;
                if (db is { } bm) bm.Span[ch] = (float)sumG;
                if (dx is { } dxm) InputGradChannel(xs, gs, dxm.Span, n, c, s, ch, mean[ch], invStd[ch], weight, batchStats, sumG, sumGx, count);
            }
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>Per-channel Σdy and Σdy·x̂ (synchronised batch norm sums them over the replicas before the input gradient).</summary>
    public static void GradSums(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, int n, int c, int s, double[] mean, double[] invStd,
        double[] sumG, double[] sumGx)
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var gs = dy.Span;
            for (int ch = c0; ch < c1; ch++)
            {
                GradSums(xs, gs, n, c, s, ch, mean[ch], out sumG[ch], out double sumGxc);
                sumGx[ch] = sumGxc * invStd[ch];
            }
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>The input gradient from per-channel sums over <paramref name="count"/> values (N·S, or the global count).</summary>
    public static void InputGrad(ReadOnlyMemory<float> x, ReadOnlyMemory<float> dy, Memory<float> dx, int n, int c, int s, double[] mean, double[] invStd,
        ReadOnlyMemory<float>? weight, bool batchStats, double[] sumG, double[] sumGx, double count)
    {
        CpuThreads.For(c, (c0, c1) =>
        {
            var xs = x.Span; var gs = dy.Span; var dxs = dx.Span;
            for (int ch = c0; ch < c1; ch++) InputGradChannel(xs, gs, dxs, n, c, s, ch, mean[ch], invStd[ch], weight, batchStats, sumG[ch], sumGx[ch], count);
        }, MinChannelsPerWorker(n, s));
    }

    /// <summary>dx = A·dy + B·(x - mean) + C with per-channel A, B, C (two fused multiply-adds per vector; x - mean
    /// first, so a large mean does not cancel in float).</summary>
    private static void InputGradChannel(ReadOnlySpan<float> xs, ReadOnlySpan<float> gs, Span<float> dxs, int n, int c, int s, int ch,
        double mean, double inv, ReadOnlyMemory<float>? weight, bool batchStats, double sumG, double sumGx, double count)
    {
        double k = (weight is { } wm ? wm.Span[ch] : 1) * inv;
        double b = batchStats ? -k * inv * sumGx / count : 0;   // the x̂·Σdy·x̂/M term, as a multiple of x - mean
        double cc = batchStats ? -k * sumG / count : 0;
        Affine2(gs, xs, dxs, n, c, s, ch, (float)mean, (float)k, (float)b, (float)cc);
    }

    /// <summary>Splitting fewer than ~64K values over workers costs more in dispatch than it saves.</summary>
    private static int MinChannelsPerWorker(int n, int s) => Math.Max(1, (1 << 16) / Math.Max(1, n * s));

    private static void NormalizeChannel(ReadOnlySpan<float> xs, Span<float> ys, int n, int c, int s, int ch, double mean, double invStd,
        ReadOnlyMemory<float>? weight, ReadOnlyMemory<float>? bias, ReadOnlyMemory<float>? residual, bool relu)
    {
        double w = weight is { } wm ? wm.Span[ch] : 1, bb = bias is { } bm ? bm.Span[ch] : 0;
        Affine1(xs, residual is { } r ? r.Span : default, ys, n, c, s, ch, (float)mean, (float)(invStd * w), (float)bb, residual is not null, relu);
    }

    /// <summary>dz = dy where y &gt; 0, else 0: the ReLU of a fused batch norm, undone before its backward.</summary>
    public static void ReluMask(ReadOnlyMemory<float> y, ReadOnlyMemory<float> dy, Memory<float> dz)
    {
        const int Chunk = 1 << 14;
        int len = y.Length, chunks = (len + Chunk - 1) / Chunk;
        CpuThreads.For(chunks, (k0, k1) =>
        {
            int start = k0 * Chunk, end = Math.Min(len, k1 * Chunk), i = start;
            ref float py = ref MemoryMarshal.GetReference(y.Span);
            ref float pg = ref MemoryMarshal.GetReference(dy.Span);
            ref float pz = ref MemoryMarshal.GetReference(dz.Span);
            for (; i <= end - 8; i += 8)
            {
                var mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref py, (nuint)i), Vector256<float>.Zero);
                (Vector256.LoadUnsafe(ref pg, (nuint)i) & mask).StoreUnsafe(ref pz, (nuint)i);
            }
            for (; i < end; i++) Unsafe.Add(ref pz, i) = Unsafe.Add(ref py, i) > 0 ? Unsafe.Add(ref pg, i) : 0;
        }, minPerWorker: 4);
    }

    /// <summary>y = (x - m)·a + b (+ r) (then max(·, 0)) over one channel's rows.</summary>
    private static void Affine1(ReadOnlySpan<float> xs, ReadOnlySpan<float> rs, Span<float> ys, int n, int c, int s, int ch, float m, float a, float b,
        bool residual, bool relu)
    {
        var vm = Vector256.Create(m); var va = Vector256.Create(a); var vb = Vector256.Create(b);
        var zero = Vector256<float>.Zero;
        float lo = relu ? 0 : float.NegativeInfinity;
        var vlo = Vector256.Create(lo);
        for (int bi = 0; bi < n; bi++)
        {
            int o = (bi * c + ch) * s, i = 0;
            ref float px = ref Unsafe.Add(ref MemoryMarshal.GetReference(xs), o);
            ref float py = ref Unsafe.Add(ref MemoryMarshal.GetReference(ys), o);
            if (residual)
            {
                ref float pr = ref Unsafe.Add(ref MemoryMarshal.GetReference(rs), o);
                for (; i <= s - 8; i += 8)
                {
                    var v = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i) - vm, va, vb) + Vector256.LoadUnsafe(ref pr, (nuint)i);
                    Vector256.Max(v, vlo).StoreUnsafe(ref py, (nuint)i);
                }
                for (; i < s; i++) Unsafe.Add(ref py, i) = Math.Max(MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i) - m, a, b) + Unsafe.Add(ref pr, i), lo);
            }
            else if (relu)
            {
                for (; i <= s - 8; i += 8) Vector256.Max(Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i) - vm, va, vb), zero).StoreUnsafe(ref py, (nuint)i);
                for (; i < s; i++) Unsafe.Add(ref py, i) = Math.Max(MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i) - m, a, b), 0);
            }
            else
            {
                for (; i <= s - 8; i += 8) Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i) - vm, va, vb).StoreUnsafe(ref py, (nuint)i);
                for (; i < s; i++) Unsafe.Add(ref py, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i) - m, a, b);
            }
        }
    }

    /// <summary>dx = g·a + (x - m)·b + c over one channel's rows.</summary>
    private static void Affine2(ReadOnlySpan<float> gs, ReadOnlySpan<float> xs, Span<float> dx, int n, int c, int s, int ch, float m, float a, float b, float cc)
    {
        var vm = Vector256.Create(m); var va = Vector256.Create(a); var vb = Vector256.Create(b); var vc = Vector256.Create(cc);
        for (int bi = 0; bi < n; bi++)
        {
            int o = (bi * c + ch) * s, i = 0;
            ref float pg = ref Unsafe.Add(ref MemoryMarshal.GetReference(gs), o);
            ref float px = ref Unsafe.Add(ref MemoryMarshal.GetReference(xs), o);
            ref float pd = ref Unsafe.Add(ref MemoryMarshal.GetReference(dx), o);
            for (; i <= s - 8; i += 8)
            {
                var t = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref px, (nuint)i) - vm, vb, vc);
                Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref pg, (nuint)i), va, t).StoreUnsafe(ref pd, (nuint)i);
            }
            for (; i < s; i++) Unsafe.Add(ref pd, i) = MathF.FusedMultiplyAdd(Unsafe.Add(ref pg, i), a, MathF.FusedMultiplyAdd(Unsafe.Add(ref px, i) - m, b, cc));
        }
    }
}
